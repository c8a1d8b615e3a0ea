package tm

import (
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// This file is tm's API for tmx (Kamailio's tm_binds): read-only views of
// the event's transaction and its branches, and the operations tmx's
// functions make on transactions (flag flushing, dropping, canceling and
// replying by Call-ID, resuming with a callback). Each takes the
// transaction's lock as tm's own functions do.

// View is what tmx reads of a transaction: its identity, its state and
// the branch the event works on.
type View struct {
	Index, Label uint32
	Invite       bool
	// Status is the last reply sent upstream, 0 before any.
	Status int
	// Outgoings is the number of branches made so far (Kamailio's
	// nr_of_outgoings).
	Outgoings int
	// Branch is the event's branch: the picked one in failure_route, the
	// replying one in onreply_route, the one being made in branch_route,
	// the failed one in event_route[tm:branch-failure]; -1 without one.
	Branch int
}

// BranchView is what tmx reads of one branch.
type BranchView struct {
	URI, Ruid, Path, Instance string
	Flags                     uint32
	// Last is the last reply code the branch received.
	Last int
	// Faked is set when the branch's final reply was made by tm (timeout,
	// cancel, a suspended request continued); Reply is then nil.
	Faked bool
	// Reply is the branch's final reply as received, parsed again from its
	// text (nil without one).
	Reply *sipmsg.Msg
}

// Current returns the event's transaction, as Kamailio's t_gett: the one
// the event made or found, or the one whose route runs.
func (m *Module) Current(c *event.Context) (View, bool) {
	s := cur(c)
	if s.x == nil {
		return View{}, false
	}
	return s.view(s.x), true
}

// Check is Kamailio's t_check: the event's transaction, looked up when the
// event has none yet (a request by the transaction matching rules, a
// reply by its branch). A transaction found for a request becomes the
// event's; one found for a reply in the core reply route does not.
func (m *Module) Check(c *event.Context) (View, bool) {
	s := cur(c)
	if s.x != nil {
		return s.view(s.x), true
	}
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		x, b, _ := m.lookupReply(msg)
		if x == nil {
			return View{}, false
		}
		took := s.lock(x)
		defer x.unlock(took)
		v := x.viewLocked()
		v.Branch = b
		return v, true
	}
	x, res := m.lookup(c)
	if res != matched || x == nil {
		return View{}, false
	}
	return s.view(x), true
}

// view reads x for the event s belongs to.
func (s *current) view(x *txn) View {
	took := s.lock(x)
	defer x.unlock(took)
	v := x.viewLocked()
	v.Branch = s.branch
	return v
}

// viewLocked reads x; x.mu must be held.
func (x *txn) viewLocked() View {
	return View{Index: x.index, Label: x.label, Invite: x.invite, Status: x.uas.status,
		Outgoings: len(x.branches), Branch: -1}
}

// Branch returns branch i of the event's transaction.
func (m *Module) Branch(c *event.Context, i int) (BranchView, bool) {
	s := cur(c)
	x := s.x
	if x == nil {
		return BranchView{}, false
	}
	took := s.lock(x)
	defer x.unlock(took)
	if i < 0 || i >= len(x.branches) {
		return BranchView{}, false
	}
	b := x.branches[i]
	v := BranchView{URI: b.uri, Ruid: b.ruid, Path: b.path, Instance: b.instance, Flags: b.flags,
		Last: b.last, Faked: b.faked}
	if b.reply != nil && !b.faked {
		v.Reply = reparsed(b.reply)
	}
	return v, true
}

// TxnRequest returns the request of the event's transaction as it was
// received, parsed again from its text (no change the script made shows),
// with where it came from (Kamailio's t->uas.request as tmx copies it for
// $T_req). For a reply in the core reply route the transaction is looked
// up by the reply's branch.
func (m *Module) TxnRequest(c *event.Context) (*sipmsg.Msg, bool) {
	s := cur(c)
	x := s.x
	if x == nil {
		msg := sipmsg.FromContext(c)
		if msg.IsRequest() {
			return nil, false
		}
		if x, _, _ = m.lookupReply(msg); x == nil {
			return nil, false
		}
	}
	took := s.lock(x)
	defer x.unlock(took)
	if x.reqMsg == nil || x.local {
		return nil, false
	}
	return reparsed(x.reqMsg), true
}

// InviteRequest returns, for a CANCEL, the INVITE request of the
// transaction it cancels, as TxnRequest returns it ($T_inv).
func (m *Module) InviteRequest(c *event.Context) (*sipmsg.Msg, bool) {
	msg := sipmsg.FromContext(c)
	if !isCancel(msg) {
		return nil, false
	}
	k, ok := cur(c).requestKeys(msg)
	if !ok {
		return nil, false
	}
	x := m.lookupInvite(k)
	if x == nil {
		return nil, false
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if x.reqMsg == nil {
		return nil, false
	}
	return reparsed(x.reqMsg), true
}

// reparsed parses msg's text again and keeps where it came from.
func reparsed(msg *sipmsg.Msg) *sipmsg.Msg {
	p, err := sipmsg.Parse(msg.Buf)
	if err != nil {
		return nil
	}
	p.Src, p.Dst, p.Proto, p.Rcv, p.ID, p.ConnID = msg.Src, msg.Dst, msg.Proto, msg.Rcv, msg.ID, msg.ConnID
	p.ForceSocket, p.Send = msg.ForceSocket, msg.Send
	return p
}

// FlushFlags is t_flush_flags: the transaction takes the event's flags
// now. False without a transaction.
func (m *Module) FlushFlags(c *event.Context) bool {
	s := cur(c)
	if s.x == nil {
		return false
	}
	took := s.lock(s.x)
	defer s.x.unlock(took)
	s.x.ctx.Flags = c.Flags
	return true
}

// Drop is tmx's t_drop: the transaction is taken as answered with code
// without sending anything (no reply goes upstream, retransmissions of
// the request get none) and released: its timers stop and it waits
// for its deletion. False without a transaction.
func (m *Module) Drop(c *event.Context, code int) bool {
	s := cur(c)
	x := s.x
	if x == nil {
		return false
	}
	took := s.lock(x)
	defer x.unlock(took)
	x.uas.status = code
	x.stopTimer(&x.uas.retr)
	for _, b := range x.branches {
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
	}
	x.putOnWait()
	return true
}

// Cancel modes of CancelBranches (t_cancel_branches' argument).
const (
	CancelAll    = 0 // every pending branch (but the replying one, for a final reply)
	CancelOthers = 1 // every pending branch but the replying one
	CancelThis   = 2 // the replying branch, for a provisional reply
)

// CancelBranches is tmx's t_cancel_branches, in onreply_route: the pending
// branches mode selects of the event's INVITE transaction are canceled.
// It reports whether any was.
func (m *Module) CancelBranches(c *event.Context, mode int) bool {
	s := cur(c)
	x := s.x
	if x == nil {
		return false
	}
	took := s.lock(x)
	defer x.unlock(took)
	if !x.invite {
		return false
	}
	idx := s.branch
	final := sipmsg.FromContext(c).Status >= 200
	var todo []*branch
	for _, b := range x.branches {
		skip := false
		switch mode {
		case CancelOthers:
			skip = b.idx == idx
		case CancelThis:
			skip = final || b.idx != idx
		default:
			skip = final && b.idx == idx
		}
		if !skip && b.last < 200 && !b.cancel.pending && !b.cancel.sent {
			todo = append(todo, b)
		}
	}
	for _, b := range todo {
		x.cancelScripted(c, b, "")
	}
	return len(todo) > 0
}

// CancelCallID is tmx's t_cancel_callid: the INVITE transaction with
// callID and CSeq number cseq has every pending branch canceled, the
// CANCELs carrying a Reason with cause when it is a reply code (100 to
// 699). flag, from 1 to 31, is set on the transaction's request first. -1
// when there is no such transaction.
func (m *Module) CancelCallID(c *event.Context, callID, cseq string, flag, cause int) int {
	x := m.anyInvite(c, callID, cseq)
	if x == nil {
		return -1
	}
	if cause < 100 || cause > 699 {
		cause = 0
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if flag > 0 && flag < 32 {
		x.ctx.Flags |= 1 << flag
	}
	reason := ""
	if m.conf().localCancelReason != 0 {
		text := ""
		if cause == 200 {
			text = "Call completed elsewhere"
		}
		reason = reasonLine(cause, text)
	}
	var todo []*branch
	for _, b := range x.branches {
		if b.last < 200 && !b.cancel.pending && !b.cancel.sent {
			todo = append(todo, b)
		}
	}
	for _, b := range todo {
		x.cancelScripted(c, b, reason)
	}
	return 1
}

// cancelScripted cancels one branch as Kamailio's cancel_uacs does with no
// flags: a branch with a provisional reply gets a CANCEL now; one without
// stops being retransmitted and gets its CANCEL with its first
// provisional reply (or times out); a blind branch (a suspended request)
// ends with a local 487. x.mu must be held.
func (x *txn) cancelScripted(c *event.Context, b *branch, reason string) {
	if b.isBlind() {
		b.cancel.pending = true
		x.stopTimer(&b.fr)
		x.fakeReply(c, b, 487)
		return
	}
	b.cancel.buf = x.buildHopRequest(b, "CANCEL", headerLine(x.request(), "to"), reason)
	x.stopTimer(&b.retr)
	if b.last >= 100 {
		x.sendCancel(c, b)
		return
	}
	b.cancel.pending = true
}

// ReplyCallID is tmx's t_reply_callid: the INVITE transaction with callID
// and CSeq number cseq is answered with code and reason. -1 when there is
// no such transaction or the reply could not be sent.
func (m *Module) ReplyCallID(c *event.Context, callID, cseq string, code int, reason string) int {
	x := m.byCallID(callID, cseq)
	if x == nil {
		return -1
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if x.replyLocal(c, x.request(), code, reason, "", "") > 0 {
		return 1
	}
	return -1
}

// byCallID finds the INVITE transaction of a Call-ID and CSeq number, as
// Kamailio's t_lookup_callid compares them (exactly).
func (m *Module) byCallID(callID, cseq string) *txn {
	for _, x := range m.table.list(hashOf(callID, cseq), false, nil) {
		if x.keys.callID == callID && x.keys.cseqNum == cseq && x.keys.method == "INVITE" {
			return x
		}
	}
	return nil
}

// anyInvite is byCallID, then localInvite: Kamailio's t_lookup_callid
// compares the Call-ID and CSeq every transaction was created with, the
// INVITEs tm sent itself (t_uac_send, tm.t_uac_start) included.
func (m *Module) anyInvite(c *event.Context, callID, cseq string) *txn {
	if x := m.byCallID(callID, cseq); x != nil {
		return x
	}
	return m.localInvite(c, callID, cseq)
}

// runFuncInTxn is runInTxn for a function: run gets the transaction's
// event with msg as its message, as route type rt.
func (x *txn) runFuncInTxn(c *event.Context, run func(ctx *event.Context), rt routetype.Mask, msg *sipmsg.Msg, branch int) {
	ctx := x.ctx
	ctx.Resume(c.Worker)
	if ctx.Log == nil {
		ctx.Log = c.Log
	}
	sipmsg.Set(ctx, msg)
	ctx.Set(curKey, &current{x: x, branch: branch, locked: true, lookedUp: true})
	ctx.Dropped = false
	ctx.Route = rt
	run(ctx)
	ctx.Detach()
	sipmsg.Set(ctx, x.request())
	ctx.Set(curKey, &current{x: x, branch: -1, lookedUp: true})
}

// Stats are the counts tmx's statistics read (Kamailio's t_proc_stats).
type Stats struct {
	// Created counts the transactions made; Deleted the ones freed;
	// Waiting the live ones in their wait state. Local counts, over the
	// process's life, the transactions tm started itself (Created
	// includes them).
	Created, Deleted, Waiting, Local uint64
	// Completed counts the final replies sent upstream by class: [2] is
	// 2xx ... [6] is 6xx.
	Completed [7]uint64
	// Received counts the replies matched to a transaction; Relayed those
	// relayed upstream; Generated the replies tm made (t_reply, errors,
	// timeouts).
	Received, Relayed, Generated uint64
}

// Stats returns tm's counts now.
func (m *Module) Stats() Stats {
	st := &m.stats
	s := Stats{Created: st.created.Load(), Deleted: st.deleted.Load(), Local: st.local.Load(),
		Received: st.repliesReceived.Load(), Relayed: st.relayedReplies.Load(), Generated: st.generated.Load()}
	for i := 2; i <= 6; i++ {
		s.Completed[i] = st.byClass[i].Load()
	}
	for _, x := range m.table.list(0, true, nil) {
		x.mu.Lock()
		if x.wait.running() {
			s.Waiting++
		}
		x.mu.Unlock()
	}
	return s
}

// IsFaked reports whether msg is the request Kamailio fakes for events
// that do not come from SIP (t_suspend refuses it).
func IsFaked(msg *sipmsg.Msg) bool {
	return msg.Rcv == nil && strings.HasPrefix(msg.Buf, "OPTIONS sip:you@kamailio.org ")
}
