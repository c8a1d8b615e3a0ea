package tm

import (
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// current is the transaction an event works on (Kamailio's T and its
// branch): set when a request creates or finds one, and for the routes tm
// runs for a transaction. locked says the transaction's lock is held by
// the code that runs the route (failure, onreply, branch routes and
// t_continue), so functions called from the route must not take it.
type current struct {
	x      *txn
	branch int // -1 when no branch is selected
	locked bool
	// lookedUp is set once a lookup was made for the event.
	lookedUp bool
	// atRest marks the state runInTxn leaves in the transaction's event
	// after a route, which the next route of the transaction reuses.
	atRest bool
	// pending holds settings made before the transaction existed.
	pending *pending
	// keys are the matching keys of keysMsg, the event's request, read
	// from its text keysBuf once per event (requestKeys): t_check_trans
	// and t_newtran in one route both need them.
	keys    *matchKeys
	keysOK  bool
	keysMsg *sipmsg.Msg
	keysBuf string
}

var curKey = event.NewKey()

// cur returns the event's transaction state.
func cur(c *event.Context) *current {
	if s, ok := c.Get(curKey).(*current); ok {
		return s
	}
	s := &current{branch: -1}
	c.Set(curKey, s)
	return s
}

// requestKeys returns the matching keys of msg, the event's request; ok is
// false when it lacks a header they need. They are read on the first call
// of the event and kept while the message has the same text
// (msg_apply_changes gives it a new one, parsed again).
func (s *current) requestKeys(msg *sipmsg.Msg) (k *matchKeys, ok bool) {
	if s.keys == nil || s.keysMsg != msg || s.keysBuf != msg.Buf {
		k, ok := keysOf(msg)
		s.keys, s.keysOK, s.keysMsg, s.keysBuf = &k, ok, msg, msg.Buf
	}
	return s.keys, s.keysOK
}

// T returns the event's transaction, nil when it has none.
func T(c *event.Context) *txn { return cur(c).x }

// lock takes x's lock unless the event runs inside it, and reports
// whether it took it; x.unlock(took) undoes what lock did. A flag rather
// than an unlock function: a func value would be allocated on every call.
func (s *current) lock(x *txn) (took bool) {
	if s.locked && s.x == x {
		return false
	}
	x.mu.Lock()
	return true
}

// lockFor is lock for the event c, without making the event's
// transaction state when it has none (an event that never touched a
// transaction does not run inside one's lock). With no event (c nil, an
// RPC) it takes the lock.
func lockFor(c *event.Context, x *txn) (took bool) {
	if c == nil {
		x.mu.Lock()
		return true
	}
	if s, ok := c.Get(curKey).(*current); ok {
		return s.lock(x)
	}
	x.mu.Lock()
	return true
}

// unlock releases the lock lock took, if it took it.
func (x *txn) unlock(took bool) {
	if took {
		x.mu.Unlock()
	}
}

// newtranResult is t_newtran's outcome.
const (
	newtranNew   = 1
	newtranRetr  = 0 // a retransmission (or the ACK of a negative reply): absorbed
	newtranError = -1
)

// newtran is Kamailio's t_newtran: it finds the transaction the request of
// c belongs to and absorbs the request when it is a retransmission (the
// last reply is sent again) or the ACK of a negative reply (returning 0,
// which ends the script), or creates a new transaction (1). An ACK that
// matches nothing gets no transaction (1). Errors are Kamailio's E_*
// codes.
func (m *Module) newtran(c *event.Context) int {
	s := cur(c)
	req := sipmsg.FromContext(c)
	if s.x != nil {
		// Already created in this event: the request's flags go to it.
		took := s.lock(s.x)
		s.x.ctx.Flags = c.Flags
		s.x.unlock(took)
		return sip.ErrScript
	}
	if !req.IsRequest() {
		return sip.ErrBadReq
	}
	if req.Rcv == nil {
		m.log.Log(klog.Info, Name, "t_newtran(): attempt to create transaction for a faked request - try to avoid it")
	}
	k, ok := s.requestKeys(req)
	if !ok {
		m.log.Log(klog.Err, Name, "t_lookup_request(): too few headers")
		return sip.ErrBadTuple
	}
	x, res := m.lookupRequest(k)
	switch res {
	case matched:
		m.absorb(c, x, req)
		return newtranRetr
	case matchedE2E:
		x.e2eAck(c, req)
		return newtranNew
	}
	if k.method == "ACK" {
		return newtranNew
	}
	x = m.create(c, req, k)
	if x == nil {
		return sip.ErrBadVia
	}
	s.x, s.lookedUp = x, true
	return newtranNew
}

// absorb handles a request that belongs to x: an ACK ends the
// transaction's wait for it; anything else is a retransmission, answered
// with the last reply sent.
func (m *Module) absorb(c *event.Context, x *txn, req *sipmsg.Msg) {
	x.mu.Lock()
	defer x.mu.Unlock()
	cur(c).x, cur(c).lookedUp = x, true
	if isMethod(req, "ACK") {
		m.stats.ackAbsorbed.Add(1)
		x.stopTimer(&x.uas.retr)
		x.putOnWait()
		x.settle()
		return
	}
	m.stats.retransmissions.Add(1)
	x.retransmitReply()
}

// create makes a new transaction for req and files it.
func (m *Module) create(c *event.Context, req *sipmsg.Msg, k *matchKeys) *txn {
	tr := sip.From(c)
	x := &txn{m: m, keys: *k, tr: tr, relayedBranch: -1, blind: -1, suspendedReply: -1,
		invite: k.method == "INVITE", created: m.clock.Now()}
	x.index = hashOf(k.callID, k.cseqNum)
	x.md5 = charMsgVal(req, k)
	x.frTimeout, x.frInvTimeout = ms(m.conf().frTimer), ms(m.conf().frInvTimer)
	x.retrT1, x.retrT2 = ms(m.conf().retrTimer1), ms(m.conf().retrTimer2)
	x.maxLifetime = ms(m.conf().maxNonInvLifetime)
	if x.invite {
		x.maxLifetime = ms(m.conf().maxInvLifetime)
		if m.conf().autoInv100 != 0 {
			x.flags |= flagAutoInv100
		}
	}
	if m.conf().disable6xx != 0 {
		x.flags |= flagDisable6xx
	}
	cur(c).pending.apply(x)
	m.requestIn(c, x, req)
	x.snapshot(c, req)
	if tr != nil && req.Rcv != nil {
		h, err := tr.ReplyHop(req)
		if err != nil {
			m.log.Log(klog.Err, Name, "t_newtran(): unresolvable via1")
			return nil
		}
		x.uas.hop, x.uas.hopOK = h, true
	}
	if k.method != "INVITE" && k.method != "CANCEL" {
		x.uas.toTag = k.toTag
	}
	m.table.insert(x)
	m.stats.created.Add(1)
	x.mu.Lock()
	x.start(&x.life, x.maxLifetime, workLifetime, nil)
	x.mu.Unlock()
	return x
}

// snapshot keeps the request of c as the transaction's: a copy of the
// message as it is now, and the event's AVPs, XAVPs and flags.
func (x *txn) snapshot(c *event.Context, req *sipmsg.Msg) {
	cp := *req
	cp.Branches = append([]sipmsg.Branch(nil), req.Branches...)
	cp.Edits = append([]sipmsg.Edit(nil), req.Edits...)
	x.setReq(&cp)
	if x.ctx == nil {
		x.ctx = c.Snapshot()
	} else {
		x.ctx.CopyData(c)
		x.ctx.Flags = c.Flags
	}
	sipmsg.Set(x.ctx, x.request())
	x.ctx.Set(curKey, &current{x: x, branch: -1, lookedUp: true})
	x.settled = false
}

// lookup finds the transaction of the request of c without creating one
// (t_lookup_request, t_check_trans): 1 found, -1 not.
func (m *Module) lookup(c *event.Context) (*txn, matchResult) {
	s := cur(c)
	if s.x != nil {
		return s.x, matched
	}
	k, ok := s.requestKeys(sipmsg.FromContext(c))
	if !ok {
		return nil, noMatch
	}
	x, res := m.lookupRequest(k)
	if res == matched {
		s.x, s.lookedUp = x, true
	}
	return x, res
}

// checkTrans is t_check_trans: in the routes of a transaction it is
// true; for a reply, true when it belongs to a transaction; for a CANCEL,
// true when the INVITE it cancels has a transaction; for other requests
// it absorbs retransmissions and ACKs of negative replies (0: the script
// ends), is true for the ACK of a relayed 2xx, and false otherwise.
func (m *Module) checkTrans(c *event.Context) int {
	switch {
	case c.Route&(routetype.Failure|routetype.Branch|routetype.BranchFailure|routetype.OnReply) != 0:
		return 1
	}
	msg := sipmsg.FromContext(c)
	if !msg.IsRequest() {
		x, b, _ := m.lookupReply(msg)
		if x == nil {
			return -1
		}
		s := cur(c)
		s.x, s.branch = x, b
		return 1
	}
	if strings.EqualFold(msg.Method, "CANCEL") {
		return m.lookupCancel(c)
	}
	x, res := m.lookup(c)
	switch res {
	case matchedE2E:
		return 1
	case matched:
		m.absorbFound(c, x, msg)
		return 0
	}
	return -1
}

// absorbFound is absorb for a transaction the event already refers to.
func (m *Module) absorbFound(c *event.Context, x *txn, req *sipmsg.Msg) {
	took := cur(c).lock(x)
	defer x.unlock(took)
	if isMethod(req, "ACK") {
		m.stats.ackAbsorbed.Add(1)
		x.stopTimer(&x.uas.retr)
		x.putOnWait()
		if took {
			x.settle()
		}
		return
	}
	m.stats.retransmissions.Add(1)
	x.retransmitReply()
}

// lookupCancel is t_lookup_cancel: true when the CANCEL of c cancels a
// transaction kamgo has.
func (m *Module) lookupCancel(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if !strings.EqualFold(msg.Method, "CANCEL") {
		m.log.Log(klog.Warn, Name, "w_t_lookup_cancel(): t_lookup_cancel() can be used only for CANCEL method")
		return -1
	}
	k, ok := cur(c).requestKeys(msg)
	if !ok {
		return -1
	}
	if m.lookupInvite(k) == nil {
		return -1
	}
	return 1
}

// putOnWait ends the transaction's life after wt_timer: it stays in the
// table to absorb late retransmissions, then goes. Its other timers stop.
func (x *txn) putOnWait() {
	for _, b := range x.branches {
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
	}
	if x.wait.running() || x.gone {
		return
	}
	if x.uas.status >= 200 {
		// Its end would only put the transaction on wait again.
		x.stopTimer(&x.life)
	}
	x.start(&x.wait, ms(x.m.conf().wtTimer), workRelease, nil)
}

// release deletes the transaction now: timers stop, the table forgets it.
// A suspended transaction's event is given up.
func (x *txn) release() {
	if x.gone {
		return
	}
	x.gone = true
	for _, t := range []*timer{&x.wait, &x.life, &x.uas.retr} {
		x.stopTimer(t)
	}
	for _, b := range x.branches {
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
		x.stopTimer(&b.cancel.retr)
		x.stopTimer(&b.cancel.fr)
	}
	x.stopAlarm()
	x.m.localAcks.Delete(x)
	x.m.table.remove(x)
	x.m.stats.deleted.Add(1)
}

// lifetimeEnded is max_inv_lifetime / max_noninv_lifetime passing: a
// transaction still waiting for replies gets the timeout reply on every
// pending branch; one that is done goes to its wait state.
func (x *txn) lifetimeEnded(c *event.Context) {
	if x.uas.status >= 200 {
		x.putOnWait()
		return
	}
	x.m.timeoutPending(c, x)
	if x.uas.status < 200 && len(x.branches) == 0 {
		// Nothing was ever relayed (t_newtran alone): the request gets
		// the timeout reply itself.
		x.replyLocal(c, x.request(), x.m.timeoutCode(), x.m.fakedReason(x.m.timeoutCode()), "", "")
	}
}
