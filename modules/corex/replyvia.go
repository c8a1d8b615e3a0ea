package corex

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// viaReplyFunc is via_reply_add_xavp_params(flag) (Kamailio 5.8): with a
// flag other than 0 the members of the XAVP the core parameter
// xavp_via_reply_params names are added, as Via parameters
// (";name=value", ";name" for an empty string, newest first), to the
// top Via of the replies this server makes to the request (sl's and
// tm's), or, in a reply route, to the Via the reply is relayed back to;
// 0 stops that. Returns 1.
func (m *Module) viaReplyFunc() module.Func {
	return module.Func{Name: "via_reply_add_xavp_params", MinArgs: 1, MaxArgs: 1, Ext: "Kamailio 5.8", Routes: routetype.Any,
		Compile: compileFlagArg("w_via_reply_add_xavp_params", m.viaReplyAddXAVPParams)}
}

// viaReplyAddXAVPParams sets or resets the message flag. The parameters
// are taken from the XAVP as it is now: kamgo builds a reply without the
// route's state at hand (tm builds them from its copy of the request), so
// the message carries them (sipmsg.SendState.ReplyViaParams).
func (m *Module) viaReplyAddXAVPParams(c *event.Context, n int64) int {
	setViaFlag(c, flAddXAVPViaReplyParams, n)
	msg := sipmsg.FromContext(c)
	if msg == nil {
		return 1
	}
	msg.Send.ReplyViaParams = ""
	if n != 0 {
		msg.Send.ReplyViaParams = m.xavpParams(c, "xavp_via_reply_params")
	}
	return 1
}
