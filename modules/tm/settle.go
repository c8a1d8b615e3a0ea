package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
)

// A transaction stays in the table for wt_timer after its final reply,
// to absorb retransmissions of the request (answered with the reply's
// text, uas.buf, sent to uas.hop), the ACK of the reply and CANCELs
// (matched with keys and uas.status), and for the RPC commands (tm.list
// reads req). At several thousand calls per second that wait holds most of
// tm's memory, so a transaction that nothing can run a route or a
// callback for any more drops the rest when it settles: the copy of its
// request's event (AVPs, XAVPs, the message slots) and the parsed headers
// of its copy of the request (sipmsg.Msg.Lean: a header list and a parsed
// top Via are most of a message's memory and of the pointers the collector
// follows; the few readers left, $T_inv of a late CANCEL and the RPCs, get
// them read again from the text through request()). Flags stay
// (t_lookup_cancel copies them, t_flush_flags writes them), as do the
// branches, which $T(...) and the RPCs read.

// settle drops what x no longer needs once it is in its wait state: the
// event copy when no route or callback can read it again (a reply's text
// is already of its own size: runtime/sip's BuildReply copies it out of a
// pooled buffer): x is not suspended nor being
// continued, no failure route runs, it has only blind branches (nothing
// was sent, so no reply comes to run an onreply_route, a failure route or
// a callback), no onreply_route is set and no module registered a
// callback. x.mu must be held by the caller itself, not by a
// route running for x (which may still use the event copy).
func (x *txn) settle() {
	if x.gone || !x.wait.running() || x.uas.status < 200 {
		return
	}
	if x.settled || x.ctx == nil || x.local || x.suspended || x.continuing ||
		x.flags&flagInFailure != 0 || x.onReply != "" || x.hasCallbacks() {
		return
	}
	for _, b := range x.branches {
		if !b.isBlind() || b.onReply != "" {
			return
		}
	}
	x.settled = true
	x.ctx = bareContext(x.ctx)
	if x.reqMsg != nil {
		x.reqMsg = x.reqMsg.Lean()
	}
}

// bareContext is c without its module data: what a settled transaction
// keeps of its request's event.
func bareContext(c *event.Context) *event.Context {
	b := &event.Context{}
	b.Reset()
	b.Event, b.Route, b.RC, b.Log, b.LogPrefix, b.Flags = c.Event, c.Route, c.RC, c.Log, c.LogPrefix, c.Flags
	b.Detach()
	return b
}

// hasCallbacks reports whether a module registered callbacks on x.
func (x *txn) hasCallbacks() bool {
	x.cbs.mu.Lock()
	defer x.cbs.mu.Unlock()
	return len(x.cbs.list) > 0
}

// RequestDone implements sip.RequestDoner: request_route is done with the
// request: a t_relay error nothing answered since gets tm's reply
// (Kamailio's delayed error reply), and the transaction the request made
// or found may settle.
func (m *Module) RequestDone(c *event.Context) {
	s, ok := c.Get(curKey).(*current)
	if !ok || s.x == nil {
		return
	}
	x := s.x
	x.mu.Lock()
	if e := x.errDelayed; e != 0 && !x.gone {
		x.errDelayed = 0
		if x.killTransaction(c, e) <= 0 {
			x.release()
		}
	}
	x.settle()
	x.mu.Unlock()
}
