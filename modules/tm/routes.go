package tm

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// fakedRequest is the message failure routes and t_continue run with, as
// Kamailio's fake_req: a copy of the transaction's request, with the
// branch flags of the branch b (nil: none) and no destination set.
func (x *txn) fakedRequest(b *branch) *sipmsg.Msg {
	req := x.request()
	cp := *req
	cp.Branches = nil
	cp.Edits = append([]sipmsg.Edit(nil), req.Edits...)
	if b != nil {
		cp.RuriFlags = b.flags
	}
	return &cp
}

// runInTxn runs the block t on the transaction's own event (its AVPs,
// XAVPs and flags) with msg as its message, on the worker of c, as route
// type rt, with the transaction's lock held by the caller. It returns the
// route's return code; the event is detached again afterwards.
func (x *txn) runInTxn(c *event.Context, t event.Target, rt routetype.Mask, msg *sipmsg.Msg, branch int) int {
	ctx := x.ctx
	ctx.Resume(c.Worker)
	if ctx.Log == nil {
		ctx.Log = c.Log
	}
	sipmsg.Set(ctx, msg)
	// The state at rest a previous route of x left is reused (nothing
	// keeps it beyond its route, below); another (the request's event's
	// own, which the snapshot shares) is left alone.
	s, ok := ctx.Get(curKey).(*current)
	if !ok || !s.atRest || s.x != x {
		s = &current{}
	}
	*s = current{x: x, branch: branch, locked: true, lookedUp: true}
	ctx.Set(curKey, s)
	ctx.Dropped = false
	t.Type = rt
	rc, _ := x.m.host.Run(ctx, t)
	ctx.Detach()
	sipmsg.Set(ctx, x.request())
	// The route's state becomes the event's state at rest; nothing keeps
	// it beyond the route.
	*s = current{x: x, branch: -1, lookedUp: true, atRest: true}
	ctx.Set(curKey, s)
	return rc
}

// runFailure runs the failure_route of the picked branch (Kamailio's
// run_failure_handlers), with the faked request; the route may reply
// (t_reply) or start new branches (t_relay). The route must be set again
// for the branches it starts.
func (x *txn) runFailure(c *event.Context, picked int) {
	b := x.branches[picked]
	name := b.onFailure
	if name == "" || c == nil || c.Worker == nil {
		return
	}
	x.onFailure = ""
	x.dropReplies = int(x.m.conf().failureReplyMode)
	x.flags |= flagInFailure
	req := x.fakedRequest(b)
	x.consumeRURI(req)
	x.runInTxn(c, event.Target{Kind: ast.Failure, Name: name}, routetype.Failure, req, picked)
	x.flags &^= flagInFailure
}

// runBranchFailure runs event_route[tm:branch-failure:NAME] for a branch
// that got a negative final reply, when t_on_branch_failure named one.
func (x *txn) runBranchFailure(c *event.Context, b *branch) {
	if c == nil || c.Worker == nil || x.m.host == nil {
		return
	}
	t := event.Event(EventBranchFailure + ":" + b.onBranchFailure)
	if !x.m.host.Has(t) {
		return
	}
	req := x.fakedRequest(b)
	x.consumeRURI(req)
	x.runInTxn(c, t, routetype.BranchFailure, req, b.idx)
}

// consumeRURI marks the Request-URI of req, the request a failure route
// runs with, as used for forking, as Kamailio's faked_env does: only a
// rewrite there makes a t_relay send to it again; appended branches go.
func (x *txn) consumeRURI(req *sipmsg.Msg) {
	x.ctx.Set(forkKey, &forkState{consumedURI: req.RequestURI()})
}

// branchTimeout is the final response timer of a branch running out
// (Kamailio's final_response_handler): the branch gets a local 408, as if
// the next hop had sent it.
func (x *txn) branchTimeout(c *event.Context, b *branch) {
	x.stopTimer(&b.retr)
	if !b.pending() {
		return
	}
	if x.silentTimeout(b) {
		x.putOnWait()
		return
	}
	b.timedOut = true
	x.m.stats.timeouts.Add(1)
	// A branch that got a provisional reply is still ringing there: after
	// its 408 has gone through the reply logic it gets a CANCEL (with no
	// Reason), as Kamailio's fake_reply sends one.
	cancel := x.invite && !b.isBlind() && b.last >= 100 && !b.cancel.sent && !b.cancel.pending
	x.fakeReply(c, b, x.m.timeoutCode())
	if cancel && !x.gone {
		b.cancel.buf = x.buildHopRequest(b, "CANCEL", headerLine(x.request(), "to"), "")
		x.sendCancel(c, b)
	}
}

// silentTimeout reports whether a timed-out branch ends the transaction
// without any reply, as Kamailio's final_response_handler decides with
// noisy_ctimer 0: an INVITE proxied on one branch that never got a reply,
// with no failure route or failure callback that could fork further, and
// no blind branch (t_suspend) waiting for an answer.
func (x *txn) silentTimeout(b *branch) bool {
	return x.m.conf().noisyCTimer == 0 && x.flags&flagNoisyCTimer == 0 && !x.local && x.invite &&
		len(x.branches) == 1 && x.onFailure == "" && !x.has(OnFailure) && b.last == 0
}

// timeoutPending gives every pending branch its timeout reply (the
// transaction's lifetime ran out).
func (m *Module) timeoutPending(c *event.Context, x *txn) {
	for _, b := range x.branches {
		if b.pending() {
			x.stopTimer(&b.retr)
			x.stopTimer(&b.fr)
			b.timedOut = true
			x.fakeReply(c, b, m.timeoutCode())
		}
	}
}

// fakeReply processes a reply kamgo makes for a branch (408 on timeout,
// 487 for a branch canceled before any reply) through the relaying rules.
func (x *txn) fakeReply(c *event.Context, b *branch, code int) {
	if x.local {
		x.localReply(c, b, nil, code)
		return
	}
	relay, completed := x.shouldRelay(c, b, nil, code, true)
	if relay >= 0 {
		x.sendRelayed(c, relay, b, nil, code, completed)
	} else if completed {
		x.putOnWait()
	}
}

// logf is a shorthand for the module's log lines.
func (x *txn) logf(lv klog.Level, format string, args ...any) {
	x.m.log.Logf(lv, Name, format, args...)
}
