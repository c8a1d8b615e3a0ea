package auth

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"net"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The nonce is base64 of, in order: the expiry time and the creation time
// (4 bytes each, big endian, seconds since 1970), MD5(those 8 bytes,
// [id and flags,] secret1), then, when the request type has extra checks
// (auth_checks_*), MD5(the checked request parts, secret2), then, with
// nonce_count or one_time_nonce, the id (4 bytes) and the pool-and-flags
// byte. The server keeps nothing per nonce but the nonce-count and
// one-time arrays.

// Parts of a request the extra checks bind a nonce to (auth_checks_*).
const (
	checkURI     = 1 << 0 // the Request-URI
	checkCallID  = 1 << 1 // the Call-ID
	checkFromTag = 1 << 2 // the From tag
	checkSrcIP   = 1 << 3 // the source IP address
)

const (
	minBinNonce = 4 + 4 + 16
	maxBinNonce = 48 // Kamailio's decode buffer: longer nonces do not decode
	minNonceLen = (minBinNonce + 2) / 3 * 4
)

// Results of checking a nonce (Kamailio's check_nonce).
const (
	nonceOK      = 0
	nonceInvalid = -1 // not a nonce (does not decode)
	nonceShort   = 1  // shorter than any nonce
	nonceNoMatch = 2  // not made with this secret
	nonceChecks  = 3  // the extra checks' parts changed
	nonceStale   = 4  // expired, from before the start, or from the future
	nonceBadNC   = 5  // nc is not 8 hex digits
	nonceReused  = 6  // one-time nonce seen before
)

// checksFor returns the extra checks for msg: auth_checks_register for a
// REGISTER, auth_checks_in_dlg when the To has a tag, else
// auth_checks_no_dlg; none without a message.
func (m *Module) checksFor(msg *sipmsg.Msg) int {
	if msg == nil {
		return 0
	}
	if msg.Method == "REGISTER" {
		return int(m.ints["auth_checks_register"])
	}
	if to, ok := msg.Header("to"); ok {
		if na, err := sipmsg.ParseNameAddr(to); err == nil {
			if tag, _ := na.Param("tag"); tag != "" {
				return int(m.ints["auth_checks_in_dlg"])
			}
		}
	}
	return int(m.ints["auth_checks_no_dlg"])
}

// binNonce is a decoded nonce, laid out as Kamailio's union: the id and
// flags sit after the first hash without extra checks, after the second
// with them.
type binNonce [maxBinNonce]byte

func (b *binNonce) expire() uint32 { return binary.BigEndian.Uint32(b[0:]) }
func (b *binNonce) since() uint32  { return binary.BigEndian.Uint32(b[4:]) }

// idAt is the offset of the id for a nonce with or without extra checks.
func idAt(checks int) int {
	if checks != 0 {
		return 40
	}
	return 24
}

// fillHashes computes the hashes of b from its times, id and flags, and
// returns the nonce's length.
func (m *Module) fillHashes(b *binNonce, checks int, msg *sipmsg.Msg) int {
	at := idAt(checks)
	h := md5.New()
	h.Write(b[:8])
	n := at
	if b[at+4]&(nfValidNC|nfValidOT) != 0 {
		h.Write(b[at : at+5])
		n += 5
	}
	h.Write(m.secret1)
	copy(b[8:24], h.Sum(nil))
	if checks != 0 {
		h = md5.New()
		if checks&checkURI != 0 {
			h.Write([]byte(msg.RequestURI()))
		}
		if checks&checkCallID != 0 {
			if v, ok := msg.Header("call-id"); ok {
				h.Write([]byte(v))
			}
		}
		if checks&checkFromTag != 0 {
			if v, ok := msg.Header("from"); ok {
				if na, err := sipmsg.ParseNameAddr(v); err == nil {
					tag, _ := na.Param("tag")
					h.Write([]byte(tag))
				}
			}
		}
		if checks&checkSrcIP != 0 {
			if ip := net.ParseIP(msg.Src.IP); ip != nil {
				if v4 := ip.To4(); v4 != nil {
					ip = v4
				}
				h.Write(ip)
			}
		}
		h.Write(m.secret2)
		copy(b[24:40], h.Sum(nil))
	}
	return n
}

// newNonce makes a nonce for msg (nil for none) valid from now for
// nonce_expire seconds, registering a new id when nonce-count or
// one-time nonces are on (worker chooses the pool).
func (m *Module) newNonce(msg *sipmsg.Msg, worker int) string {
	checks := m.checksFor(msg)
	now := uint32(m.now().Unix())
	var b binNonce
	binary.BigEndian.PutUint32(b[0:], now+uint32(m.ints["nonce_expire"]))
	binary.BigEndian.PutUint32(b[4:], now)
	if m.ncOn || m.otnOn {
		p := m.index.pool(worker)
		id := m.index.next(p)
		pf := byte(p)
		if m.ncOn {
			m.index.ncNew(id, p)
			pf |= nfValidNC
		}
		if m.otnOn {
			m.index.otnNew(id, p)
			pf |= nfValidOT
		}
		at := idAt(checks)
		binary.BigEndian.PutUint32(b[at:], id)
		b[at+4] = pf
	}
	n := m.fillHashes(&b, checks, msg)
	return base64.StdEncoding.EncodeToString(b[:n])
}

// b64Value maps base64 characters to their values; others are 0xff, as
// in Kamailio's table: such a nonce decodes to garbage, not to an error.
var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alpha); i++ {
		t[alpha[i]] = byte(i)
	}
	return t
}()

// decodeNonce decodes as Kamailio's base64_dec does; n is 0 for a text
// that is not a multiple of 4 long or longer than the buffer.
func decodeNonce(s string, b *binNonce) (n int) {
	l := len(s)
	if l < 4 || l%4 != 0 || (s[l-2] == '=' && s[l-1] != '=') {
		return 0
	}
	n = l / 4 * 3
	if s[l-2] == '=' {
		n--
	}
	if s[l-1] == '=' {
		n--
	}
	if n > len(b) {
		return 0
	}
	out := 0
	for i := 0; i < l; i += 4 {
		a, bb, c, d := uint(b64Value[s[i]]), uint(b64Value[s[i+1]]), uint(b64Value[s[i+2]]), uint(b64Value[s[i+3]])
		for j, v := range [3]byte{byte(a<<2 | bb>>4), byte(bb<<4 | c>>2), byte(c<<6 | d)} {
			if out+j < n {
				b[out+j] = v
			}
		}
		out += 3
	}
	return n
}

// checkNonce checks the nonce of credentials d sent with msg (Kamailio's
// check_nonce, same order of checks and results).
func (m *Module) checkNonce(d *digest, msg *sipmsg.Msg) int {
	checks := m.checksFor(msg)
	if d.present&hasNonce == 0 {
		return nonceInvalid
	}
	if len(d.nonce) < minNonceLen {
		return nonceShort
	}
	var b binNonce
	n := decodeNonce(d.nonce, &b)
	if n < minBinNonce {
		return nonceInvalid
	}
	since := int64(int32(b.since()))
	t := m.now().Unix()
	m.mu.Lock()
	if since < m.upSince {
		if t < m.upSince {
			m.upSince = t
		}
		if since < t {
			m.mu.Unlock()
			return nonceStale
		}
	}
	m.mu.Unlock()
	if since > t && since-t > m.ints["nonce_auth_max_drift"] {
		return nonceStale
	}
	at := idAt(checks)
	pf := b[at+4]
	id := binary.BigEndian.Uint32(b[at:])
	if m.otnOn && pf&nfValidOT == 0 {
		return nonceStale
	}
	b2 := b
	n2 := m.fillHashes(&b2, checks, msg)
	if !bytes.Equal(b[8:24], b2[8:24]) {
		return nonceNoMatch
	}
	if m.ncOn && pf&nfValidNC != 0 && d.present&hasNC != 0 && d.nc != "" {
		nc, ok := hex8(d.nc)
		if !ok {
			m.logf(errLevel, "check_nonce(): bad nc value %s", d.nc)
			return nonceBadNC
		}
		if m.index.ncCheck(id, uint32(pf&nfPoolMask), nc) != idOK {
			return nonceStale
		}
		return m.staleOr(&b, t)
	}
	if m.otnOn && pf&nfValidOT != 0 {
		if m.index.otnCheck(id, uint32(pf&nfPoolMask)) != idOK {
			return nonceReused
		}
	}
	if checks != 0 {
		if n != n2 {
			return nonceNoMatch
		}
		if !bytes.Equal(b[24:40], b2[24:40]) {
			return nonceChecks
		}
	}
	return m.staleOr(&b, t)
}

// staleOr is nonceStale when the nonce has expired at t.
func (m *Module) staleOr(b *binNonce, t int64) int {
	if int64(b.expire()) < t {
		return nonceStale
	}
	return nonceOK
}

// hex8 reads exactly 8 hex digits.
func hex8(s string) (uint32, bool) {
	if len(s) != 8 || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return 0, false
	}
	var v uint32
	for i := 0; i < 8; i++ {
		c := s[i] | 0x20
		if c <= '9' {
			v = v<<4 | uint32(s[i]-'0')
		} else {
			v = v<<4 | uint32(c-'a'+10)
		}
	}
	return v, true
}
