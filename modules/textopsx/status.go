package textopsx

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func (m *Module) compileChangeStatus(h module.Host, args []*module.Arg) (module.Call, error) {
	code, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	reason, err := args[1].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := code(c)
		if !ok {
			m.logf(klog.Err, "change_reply_status_f(): cannot get parameters")
			return -1
		}
		return m.changeStatus(sipmsg.FromContext(c), int(n), reason(c), true)
	}, nil
}

func (m *Module) compileChangeStatusCode(h module.Host, args []*module.Arg) (module.Call, error) {
	code, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := code(c)
		if !ok {
			m.logf(klog.Err, "change_reply_status_code_f(): cannot get parameters")
			return -1
		}
		return m.changeStatus(sipmsg.FromContext(c), int(n), "", false)
	}, nil
}

// changeStatus is change_reply_status(code, reason) (withReason) and
// change_reply_status_code(code). The code is written into the message
// text at once, so $rs and the first line read it; the reason phrase is
// a change (a lump), seen in the rebuilt message. The class of a 1xx or
// 2xx reply, or a change to one, must stay.
func (m *Module) changeStatus(msg *sipmsg.Msg, code int, reason string, withReason bool) int {
	fn := "ki_change_reply_status_code"
	if withReason {
		fn = "ki_change_reply_status"
		if reason == "" {
			m.logf(klog.Err, "%s(): invalid reason parameter", fn)
			return -1
		}
	}
	if code < 100 || code > 699 {
		m.logf(klog.Err, "%s(): wrong status code: %d", fn, code)
		return -1
	}
	if msg.IsRequest() {
		// Kamailio reads a request's first line as a status line here;
		// kamgo refuses.
		m.logf(klog.Err, "%s(): the message is not a reply", fn)
		return -1
	}
	if (code < 300 || msg.Status < 300) && code/100 != msg.Status/100 {
		m.logf(klog.Err, "%s(): the class of provisional or positive final replies cannot be changed", fn)
		return -1
	}
	at := strings.IndexByte(msg.Buf, ' ') + 1
	if at <= 0 || at+3 > len(msg.Buf) {
		return -1
	}
	msg.Buf = msg.Buf[:at] + strconv.Itoa(code) + msg.Buf[at+3:]
	msg.Status = code
	if withReason {
		msg.Replace(reasonAt(msg, at+3), len(msg.Reason), reason)
	}
	return 1
}

// reasonAt is the offset of the reason phrase: after the status code
// (which ends at codeEnd) and the white space that follows it.
func reasonAt(msg *sipmsg.Msg, codeEnd int) int {
	at := codeEnd
	for at < len(msg.Buf) && (msg.Buf[at] == ' ' || msg.Buf[at] == '\t') {
		at++
	}
	return at
}
