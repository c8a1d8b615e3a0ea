package sl

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// sl's to-tags have Kamailio's shape, and the same value for the same
// request and first socket (tag_test.go pins values Kamailio 5.6.3 gave):
// 32 hexadecimal digits, the MD5 of "KAMAILIO-stateless" and the address
// and port of the first socket, then '.', then 8 digits: two CRC-16s
// (CCITT, reflected, as Kamailio's crcitt_string_array computes them), of
// the top Via's host, port and branch and of its port, host and the
// Call-ID, each written in hexadecimal lowest digit first and padded with
// '0'. An ACK is sl's when its To tag is the one sl gives its request.

// tagSignature is the fixed text of sl's to-tags.
const tagSignature = "KAMAILIO-stateless"

// tagLen is the length of sl's to-tags.
const tagLen = 32 + 1 + 8

// base returns the fixed part of the to-tags for the first socket s (nil
// without sockets), with its separator.
func (m *Module) base(s *sipmsg.Socket) string {
	m.tagMu.Lock()
	defer m.tagMu.Unlock()
	if b, ok := m.tagBase[s]; ok {
		return b
	}
	h := md5.New()
	h.Write([]byte(tagSignature))
	if s != nil {
		h.Write([]byte(s.IP))
		h.Write([]byte(strconv.Itoa(s.Port)))
	}
	b := hex.EncodeToString(h.Sum(nil)) + "."
	m.tagBase[s] = b
	return b
}

// toTag is sl's to-tag for replies to m.
func (m *Module) toTag(first *sipmsg.Socket, msg *sipmsg.Msg) string {
	return m.base(first) + tagSuffix(msg)
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

func revHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

// filterACK reports whether msg is the ACK of a reply sl sent (its To
// tag is sl's for it, within ackWindow of the last reply), after running
// event_route[sl:filtered-ack] for it.
func (m *Module) filterACK(c *event.Context, msg *sipmsg.Msg) bool {
	if !strings.EqualFold(msg.Method, "ACK") {
		return false
	}
	if m.now().UnixNano() >= m.filterUntil.Load() {
		m.log.Log(klog.Dbg, Name, "sl_filter_ACK(): too late to be a local ACK!")
		return false
	}
	to, ok := msg.Header("to")
	if !ok {
		return false
	}
	na, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		m.log.Log(klog.Err, Name, "sl_filter_ACK(): unable to parse To header")
		return true
	}
	tag, _ := na.Param("tag")
	var first *sipmsg.Socket
	if t := sip.From(c); t != nil {
		first = t.First()
	}
	if len(tag) != tagLen || tag != m.toTag(first, msg) {
		return false
	}
	m.log.Log(klog.Dbg, Name, "sl_filter_ACK(): SL local ACK found -> dropping it!")
	m.stats.filteredACKs.Add(1)
	if m.host != nil {
		module.RunEvent(m.host, c, EventFilteredACK, m.evFilteredACK)
	}
	return true
}

// lttClass is $ltt(s|t|x): the to-tag of the reply to the current
// request, sl's (s), the transaction's (t) or whichever replies (x).
func (m *Module) lttClass() *pv.Class {
	return &pv.Class{Name: "ltt", Module: Name, Names: []string{"s", "t", "x"}, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("unknown PV ltt key: ")
		}
		key := p.Name.Text
		if key != "s" && key != "t" && key != "x" {
			return nil, fmt.Errorf("unknown PV ltt key: %s", key)
		}
		return pv.GetterFunc(func(c *event.Context) value.Value {
			if key != "s" && m.tm != nil {
				if tag, ok := m.tm.ToTag(c); ok {
					return value.MakeStr(tag)
				}
			}
			if key == "t" {
				return value.NullValue
			}
			var first *sipmsg.Socket
			if t := sip.From(c); t != nil {
				first = t.First()
			}
			return value.MakeStr(m.toTag(first, sipmsg.FromContext(c)))
		}), nil
	}}
}
