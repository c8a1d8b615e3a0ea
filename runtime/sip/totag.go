package sip

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Local replies get to-tags of Kamailio's shape, and the same value for the
// same request and first socket (sl's tag_test.go pins values Kamailio
// 5.6.3 gave): 32 hexadecimal digits, the MD5 of a signature and the
// address and port of the first socket, a separator, then 8 digits: two
// CRC-16s (CCITT, reflected, as Kamailio's crcitt_string_array computes
// them), of the top Via's host, port and branch and of its port, host and
// the Call-ID, each written in hexadecimal lowest digit first and padded
// with '0'. sl signs "KAMAILIO-stateless" with '.', tm "SER-TM/tags"
// with '-'.

// TagLen is the length of the to-tags a Tagger makes.
const TagLen = 32 + 1 + 8

// Tagger makes the to-tags of one kind of local reply.
type Tagger struct {
	signature string
	sep       byte

	mu   sync.Mutex
	base map[*sipmsg.Socket]string // the fixed part, by first socket
}

// NewTagger returns a Tagger for the signature and separator.
func NewTagger(signature string, sep byte) *Tagger {
	return &Tagger{signature: signature, sep: sep, base: map[*sipmsg.Socket]string{}}
}

// Tag is the to-tag for local replies to m, given the first socket (nil
// without sockets).
func (g *Tagger) Tag(first *sipmsg.Socket, m *sipmsg.Msg) string {
	return g.fixed(first) + tagSuffix(m)
}

// fixed returns the part of the tags that depends only on the first
// socket, with the separator.
func (g *Tagger) fixed(s *sipmsg.Socket) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b, ok := g.base[s]; ok {
		return b
	}
	h := md5.New()
	h.Write([]byte(g.signature))
	if s != nil {
		h.Write([]byte(s.IP))
		h.Write([]byte(strconv.Itoa(s.Port)))
	}
	b := hex.EncodeToString(h.Sum(nil)) + string(g.sep)
	g.base[s] = b
	return b
}

// tagSuffix is the variable part of a to-tag. As in Kamailio, a Via
// without a port ends each list of strings there (the port is a null
// string), and a missing branch or Call-ID is left out.
func tagSuffix(msg *sipmsg.Msg) string {
	v, _, ok := msg.TopVia()
	if !ok {
		return "00000000"
	}
	upToNull := func(parts ...string) []string {
		for i, p := range parts {
			if p == "" {
				return parts[:i]
			}
		}
		return parts
	}
	br, _ := v.Param("branch")
	callID, _ := msg.Header("call-id")
	return crcHex(crcitt(upToNull(v.Host, v.Port, br)...)) + crcHex(crcitt(upToNull(v.Port, v.Host, callID)...))
}

// ccittTable is the table of the reflected CRC-CCITT polynomial 0x8408.
var ccittTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0x8408
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crcitt is the CRC-16 of the strings one after the other: initial value
// 0xffff, reflected, complemented at the end.
func crcitt(parts ...string) uint16 {
	crc := uint16(0xffff)
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			crc = ccittTable[byte(crc)^p[i]] ^ crc>>8
		}
	}
	return ^crc
}

// crcHex writes a CRC in four hexadecimal digits, lowest first, padded
// with '0' after the digits.
func crcHex(n uint16) string {
	s := revHex(uint32(n))
	return s + strings.Repeat("0", 4-len(s))
}
