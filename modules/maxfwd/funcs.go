package maxfwd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// compile compiles a function whose one argument is a limit: a number or
// a pseudo-variable holding one (Kamailio's fixup_var_int_1).
// wrapper names the C function Kamailio's error names.
func (m *Module) compile(h module.Host, args []*module.Arg, wrapper string, run func(c *event.Context, msg *sipmsg.Msg, limit int64) int) (module.Call, error) {
	limit, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := limit(c)
		if !ok {
			module.NotInt(c)
			logf(c, klog.Err, "%s(): could not get param value", wrapper)
			return -1
		}
		return run(c, sipmsg.FromContext(c), n)
	}, nil
}

// Results of reading the header (Kamailio's is_maxfwd_present).
const (
	absent = -1
	broken = -2
)

// header returns the first Max-Forwards header's value as Kamailio reads
// it (absent, broken, or 0..65535) and the header.
func header(c *event.Context, msg *sipmsg.Msg) (int, *sipmsg.Header) {
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is("max-forwards") {
			continue
		}
		n, ok := parseShort(strings.TrimSpace(h.Value))
		if !ok {
			logf(c, klog.Err, "is_maxfwd_present(): unable to parse the max forwards number")
			return broken, h
		}
		return n, h
	}
	return absent, nil
}

// parseShort reads s as Kamailio's str2s does: only digits, at most five
// of them, kept in 16 bits ("70000" is 4464); "" is 0.
func parseShort(s string) (int, bool) {
	if len(s) > 5 {
		return 0, false
	}
	var n uint16
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint16(s[i]-'0')
	}
	return int(n), true
}

// process is mf_process_maxfwd_header(limit): 2 when the request had no
// Max-Forwards and one with limit was added, 1 when the value was
// decremented (after capping it at max_limit), -1 when it is 0 (or the
// limit is not in 0..255), -2 when it does not parse.
func (m *Module) process(c *event.Context, msg *sipmsg.Msg, limit int64) int {
	if limit < 0 || limit > 255 {
		logf(c, klog.Err, "process_maxfwd_header(): invalid param value: %d", limit)
		return -1
	}
	val, h := header(c, msg)
	switch {
	case val == absent:
		if len(msg.Headers) == 0 {
			return -2
		}
		// A new header goes before the first one, as Kamailio's lump does.
		text := "Max-Forwards: " + strconv.FormatInt(limit, 10) + "\r\n"
		msg.Edits = append(msg.Edits, sipmsg.Edit{At: msg.Headers[0].Start, Text: text})
		return 2
	case val == broken:
		return -2
	case val == 0:
		return -1
	}
	if lim := m.limit(c); int64(val) > lim {
		val = int(lim) + 1
	}
	if !decrement(msg, h, val-1) {
		logf(c, klog.Err, "process_maxfwd_header(): decrement failed!")
		return -2
	}
	return 1
}

// decrement writes n over the header's value in the message text, right
// aligned and padded with spaces, as Kamailio rewrites the received
// buffer in place: later reads of the header see the new text, padding
// included (" 70"). A value that is not in one piece in the text (folded)
// cannot be rewritten.
func decrement(msg *sipmsg.Msg, h *sipmsg.Header, n int) bool {
	digits := strings.TrimSpace(h.Value)
	at := h.At + strings.Index(h.Value, digits)
	if h.At < 0 || len(strconv.Itoa(n)) > len(digits) {
		return false
	}
	text := fmt.Sprintf("%*d", len(digits), n)
	msg.Buf = msg.Buf[:at] + text + msg.Buf[at+len(text):]
	h.Value = msg.Buf[h.At : h.At+len(h.Value)]
	return true
}

// isLT is is_maxfwd_lt(limit): 1 when the Max-Forwards value is below
// limit, -1 when it is not (or the limit is not in 0..255), -2 when the
// request has no Max-Forwards, -3 when it does not parse.
func isLT(c *event.Context, msg *sipmsg.Msg, limit int64) int {
	if limit < 0 || limit > 255 {
		logf(c, klog.Err, "ki_is_maxfwd_lt(): invalid param value: %d", limit)
		return -1
	}
	val, _ := header(c, msg)
	switch {
	case val < 0:
		return val - 1
	case int64(val) >= limit:
		return -1
	}
	return 1
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
