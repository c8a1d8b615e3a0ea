package textopsx

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// maxBuf is Kamailio's BUF_SIZE: a message text must be shorter.
const maxBuf = 65535

func (m *Module) compileApplyChanges(module.Host, []*module.Arg) (module.Call, error) {
	return m.applyChanges, nil
}

// applyChanges is msg_apply_changes(): the message rebuilt with its
// changes (the new Request-URI, the lumps) and parsed again, so that
// later reads see them. Only a request in request_route, or a reply, may
// be rebuilt.
func (m *Module) applyChanges(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if msg.IsRequest() && c.Route != routetype.Request {
		m.corelogf(klog.Err, "sip_msg_apply_changes(): invalid usage - not in request route or a reply")
		return -1
	}
	return m.updateBuffer(msg, msg.Build())
}

func (m *Module) compileSetBuffer(h module.Host, args []*module.Arg) (module.Call, error) {
	text, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.setBuffer(c, text(c)) }, nil
}

// setBuffer is msg_set_buffer(text): the message replaced by text,
// parsed.
func (m *Module) setBuffer(c *event.Context, text string) int {
	msg := sipmsg.FromContext(c)
	if msg.IsRequest() && c.Route != routetype.Request {
		m.logf(klog.Err, "ki_msg_set_buffer(): invalid usage - not in request route or a reply")
		return -1
	}
	if text == "" {
		m.logf(klog.Err, "ki_msg_update_buffer(): invalid buffer parameter")
		return -1
	}
	if len(text) >= maxBuf {
		m.logf(klog.Err, "ki_msg_update_buffer(): new buffer is too large (%d)", len(text))
		return -1
	}
	return m.updateBuffer(msg, text)
}

// updateBuffer makes text the message's text (Kamailio's
// sip_msg_update_buffer). A text that does not parse as a SIP message
// ends the script (0), as in Kamailio, and leaves the message as it was.
func (m *Module) updateBuffer(msg *sipmsg.Msg, text string) int {
	if text == "" {
		m.corelogf(klog.Err, "sip_msg_update_buffer(): invalid buffer parameter")
		return -1
	}
	if len(text) >= maxBuf {
		m.corelogf(klog.Err, "sip_msg_update_buffer(): new buffer is too large (%d)", len(text))
		return -1
	}
	nm, err := sipmsg.Parse(text)
	if err == nil && !sipmsg.MainHeadersParse(nm) {
		m.corelogf(klog.Err, "sip_msg_update_buffer(): parsing main headers of new sip message failed [[%s]]", text)
		return 0
	}
	if err != nil {
		m.corelogf(klog.Err, "sip_msg_update_buffer(): parsing new sip message failed [[%s]]", text)
		return 0
	}
	reparse(msg, nm)
	return 1
}

// reparse makes msg the freshly parsed nm while keeping what belongs to
// the event rather than to the text, as Kamailio's
// sip_msg_update_buffer keeps it: the message number, where it came from
// and on which socket, the forced socket, the destination URI, the path
// vector, the advertised address and the send flags. The destination set
// (the Request-URI's q and branch flags, the other branches) is not part
// of Kamailio's message and stays too. The changes are applied (no new
// Request-URI, no edits, no headers for local replies: Kamailio frees its
// reply lumps with the old message) and the location attributes that
// lookup sets (ruid, user agent, instance, reg-id, outbound connection)
// are cleared, as Kamailio's free_sip_msg clears them.
//
// It belongs with runtime/sipmsg's Parse (a Msg.Reparse there would let
// other modules rebuild a message the same way).
func reparse(msg, nm *sipmsg.Msg) {
	old := *msg
	*msg = *nm
	msg.ID = old.ID
	msg.Src, msg.Dst, msg.Proto = old.Src, old.Dst, old.Proto
	msg.Rcv, msg.ConnID = old.Rcv, old.ConnID
	msg.ForceSocket = old.ForceSocket
	msg.DstURI = old.DstURI
	msg.PathVec = old.PathVec
	msg.Send = old.Send
	msg.RuriQ, msg.RuriFlags, msg.Branches = old.RuriQ, old.RuriFlags, old.Branches
	msg.Out = old.Out
}
