package tm

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Reply reasons of tm's CANCEL handling, Kamailio's words.
const (
	reasonCanceled  = "Request canceled"
	reasonCanceling = "canceling"
	reasonCancelled = "ok -- no more pending branches"
)

// cancelMode is how a branch with no reply yet is canceled: cancel_b_method
// 0 (fake a 487 now), 1 (keep retransmitting; CANCEL on the first
// provisional reply) or 2 (send a CANCEL at once).
type cancelMode int

const (
	cancelFakeReply cancelMode = iota
	cancelRetr
	cancelForce
)

// cancelable reports whether branch b can be canceled: sent, not yet
// final, and not canceled before.
func (b *branch) cancelable() bool {
	return !b.isBlind() && b.last < 200 && !b.cancel.pending && !b.cancel.sent
}

// cancelBranches cancels the pending branches of an INVITE transaction
// whose outcome is decided by a final reply with code: a 2xx or 6xx
// received (byMethod: cancel_b_method decides what unreplied branches
// get), or a final reply sent (the branches are killed: only those with a
// provisional reply get a CANCEL).
func (x *txn) cancelBranches(c *event.Context, code int, byMethod bool) {
	reason, made := "", false
	for _, b := range x.branches {
		if !b.cancelable() {
			continue
		}
		// made once, and only when there is a branch to cancel
		if !made && x.m.conf().localCancelReason != 0 {
			text := ""
			if code == 200 {
				text = "Call completed elsewhere"
			}
			reason, made = reasonLine(code, text), true
		}
		if byMethod {
			x.cancelBranch(c, b, reason, cancelMode(x.m.conf().cancelBMethod))
		} else {
			x.killBranch(c, b, reason)
		}
	}
}

// killBranch stops a branch for good: its timers stop; a CANCEL goes only
// where a provisional reply came.
func (x *txn) killBranch(c *event.Context, b *branch, reason string) {
	x.stopTimer(&b.retr)
	x.stopTimer(&b.fr)
	if b.last < 100 {
		return
	}
	b.cancel.buf = x.buildHopRequest(b, "CANCEL", headerLine(x.request(), "to"), reason)
	x.sendCancel(c, b)
}

// cancelBranch cancels one branch as cancel_b_method says: a branch with a
// provisional reply gets a CANCEL now; one without gets a CANCEL now
// (cancelForce), on its first provisional reply (cancelRetr), or a faked
// 487 (cancelFakeReply, and always for a branch never sent).
func (x *txn) cancelBranch(c *event.Context, b *branch, reason string, mode cancelMode) {
	b.cancel.buf = x.buildHopRequest(b, "CANCEL", headerLine(x.request(), "to"), reason)
	if b.last >= 100 || mode == cancelForce {
		x.stopTimer(&b.retr)
		x.sendCancel(c, b)
		return
	}
	b.cancel.pending = true
	if mode == cancelRetr {
		return
	}
	x.stopTimer(&b.retr)
	x.stopTimer(&b.fr)
	if mode == cancelFakeReply {
		x.fakeReply(c, b, 487)
	}
}

// sendCancel sends the branch's CANCEL and retransmits it over UDP until
// a reply comes, for at most fr_timer.
func (x *txn) sendCancel(c *event.Context, b *branch) {
	b.cancel.pending, b.cancel.sent = false, true
	if x.m.conf().evlreqMode&evlreqCancel != 0 {
		x.hopRequestEvent(c, b, b.cancel.buf)
	}
	if err := x.tr.Send(b.hop, b.cancel.buf); err != nil {
		x.logf(klog.Err, "cancel_branch(): sending the CANCEL failed: %v", err)
	}
	if !b.hop.Reliable() {
		b.cancel.retrWait = x.retrT1
		x.start(&b.cancel.retr, b.cancel.retrWait, workRetransmitCancel, b)
	}
	x.start(&b.cancel.fr, x.frTimeout, workCancelTimeout, b)
}

// retransmitCancel sends the branch's CANCEL again, the interval doubling
// up to T2.
func (x *txn) retransmitCancel(b *branch) {
	_ = x.tr.Send(b.hop, b.cancel.buf)
	b.cancel.retrWait = min(2*b.cancel.retrWait, x.retrT2)
	x.start(&b.cancel.retr, b.cancel.retrWait, workRetransmitCancel, b)
}

// forwardCancel is t_relay for a CANCEL (Kamailio's t_forward_cancel):
// with unmatched_cancel 0 (the default) the CANCEL gets its own
// transaction; when it cancels an INVITE transaction kamgo has, it is
// answered here and the INVITE's branches are canceled (e2e_cancel), else
// it is relayed like any request. With 1 an unmatched CANCEL is relayed
// statelessly, with 2 dropped.
func (m *Module) forwardCancel(c *event.Context, msg *sipmsg.Msg, o relayOpts) int {
	k, ok := cur(c).requestKeys(msg)
	if !ok {
		return sip.ErrBadTuple
	}
	inv := m.lookupInvite(k)
	if inv == nil && m.conf().unmatchedCancel != 0 {
		if m.conf().unmatchedCancel == 2 {
			return 1
		}
		d, err := o.destFor(msg)
		if err == nil {
			if m.conf().headersMode&headersCancelFwdUAC != 0 {
				err = sip.From(c).ForwardUAC(c, msg, d)
			} else {
				err = sip.From(c).Forward(c, msg, d)
			}
		}
		if err != nil {
			return sip.Code(err)
		}
		return 1
	}
	rc := m.newtran(c)
	if rc <= 0 && rc != sip.ErrScript {
		if rc == 0 {
			return 1
		}
		return rc
	}
	x := T(c)
	if inv == nil {
		took := cur(c).lock(x)
		defer x.unlock(took)
		if r := x.forward(c, msg, o); r <= 0 {
			if x.killTransaction(c, x.lastError) <= 0 {
				x.release()
			}
			return -1
		}
		return 1
	}
	m.e2eCancel(c, msg, x, inv)
	return 1
}

// e2eCancel cancels the INVITE transaction inv for the CANCEL of c, whose
// transaction is x (Kamailio's e2e_cancel): inv is marked canceled; with
// no branch to cancel it is answered 487 at once; else every pending
// branch is canceled (cancel_b_method), the CANCELs carrying the Reason
// headers of the received one (e2e_cancel_reason); the CANCEL is answered
// 200.
func (m *Module) e2eCancel(c *event.Context, msg *sipmsg.Msg, x, inv *txn) {
	inv.mu.Lock()
	inv.flags |= flagCanceled
	var todo []*branch
	for _, b := range inv.branches {
		if b.cancelable() {
			todo = append(todo, b)
		}
	}
	if len(todo) == 0 {
		if inv.uas.status < 200 {
			inv.replyLocal(c, inv.request(), 487, reasonCanceled, "", "")
		}
		inv.mu.Unlock()
		m.replyCancel(c, x, msg, reasonCancelled)
		return
	}
	reason := ""
	if m.conf().e2eCancelReason != 0 && inv.flags&flagNoE2ECancelReason == 0 {
		for _, h := range msg.Headers {
			if h.Is("reason") {
				reason += msg.Buf[h.Start:h.End]
			}
		}
	}
	inv.cancelReason = reason
	if m.conf().headersMode&headersCancelCopy != 0 {
		reason += copiedCancelHeaders(msg)
	}
	for _, b := range todo {
		inv.cancelBranch(c, b, reason, cancelMode(m.conf().cancelBMethod))
	}
	inv.mu.Unlock()
	m.replyCancel(c, x, msg, reasonCanceling)
}

// copiedCancelHeaders are the header lines of the received CANCEL that
// headers_mode 1 adds to each CANCEL tm sends for it, after the Reason
// lines: all but those the CANCEL is built with or that belong to one hop
// (Via, From, To, Call-ID, CSeq, Route, Max-Forwards, Require,
// Proxy-Require, Content-Length) and Reason, which e2e_cancel_reason
// governs.
func copiedCancelHeaders(msg *sipmsg.Msg) string {
	var sb strings.Builder
	for _, h := range msg.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "to", "call-id", "cseq", "route", "max-forwards",
			"require", "proxy-require", "content-length", "reason":
		default:
			sb.WriteString(msg.Buf[h.Start:h.End])
		}
	}
	return sb.String()
}

// replyCancel answers the CANCEL with 200.
func (m *Module) replyCancel(c *event.Context, x *txn, msg *sipmsg.Msg, reason string) {
	took := cur(c).lock(x)
	defer x.unlock(took)
	x.replyLocal(c, msg, 200, reason, "", "")
}

// isCancel reports whether the message is a CANCEL.
func isCancel(m *sipmsg.Msg) bool { return strings.EqualFold(m.Method, "CANCEL") }
