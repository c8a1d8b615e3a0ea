package tm

import (
	"errors"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

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
	nm, err := sipmsg.ParseUpdate(msg.Build())
	if err != nil {
		m.log.Logf(klog.Err, "core", "%s", err)
		if !errors.Is(err, sipmsg.ErrBufTooLarge) {
			m.log.Log(klog.Err, Name, "w_t_msg_apply_changes(): parse_headers failed")
		}
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
// parsed nm as sipmsg's Reparse does, but keeps the location attributes
// tm records for the branch: Kamailio takes those from the destination
// set, not from the message.
func reparseBranch(msg, nm *sipmsg.Msg) {
	ruid, ua, instance, regID, otcp := msg.Ruid, msg.LocationUA, msg.Instance, msg.RegID, msg.OTcpID
	msg.Reparse(nm)
	msg.Ruid, msg.LocationUA, msg.Instance, msg.RegID, msg.OTcpID = ruid, ua, instance, regID, otcp
}
