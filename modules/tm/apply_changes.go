package tm

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// maxMsgBuf is Kamailio's BUF_SIZE: a rebuilt message must be shorter.
const maxMsgBuf = 65535

// wMsgApplyChanges is t_msg_apply_changes (Kamailio 6.1, branch_route):
// the branch's copy of the request rebuilt with its changes (new
// Request-URI, added and removed headers, body) and parsed again, so that
// the rest of the branch route reads them; the transaction's request is
// not touched. Kamailio allows it only with the core parameter
// msg_apply_changes_mode = 1 (or the request's MSG_APPLY_CHANGES flag,
// which kamgo's corex does not set).
func (m *Module) wMsgApplyChanges(c *event.Context) int {
	if c.Route != routetype.Branch {
		m.log.Log(klog.Err, Name, "w_t_msg_apply_changes(): the function must be used in a branch route")
		return -1
	}
	if !m.applyChangesMode() {
		m.log.Log(klog.Err, Name, "w_t_msg_apply_changes(): the function cannot be used")
		return -1
	}
	if T(c) == nil {
		return 1
	}
	msg := sipmsg.FromContext(c)
	if msg == nil || !msg.IsRequest() {
		return -1
	}
	text := msg.Build()
	if len(text) >= maxMsgBuf {
		m.log.Logf(klog.Err, "core", "sip_msg_update_buffer(): new buffer is too large (%d)", len(text))
		return sip.ErrBadReq
	}
	nm, err := sipmsg.Parse(text)
	if err != nil {
		m.log.Logf(klog.Err, "core", "sip_msg_update_buffer(): parsing new sip message failed [[%s]]", text)
		m.log.Log(klog.Err, Name, "w_t_msg_apply_changes(): parse_headers failed")
		return sip.ErrBadReq
	}
	if !sipmsg.MainHeadersParse(nm) {
		m.log.Logf(klog.Err, "core", "sip_msg_update_buffer(): parsing main headers of new sip message failed [[%s]]", text)
		m.log.Log(klog.Err, Name, "w_t_msg_apply_changes(): parse_headers failed")
		return sip.ErrBadReq
	}
	reparseBranch(msg, nm)
	return 1
}

// applyChangesMode reports whether the core parameter
// msg_apply_changes_mode is 1, the only value Kamailio acts on.
func (m *Module) applyChangesMode() bool {
	if m.host == nil {
		return false
	}
	v, ok := m.host.CoreParam("msg_apply_changes_mode")
	return ok && v.K == value.Int && v.I == 1
}

// reparseBranch makes msg, a branch's copy of the request, the freshly
// parsed nm while keeping what is not in the text: where the request came
// from, the branch's destination, path, socket and send flags (Kamailio's
// sip_msg_update_buffer keeps them), and the location attributes tm
// records for the branch (Kamailio takes those from the destination set,
// not from the message). The changes are in the text now: no new
// Request-URI and no edits remain.
func reparseBranch(msg, nm *sipmsg.Msg) {
	old := *msg
	*msg = *nm
	msg.ID = old.ID
	msg.Src, msg.Dst, msg.Proto = old.Src, old.Dst, old.Proto
	msg.Rcv, msg.ConnID = old.Rcv, old.ConnID
	msg.ForceSocket = old.ForceSocket
	msg.DstURI, msg.PathVec = old.DstURI, old.PathVec
	msg.Send = old.Send
	msg.RuriQ, msg.RuriFlags, msg.Branches = old.RuriQ, old.RuriFlags, old.Branches
	msg.Ruid, msg.LocationUA, msg.Instance = old.Ruid, old.LocationUA, old.Instance
	msg.RegID, msg.OTcpID = old.RegID, old.OTcpID
	msg.Out = old.Out
}
