package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wReplyError is t_reply_error (Kamailio 5.8), the stateful
// sl_reply_error: the transaction's request is answered with the reply
// describing the error the previous action left (its code and Kamailio's
// text, signed "TM"), as t_reply would send it. A request already
// answered statelessly with a final reply (Kamailio's FL_FINAL_REPLY,
// which sl sets) is not answered again: -2.
func (m *Module) wReplyError(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if msg != nil && sip.FinalReplied(c, msg) {
		m.log.Log(klog.Info, Name, "ki_t_reply_error(): message marked with final-reply flag")
		return -2
	}
	if isMethod(msg, "ACK") {
		return -1
	}
	code, reason := sip.ErrorReply(sip.LastError(c), "TM")
	return m.tReply(c, code, reason, "", "")
}
