package tm

import (
	"sync"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// This file is tm's callback API for other modules (Kamailio's
// register_tmcb): a module watches the creation of every transaction
// (OnRequestIn) and, per transaction, the replies that go upstream, the
// picking of a negative reply and the ACKs of relayed 2xx replies
// (Txn.Register). tm calls the callbacks where Kamailio runs the matching
// TMCB_* hooks, with the transaction's lock held: a callback must not call
// tm's functions that take it (the script functions on the transaction of
// Event.Ctx are safe: the context says the lock is held).

// CallbackType is a set of transaction events (Kamailio's TMCB_* bits).
type CallbackType uint32

// The events tm reports.
const (
	// RequestIn is a transaction created for a request (TMCB_REQUEST_IN);
	// modules register for it with OnRequestIn.
	RequestIn CallbackType = 1 << iota
	// ResponseOut is a reply sent upstream: every relayed one, provisional
	// replies included, and every final reply tm makes itself
	// (TMCB_RESPONSE_OUT). A 2xx to an INVITE that repeats a to-tag already
	// relayed is not reported again.
	ResponseOut
	// OnFailure is the best negative reply picked once every branch has a
	// final one, before failure_route runs (TMCB_ON_FAILURE); it is
	// reported whether or not a failure_route is set.
	OnFailure
	// E2EAckIn is the first ACK for a 2xx reply tm relayed, per to-tag
	// (TMCB_E2EACK_IN). A transaction is looked up for such ACKs only when
	// it has registered for E2EAckIn.
	E2EAckIn
	// ResponseIn is a reply received for one of the transaction's
	// branches, before tm processes it (TMCB_RESPONSE_IN): provisional
	// and final, retransmissions included.
	ResponseIn
	// LocalCompleted is the final reply of a transaction kamgo started
	// itself (SendNew, SendWithin): received, or made by tm on a timeout
	// (Reply nil, TMCB_LOCAL_COMPLETED). A 2xx to an INVITE is reported
	// once per to-tag.
	LocalCompleted
	// ResponseReady is a reply about to be sent upstream
	// (TMCB_RESPONSE_READY): every relayed one and every final reply tm
	// makes itself, before it leaves, so that what a callback changes is
	// in place when the next message of the transaction comes. A 2xx to
	// an INVITE that repeats a to-tag already relayed is not reported
	// again.
	ResponseReady
)

// Callback is a function tm calls for an event.
type Callback func(e *Event)

// Event is what a callback gets.
type Event struct {
	Type CallbackType
	// Txn is the transaction.
	Txn *Txn
	// Ctx is the event context the callback works in: for RequestIn and
	// E2EAckIn the event of the received request (the ACK's for
	// E2EAckIn); for ResponseOut and OnFailure a context holding the
	// transaction's AVPs, XAVPs and flags, whose flag changes the
	// transaction keeps. That context runs as a failure route for
	// OnFailure and as a request route for ResponseOut, the route types
	// Kamailio's callbacks see (pseudo-variables such as $T_reply_code
	// depend on it).
	Ctx *event.Context
	// Req is the request: the received one for RequestIn; a copy of the
	// transaction's request for ResponseOut and OnFailure (Ctx's message);
	// the ACK for E2EAckIn.
	Req *sipmsg.Msg
	// Reply is the reply as received; nil when tm made it (Kamailio's
	// FAKED_REPLY) and for E2EAckIn.
	Reply *sipmsg.Msg
	// Code is the reply's status code (for E2EAckIn the status the
	// transaction sent upstream).
	Code int
	// Buf is the reply's text as sent upstream (ResponseOut).
	Buf string
	// Branch is the branch whose reply the event is about: the relayed
	// branch for ResponseOut (-2 for a reply tm made), the picked one for
	// OnFailure, -1 otherwise.
	Branch int
}

// Txn is a transaction as callbacks see it. Its methods may be called only
// from a callback (tm holds the transaction's lock then), except Register,
// which may be called at any time.
type Txn struct{ x *txn }

// txnCallbacks are a transaction's registered callbacks and the to-tags
// of the 2xx replies it relayed (Kamailio's fwded_totags), each with
// whether an ACK was seen for it.
type txnCallbacks struct {
	mu    sync.Mutex
	types CallbackType
	// vb0 are the via-body flags of branch 0 set before the branch
	// exists (vbflags.go; under the transaction's lock): here, where
	// they fill the padding after types.
	vb0    uint32
	list   []txnCallback
	totags map[string]bool
	picked int // the branch last picked for OnFailure, -1 none
}

type txnCallback struct {
	types CallbackType
	fn    Callback
}

// moduleCallbacks are the RequestIn callbacks of the module.
type moduleCallbacks struct {
	mu        sync.Mutex
	requestIn []Callback
}

// OnRequestIn registers fn for every transaction tm creates from now on
// (Kamailio's register_tmcb with TMCB_REQUEST_IN and no transaction).
// Modules call it from Provision.
func (m *Module) OnRequestIn(fn Callback) {
	m.cbs.mu.Lock()
	m.cbs.requestIn = append(m.cbs.requestIn, fn)
	m.cbs.mu.Unlock()
}

// CurrentTxn returns the transaction of the event c (the one t_newtran
// or t_relay made or found) for registering callbacks on it, as
// Kamailio's register_tmcb does on the current transaction: a module
// whose state is made after the transaction follows its replies from
// then on.
func (m *Module) CurrentTxn(c *event.Context) (*Txn, bool) {
	s := cur(c)
	if s.x == nil {
		return nil, false
	}
	return &Txn{x: s.x}, true
}

// Register adds fn for the events in types of this transaction. It may
// be called at any time: events already reported are not reported again.
func (t *Txn) Register(types CallbackType, fn Callback) {
	cb := &t.x.cbs
	cb.mu.Lock()
	cb.types |= types
	cb.list = append(cb.list, txnCallback{types: types, fn: fn})
	cb.mu.Unlock()
}

// Invite reports whether the transaction is an INVITE's.
func (t *Txn) Invite() bool { return t.x.invite }

// Status is the last reply code sent upstream (0 before any).
func (t *Txn) Status() int { return t.x.uas.status }

// Flags are the transaction's message flags.
func (t *Txn) Flags() uint32 {
	if t.x.ctx == nil {
		return 0
	}
	return t.x.ctx.Flags
}

// RelayedBranch is the branch whose reply went upstream (Kamailio's
// relayed_reply_branch): -2 for a reply tm made, -1 before any.
func (t *Txn) RelayedBranch() int { return t.x.relayedBranch }

// PickedBranch is the branch last picked for a negative reply (Kamailio's
// t_get_picked_branch), -1 when none was.
func (t *Txn) PickedBranch() int {
	t.x.cbs.mu.Lock()
	defer t.x.cbs.mu.Unlock()
	return t.x.cbs.picked
}

// BranchURI is the Request-URI branch i was sent with, "" when there is no
// such branch.
func (t *Txn) BranchURI(i int) string {
	if i < 0 || i >= len(t.x.branches) {
		return ""
	}
	return t.x.branches[i].uri
}

// LocalToTag is the to-tag tm gives the replies it makes to the
// transaction's request (Kamailio's t_get_reply_totag).
func (t *Txn) LocalToTag() string {
	if t.x.uas.toTag != "" {
		return t.x.uas.toTag
	}
	if t.x.reqMsg == nil {
		return ""
	}
	return t.x.m.tags.Tag(t.x.first(), t.x.request())
}

// has reports whether x has callbacks for any event in types.
func (x *txn) has(types CallbackType) bool {
	x.cbs.mu.Lock()
	defer x.cbs.mu.Unlock()
	return x.cbs.types&types != 0
}

// run calls x's callbacks for e.Type.
func (x *txn) run(e *Event) {
	x.cbs.mu.Lock()
	list := append([]txnCallback(nil), x.cbs.list...)
	x.cbs.mu.Unlock()
	e.Txn = &Txn{x: x}
	for _, cb := range list {
		if cb.types&e.Type != 0 {
			cb.fn(e)
		}
	}
}

// requestIn runs the RequestIn callbacks for x, made for req of c, before
// x keeps its copy of the request and event (as Kamailio runs them before
// it clones the request): what a callback stores in c goes with the
// transaction.
func (m *Module) requestIn(c *event.Context, x *txn, req *sipmsg.Msg) {
	x.cbs.picked = -1
	m.cbs.mu.Lock()
	list := m.cbs.requestIn
	m.cbs.mu.Unlock()
	if len(list) == 0 {
		return
	}
	e := &Event{Type: RequestIn, Txn: &Txn{x: x}, Ctx: c, Req: req, Branch: -1}
	for _, fn := range list {
		fn(e)
	}
}

// txnEvent is a context for callbacks on x's own data: the transaction's
// AVPs, XAVPs and flags, a copy of its request as message, on the worker
// of c, as route type rt. x.mu must be held.
func (x *txn) txnEvent(c *event.Context, branch int, rt routetype.Mask) (*event.Context, *sipmsg.Msg) {
	ec := &event.Context{}
	ec.Reset()
	if x.ctx != nil {
		ec.CopyData(x.ctx)
		ec.Flags = x.ctx.Flags
		ec.Log = x.ctx.Log
	}
	ec.Route = rt
	if c != nil {
		ec.Worker = c.Worker
		if c.Log != nil {
			ec.Log = c.Log
		}
	}
	req := x.fakedRequest(nil)
	sipmsg.Set(ec, req)
	ec.Set(curKey, &current{x: x, branch: branch, locked: true, lookedUp: true})
	return ec, req
}

// noteRelayed decides whether a reply going upstream is reported to
// x's ResponseReady and ResponseOut callbacks: for a relayed 2xx to an
// INVITE the to-tag is recorded (Kamailio's fwded_totags), and a to-tag
// seen before is not reported again. x.mu must be held.
func (x *txn) noteRelayed(rpl *sipmsg.Msg, faked bool, code int) bool {
	if faked || rpl == nil || !x.invite || code < 200 || code >= 300 || !x.has(ResponseOut|ResponseReady|E2EAckIn) {
		return true
	}
	tag := toTagOf(rpl)
	x.cbs.mu.Lock()
	defer x.cbs.mu.Unlock()
	_, seen := x.cbs.totags[tag]
	if !seen && tag != "" {
		if x.cbs.totags == nil {
			x.cbs.totags = map[string]bool{}
		}
		x.cbs.totags[tag] = false
	}
	return !seen
}

// responseReady reports a reply about to go upstream (made by tm when
// faked) to x's ResponseReady callbacks. x.mu must be held.
func (x *txn) responseReady(c *event.Context, relay int, rpl *sipmsg.Msg, faked bool, code int, buf string) {
	x.upstreamEvent(c, ResponseReady, relay, rpl, faked, code, buf)
}

// responseOut reports a reply sent upstream (made by tm when faked) to
// x's ResponseOut callbacks. pushed says the transaction had its final
// reply already (reply_relay_mode 1 then reports nothing). x.mu must be
// held.
func (x *txn) responseOut(c *event.Context, relay int, rpl *sipmsg.Msg, faked bool, code int, buf string, pushed bool) {
	if pushed && x.m.conf().replyRelayMode != 0 {
		return
	}
	x.upstreamEvent(c, ResponseOut, relay, rpl, faked, code, buf)
}

// upstreamEvent runs x's callbacks of type t for a reply going upstream.
// x.mu must be held.
func (x *txn) upstreamEvent(c *event.Context, t CallbackType, relay int, rpl *sipmsg.Msg, faked bool, code int, buf string) {
	if !x.has(t) {
		return
	}
	if faked {
		rpl = nil
	}
	ec, req := x.txnEvent(c, relay, routetype.Request)
	x.run(&Event{Type: t, Ctx: ec, Req: req, Reply: rpl, Code: code, Buf: buf, Branch: relay})
	if x.ctx != nil {
		x.ctx.Flags = ec.Flags
	}
}

// localResponseReady and localResponseOut report a final reply tm made
// before and after it was sent upstream. x.mu must be held.
func (x *txn) localResponseReady(c *event.Context, code int, buf string) {
	if code < 200 || x.local {
		return
	}
	x.responseReady(c, -2, nil, true, code, buf)
}

func (x *txn) localResponseOut(c *event.Context, code int, buf string) {
	if code < 200 || x.local {
		return
	}
	x.responseOut(c, -2, nil, true, code, buf, false)
}

// failureCallbacks runs x's OnFailure callbacks for the picked branch (Kamailio
// runs them from run_failure_handlers, before failure_route). x.mu must
// be held.
func (x *txn) failureCallbacks(c *event.Context, picked int) {
	if picked < 0 || picked >= len(x.branches) || !x.has(OnFailure) {
		return
	}
	x.cbs.mu.Lock()
	x.cbs.picked = picked
	x.cbs.mu.Unlock()
	b := x.branches[picked]
	ec, req := x.txnEvent(c, picked, routetype.Failure)
	req.RuriFlags = b.flags
	rpl := b.reply
	if b.faked {
		rpl = nil
	}
	x.run(&Event{Type: OnFailure, Ctx: ec, Req: req, Reply: rpl, Code: b.last, Branch: picked})
	if x.ctx != nil {
		x.ctx.Flags = ec.Flags
	}
}

// wantsE2EAck reports whether an ACK with to-tag tag is an end-to-end ACK
// for x (a 2xx x relayed with that to-tag, and x registered for
// E2EAckIn).
func (x *txn) wantsE2EAck(tag string) bool {
	if !x.has(E2EAckIn) {
		return false
	}
	x.cbs.mu.Lock()
	defer x.cbs.mu.Unlock()
	_, ok := x.cbs.totags[tag]
	return ok
}

// e2eAck runs x's E2EAckIn callbacks for the ACK of c, once per to-tag.
func (x *txn) e2eAck(c *event.Context, ack *sipmsg.Msg) {
	if x == nil || !x.has(E2EAckIn) {
		return
	}
	tag := toTagOf(ack)
	x.cbs.mu.Lock()
	acked := x.cbs.totags[tag]
	if x.cbs.totags == nil {
		x.cbs.totags = map[string]bool{}
	}
	x.cbs.totags[tag] = true
	x.cbs.mu.Unlock()
	if acked {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.run(&Event{Type: E2EAckIn, Ctx: c, Req: ack, Code: x.uas.status, Branch: -1})
}
