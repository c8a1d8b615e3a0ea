package tm

import (
	"errors"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Ident returns the index and label of the event's transaction
// ($T(id_index), $T(id_label)); ok is false without one.
func (m *Module) Ident(c *event.Context) (index, label uint32, ok bool) {
	x := T(c)
	if x == nil {
		return 0, 0, false
	}
	return x.index, x.label, true
}

// NewTran is t_newtran for other modules: 1 a new transaction (or the
// event's), 0 a retransmission absorbed, <0 an error.
func (m *Module) NewTran(c *event.Context) int {
	rc := m.newtran(c)
	if rc == sip.ErrScript {
		return 1
	}
	return rc
}

// Suspend is Kamailio's t_suspend: the event's transaction stops waiting
// for the script; a blind branch stands for whoever will continue it, and
// its final response timer (fr_timer) answers the request when nobody
// does. An INVITE gets its 100 first. It returns 0 when suspended, 1 when
// the transaction was canceled already, -3 when it has its final reply,
// -1 without a transaction.
func (m *Module) Suspend(c *event.Context) int { return m.suspend(c, false) }

// suspend is Suspend; fresh says the transaction was made from the event
// just now, so its copy of the request and of the event is current.
func (m *Module) suspend(c *event.Context, fresh bool) int {
	s := cur(c)
	x := s.x
	if x == nil {
		m.log.Log(klog.Err, Name, "t_suspend(): transaction has not been created yet")
		return -1
	}
	took := s.lock(x)
	defer x.unlock(took)
	if x.flags&flagCanceled != 0 {
		return 1
	}
	if x.uas.status >= 200 {
		return -3
	}
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		// A reply suspended in onreply_route: the branch waits.
		x.suspended = true
		x.suspendedReply = s.branch
		x.suspendRoute = c.Route
		return 0
	}
	if isMethod(msg, "INVITE") && x.flags&flagAutoInv100 != 0 && x.uas.status < 100 {
		x.replyLocal(c, msg, 100, m.conf().autoInv100Reason, "", "")
	}
	if len(x.branches) == 0 {
		if !fresh {
			x.snapshot(c, msg)
		}
	} else {
		x.ctx.CopyData(c, sipmsgSlots()...)
	}
	x.ctx.Flags = c.Flags
	b := &branch{idx: len(x.branches), onFailure: x.onFailure, onReply: x.onReply}
	x.branches = append(x.branches, b)
	x.blind = b.idx
	x.flags |= flagNoisyCTimer
	x.start(&b.fr, x.frTimeout, workBranchTimeout, b)
	x.suspended = true
	x.suspendRoute = c.Route
	return 0
}

// errNoTransaction and errSuspend are SuspendRequest's failures.
var (
	errNoTransaction = errors.New("cannot create the transaction")
	errSuspend       = errors.New("failed to suspend request processing")
)

// SuspendRequest implements evapi's Suspender: the transaction of the
// request is created when it has none, then suspended.
func (m *Module) SuspendRequest(c *event.Context) error {
	fresh := false
	if T(c) == nil {
		rc := m.newtran(c)
		if rc < 0 && rc != sip.ErrScript {
			return errNoTransaction
		}
		if T(c) == nil {
			return errNoTransaction
		}
		fresh = rc == newtranNew
	}
	if m.suspend(c, fresh) < 0 {
		return errSuspend
	}
	return nil
}

// Continue is Kamailio's t_continue: the suspended transaction index:label
// runs route[name] on the worker of c, with the request as it was
// suspended (as a failure route: it may t_relay, t_reply ...), its AVPs,
// XAVPs and flags, and the worker's $var. When the route neither replied
// nor left a branch pending, the request gets an error reply. A
// transaction already in its wait state (answered) is not found, as the
// script's t_continue skips those. It returns 1 when the route ran, 1
// also for a canceled transaction (nothing runs), -1 when there is no such
// transaction and -2 when it is not suspended.
func (m *Module) Continue(c *event.Context, index, label uint32, route string) int {
	return m.resume(c, index, label, true, route, nil)
}

// ContinueFunc is Continue with a function instead of a route (KEMI's
// t_continue, whose callback is a function of the script engine): run is
// called with the transaction's event as route[name] would run. As
// Kamailio's t_continue_cb, it also finds a transaction in its wait state.
func (m *Module) ContinueFunc(c *event.Context, index, label uint32, run func(ctx *event.Context)) int {
	return m.resume(c, index, label, false, "", run)
}

// resume is the body of Continue and ContinueFunc: it runs route[route],
// or fn when not nil, for the transaction.
func (m *Module) resume(c *event.Context, index, label uint32, skipWaiting bool, route string, fn func(ctx *event.Context)) int {
	// Made here, where it does not escape, rather than by the callers: a
	// closure passed in would be allocated for every t_continue.
	run := func(x *txn, rt routetype.Mask, msg *sipmsg.Msg, branch int) {
		if fn != nil {
			x.runFuncInTxn(c, fn, rt, msg, branch)
			return
		}
		x.runInTxn(c, event.Target{Kind: ast.Named, Name: route}, rt, msg, branch)
	}
	x := m.table.byIdent(index, label)
	if x == nil {
		m.log.Log(klog.Warn, Name, "t_continue_helper(): active transaction not found")
		return -1
	}
	took := lockFor(c, x)
	defer x.unlock(took)
	defer func() {
		if took {
			x.settle()
		}
	}()
	if skipWaiting && x.wait.running() {
		m.log.Log(klog.Warn, Name, "t_continue_helper(): active transaction not found")
		return -1
	}
	if !x.suspended {
		m.log.Logf(klog.Warn, Name, "t_continue_helper(): transaction is not suspended [%d:%d]", index, label)
		return -2
	}
	x.suspended = false
	if x.flags&flagCanceled != 0 {
		return 1
	}
	if x.suspendedReply >= 0 && x.suspendRoute&routetype.OnReply != 0 {
		bi := x.suspendedReply
		x.suspendedReply = -1
		if bi >= len(x.branches) || x.branches[bi].suspendedMsg == nil {
			m.log.Log(klog.Warn, Name, "t_continue_helper(): no reply in t_continue for branch. not much we can do")
			return 0
		}
		b := x.branches[bi]
		rpl := b.suspendedMsg
		b.suspendedMsg = nil
		run(x, routetype.OnReply, rpl, bi)
		x.relayReply(c, b, rpl, rpl.Status)
		return 1
	}
	x.continuing = true
	defer func() { x.continuing = false }()
	var blind *branch
	if x.blind >= 0 {
		blind = x.branches[x.blind]
		x.stopTimer(&blind.fr)
		if blind.last != 0 {
			return 1
		}
		blind.last, blind.faked, blind.kept = 500, true, keptFaked
	}
	run(x, routetype.Failure, x.fakedRequest(blind), -1)
	if x.uas.status < 200 {
		for _, b := range x.branches {
			if b.pending() {
				return 1
			}
		}
		e := x.lastError
		if e == 0 {
			e = sip.ErrUnspec
		}
		if x.killTransaction(c, e) <= 0 {
			m.log.Log(klog.Err, Name, "t_continue_helper(): reply generation failed")
			x.release()
		}
	}
	return 1
}

// ReplyInTransaction implements sl's Replier: send_reply answers through
// the transaction when the request has one.
func (m *Module) ReplyInTransaction(c *event.Context, code int, reason string) (int, bool) {
	s := cur(c)
	if s.x == nil {
		if _, res := m.lookup(c); res != matched {
			return 0, false
		}
	}
	return m.tReply(c, code, reason, "", ""), true
}

// ToTag implements sl's Replier: the to-tag of the transaction's local
// replies.
func (m *Module) ToTag(c *event.Context) (string, bool) {
	x := T(c)
	if x == nil {
		return "", false
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if x.uas.toTag == "" {
		req := x.request()
		if tag := x.reqToTag(nil, req); tag != "" {
			return tag, true
		}
		return m.tags.Tag(x.first(), req), true
	}
	return x.uas.toTag, true
}
