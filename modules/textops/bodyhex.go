package textops

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// hexDecodeWS decodes hex digits (either case), skipping spaces and tabs
// between the pairs, as Kamailio 6.1's core ksr_hex_decode_ws does. bad
// is -1 on success, otherwise the position Kamailio's error line reports:
// the byte that is no hex digit, a digit without its pair, or the length
// of a text of white space only.
func hexDecodeWS(s string) (raw string, bad int) {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			continue
		}
		if i+1 == len(s) {
			return "", i
		}
		hi, ok := hexVal(s[i])
		if !ok {
			return "", i
		}
		i++
		lo, ok := hexVal(s[i])
		if !ok {
			return "", i
		}
		out = append(out, hi<<4|lo)
	}
	if len(out) == 0 {
		return "", len(s)
	}
	return string(out), -1
}

// unhexBody decodes the hex text of set_body_hex and set_reply_body_hex;
// ok is false after the lines Kamailio logs.
func (m *Module) unhexBody(fn, htxt string) (string, bool) {
	if htxt == "" {
		m.logf(klog.Err, "%s(): invalid body parameter", fn)
		return "", false
	}
	raw, bad := hexDecodeWS(htxt)
	if bad >= 0 {
		m.corelogf(klog.Err, "ksr_hex_decode_ws(): invalid input hex data [%s] (%d/%d)", htxt, len(htxt), bad)
		return "", false
	}
	return raw, true
}

// setBodyHex is set_body_hex(hex_body, content_type): set_body with the
// body written in hex digits. It exists from Kamailio 6.1 on, so the old
// body goes as 6.1's set_body removes it: up to the end of the message.
func (m *Module) setBodyHex(c *event.Context, s []string) int {
	nb, ok := m.unhexBody("ki_set_body_hex", s[0])
	if !ok {
		return -1
	}
	if s[1] == "" {
		m.logf(klog.Err, "ki_set_body(): invalid content-type parameter")
		return -1
	}
	return m.replaceBody(sipmsg.FromContext(c), nb, s[1], true)
}

// setReplyBodyHex is set_reply_body_hex(hex_body, content_type):
// set_reply_body with the body written in hex digits.
func (m *Module) setReplyBodyHex(c *event.Context, s []string) int {
	nb, ok := m.unhexBody("ki_set_rpl_body_hex", s[0])
	if !ok {
		return -1
	}
	return m.setReplyBody(c, []string{nb, s[1]})
}
