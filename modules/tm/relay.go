package tm

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// relayOpts are what the t_relay variants add: a fixed destination and a
// transport to force.
type relayOpts struct {
	dest      *sip.Dest // nil: each branch's own destination
	proto     int       // sipmsg.ProtoNone: as the destination says
	replicate bool      // t_replicate: replies are not relayed
	// static gives the address dest's host resolved to before the
	// configuration served, when it was written in it (nil: resolved per
	// request).
	static func() (netip.AddrPort, bool)
}

// relay is t_relay and its variants in request_route and failure_route,
// Kamailio's t_relay_to / t_forward_nonack. It returns the script's return
// code: 1 relayed, 0 (end the script) for an absorbed retransmission, <0
// failed (the request then got an error reply, unless
// t_set_disable_internal_reply).
func (m *Module) relay(c *event.Context, o relayOpts) int {
	msg := sipmsg.FromContext(c)
	if c.Route&(routetype.Failure|routetype.BranchFailure) != 0 {
		s := cur(c)
		if s.x == nil {
			m.log.Log(klog.Crit, Name, "_w_t_relay_to(): undefined T")
			return -1
		}
		took := s.lock(s.x)
		defer s.x.unlock(took)
		if rc := s.x.forward(c, msg, o); rc <= 0 {
			return -1
		}
		return 1
	}
	if c.Route&routetype.Request == 0 {
		m.log.Logf(klog.Crit, Name, "_w_t_relay_to(): unsupported route type: %d", c.Route)
		return 0
	}
	if !msg.IsRequest() {
		return -1
	}
	if strings.EqualFold(msg.Method, "CANCEL") {
		return m.forwardCancel(c, msg, o)
	}
	rc := m.newtran(c)
	switch {
	case rc == sip.ErrScript:
		if isMethod(msg, "ACK") {
			m.log.Log(klog.Warn, Name, "t_relay_to(): negative or local ACK caught, please report")
			x := T(c)
			took := cur(c).lock(x)
			x.putOnWait()
			x.unlock(took)
			return 1
		}
	case rc < 0:
		return rc
	case rc == newtranRetr:
		return 1
	}
	if isMethod(msg, "ACK") {
		// An ACK for a 2xx is end to end: forwarded statelessly.
		d, err := o.destFor(msg)
		if err == nil {
			err = sip.From(c).Forward(c, msg, d)
		}
		if err != nil {
			return sip.Code(err)
		}
		return 1
	}
	x := T(c)
	if x == nil {
		return -1
	}
	took := cur(c).lock(x)
	defer x.unlock(took)
	if o.replicate {
		x.local = true
	}
	if isMethod(msg, "INVITE") && x.flags&flagAutoInv100 != 0 && x.uas.status < 100 {
		x.replyLocal(c, msg, 100, m.conf().autoInv100Reason, "", "")
	}
	if rc := x.forward(c, msg, o); rc <= 0 {
		e := rc
		if e == 0 || e == -1 {
			e = x.lastError
		}
		if e >= 0 {
			e = -1
		}
		// The error is the request's last one, as Kamailio's ser_error:
		// sl_reply_error() right after answers with it.
		sip.NoteError(c, &sip.Error{Code: e})
		switch {
		case o.replicate:
			x.release()
		case x.flags&flagDisableInternalReply != 0:
			return -4
		case c.Route&routetype.Request != 0 && !x.continuing && m.conf().delayedReply != 0:
			// The error reply waits for the end of the request's script
			// (delayed_reply, 1 by default), so that the script may send
			// its own first: RequestDone sends it unless tm replied or
			// relayed meanwhile. With delayed_reply 0 it goes at once
			// (below), and a transaction it could not answer is released.
			x.errDelayed = e
		default:
			if x.killTransaction(c, e) <= 0 {
				x.release()
			}
		}
		return e
	}
	x.errDelayed = 0
	sip.NoteError(c, nil)
	return 1
}

// logBranchError logs why a branch could not be prepared, as Kamailio's
// uri2dst2 and prepare_new_uac log it (after the resolver's own line,
// which runtime/sip logs).
func (x *txn) logBranchError(err error) {
	log := x.m.log
	var ue *sip.UnresolvedError
	var ns *sip.NoSocketError
	switch {
	case errors.As(err, &ue):
		log.Logf(klog.Err, Name, "uri2dst2(): failed to resolve \"%s\"", ue.Host)
	case errors.As(err, &ns):
		log.Logf(klog.Err, Name, "uri2dst2(): no corresponding socket found for \"%s\" af %d (%s:%s)",
			ns.Host, ns.AF(), sipmsg.ProtoName(ns.Proto, false), ns.To)
		log.Logf(klog.Err, Name, "prepare_new_uac(): can't fwd to af %d, proto %d  (no corresponding listening socket)", ns.AF(), ns.Proto)
	}
}

// destFor is where a request goes: the fixed destination, else its next
// hop ($du, else the Request-URI).
func (o relayOpts) destFor(msg *sipmsg.Msg) (sip.Dest, error) {
	if o.dest != nil {
		d := *o.dest
		if o.proto != sipmsg.ProtoNone {
			d.Proto = o.proto
		}
		if o.static != nil {
			d.Addr, _ = o.static()
		}
		return d, nil
	}
	hop := msg.DstURI
	if hop == "" {
		hop = msg.RequestURI()
	}
	d, err := sip.DestOf(hop)
	if err != nil {
		return d, err
	}
	if o.proto != sipmsg.ProtoNone {
		d.Proto = o.proto
	}
	return d, nil
}

// forward is Kamailio's t_forward_nonack: a branch for the Request-URI
// (unless it was consumed: forwarded, or taken by t_load_contacts, and
// not set since; a failure route starts with it consumed) and one for
// each branch of the destination set, each through branch_route when
// t_on_branch set one, then sent. The destination set is consumed. It
// returns 1 when at least one branch was sent, else a negative code
// (x.lastError says why). x.mu must be held.
func (x *txn) forward(c *event.Context, msg *sipmsg.Msg, o relayOpts) int {
	m := x.m
	if x.flags&flagCanceled != 0 {
		msg.Branches = nil
		x.lastError = sip.ErrCanceled
		return -1
	}
	onBranch := x.onBranch
	x.onBranch = ""
	if onBranch != "" {
		x.onBranchDelayed = m.branchRoutes.index(onBranch)
	}
	if (len(x.branches) == 0 || x.settled) && c.Route&routetype.Request != 0 {
		// The first forwarding: the transaction keeps the request as it
		// is now (its changes and destination set), for failure routes.
		// A settled transaction forwarded again (from the event of a
		// retransmission) takes that event's, its own being gone.
		x.snapshot(c, msg)
	}
	type cand struct {
		b      sipmsg.Branch
		isRURI bool
	}
	var cands []cand
	if m.ruriIsNew(c, msg) {
		cands = append(cands, cand{b: sipmsg.Branch{URI: msg.RequestURI(), DstURI: msg.DstURI, Path: msg.PathVec,
			Q: msg.RuriQ, Flags: msg.RuriFlags, Socket: msg.ForceSocket, Ruid: msg.Ruid,
			LocationUA: msg.LocationUA, Instance: msg.Instance}, isRURI: true})
	}
	for _, b := range msg.Branches {
		cands = append(cands, cand{b: b})
	}
	msg.Branches = nil
	// Forwarding consumes the destination set, the Request-URI included
	// (Kamailio's clear_branches): a later t_relay uses it only once it
	// was set again.
	c.Set(forkKey, &forkState{consumedURI: msg.RequestURI()})
	lowest := sip.ErrUnspec
	var added []*branch
	for _, cd := range cands {
		b, e := x.addBranch(c, msg, cd.b, onBranch, o)
		if x.flags&flagCanceled != 0 {
			x.lastError = sip.ErrCanceled
			return -1
		}
		if b == nil {
			lowest = min(lowest, e)
			continue
		}
		added = append(added, b)
	}
	x.ctx.Flags = c.Flags
	if len(added) == 0 {
		if len(cands) == 0 {
			m.log.Log(klog.Err, Name, "t_forward_nonack(): no branches for forwarding")
			x.lastError = min(lowest, sip.ErrCfg)
			return -1
		}
		if lowest != sip.ErrCfg {
			m.log.Log(klog.Err, Name, "t_forward_nonack(): failure to add branches")
		}
		x.lastError = lowest
		return lowest
	}
	if x.sendBranches(c, added) < 0 {
		return -1
	}
	return 1
}

// sendBranches sends the branches added, and returns how many left, or
// -1 with x.lastError set when none did.
func (x *txn) sendBranches(c *event.Context, added []*branch) int {
	sent := 0
	for _, b := range added {
		if x.sendBranch(c, b) {
			sent++
		}
	}
	if sent == 0 {
		x.lastError = sip.ErrSend
		return -1
	}
	x.lastError = 0
	return sent
}

// addBranch prepares one branch: branch_route runs with the Request-URI and
// destination of the branch (a drop there leaves the branch out), then its
// request text is built, with the Via that names the branch. nil and an
// error code when it could not be made.
func (x *txn) addBranch(c *event.Context, msg *sipmsg.Msg, sb sipmsg.Branch, onBranch string, o relayOpts) (*branch, int) {
	m := x.m
	if len(x.branches) >= sipmsg.MaxBranches+1 {
		m.log.Log(klog.Err, Name, "add_uac(): maximum number of branches exceeded")
		return nil, sip.ErrTooManyBranches
	}
	bm := *msg
	bm.Branches = nil
	bm.Edits = append([]sipmsg.Edit(nil), msg.Edits...)
	bm.NewURI = ""
	if sb.URI != msg.RURI {
		bm.NewURI = sb.URI
	}
	bm.DstURI, bm.PathVec, bm.RuriFlags, bm.RuriQ = sb.DstURI, sb.Path, sb.Flags, sb.Q
	bm.Ruid, bm.LocationUA, bm.Instance = sb.Ruid, sb.LocationUA, sb.Instance
	if sb.Socket != nil {
		bm.ForceSocket = sb.Socket
	}
	idx := len(x.branches)
	if onBranch != "" {
		if !x.runBranchRoute(c, &bm, onBranch, idx) {
			return nil, sip.ErrCfg
		}
	}
	d, err := o.destFor(&bm)
	if err != nil {
		m.log.Logf(klog.Err, Name, "add_uac(): can't fwd to af %s", bm.RequestURI())
		return nil, sip.ErrBadAddress
	}
	br := x.branchParam(idx)
	if x.tr == nil {
		m.log.Log(klog.Err, Name, "add_uac(): no SIP socket is open (the configuration has no listen=)")
		return nil, sip.ErrNoSocket
	}
	x.tr.PrepareVia(c, &bm)
	vbflags := x.addVBFlags(&bm, idx)
	hop, buf, err := x.tr.PrepareBranch(&bm, d, br)
	if err != nil {
		x.logBranchError(err)
		return nil, sip.Code(err)
	}
	b := &branch{idx: idx, uri: bm.RequestURI(), dst: bm.DstURI, path: bm.PathVec, flags: bm.RuriFlags, vbflags: vbflags,
		ruid: bm.Ruid, instance: bm.Instance, locationUA: bm.LocationUA,
		hop: hop, buf: buf, viaBr: br, onReply: x.onReply, onFailure: x.onFailure, onBranchFailure: x.onBranchFailure}
	b.msg = &bm
	x.branches = append(x.branches, b)
	return b, 0
}

// sendBranch runs onsend_route for the branch and sends it, then starts
// its timers: retransmissions over UDP (T1 doubling up to T2; INVITE
// until a provisional reply, others until a final one), and the final
// response timer. A branch that cannot be sent ends as Kamailio ends it:
// 408 as its last code, with no reply stored, so that it neither holds the
// transaction nor is ever picked.
func (x *txn) sendBranch(c *event.Context, b *branch) bool {
	m := x.m
	if !x.tr.OnSend(c, b.msg, &b.hop, b.buf) {
		b.last, b.faked = m.timeoutCode(), true
		x.lastError = sip.ErrProhibited
		return false
	}
	// The timers are armed before the request leaves, so that a reply
	// (or a test's clock) can never come before them.
	if !b.hop.Reliable() {
		b.retrWait = x.retrT1
		x.start(&b.retr, b.retrWait, workRetransmitBranch, b)
	}
	x.start(&b.fr, x.frTimeout, workBranchTimeout, b)
	if err := x.tr.Send(b.hop, b.buf); err != nil {
		m.log.Logf(klog.Err, Name, "t_send_branch(): sending request on branch %d failed", b.idx)
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
		b.last, b.faked = m.timeoutCode(), true
		x.lastError = sip.ErrSend
		return false
	}
	b.sent = true
	m.stats.relayedRequests.Add(1)
	return true
}

// retransmitBranch is timers A and E.
func (x *txn) retransmitBranch(b *branch) {
	if !b.pending() {
		return
	}
	_ = x.tr.Send(b.hop, b.buf)
	// Kamailio caps the interval at T2 for INVITE too.
	b.retrWait = min(2*b.retrWait, x.retrT2)
	x.start(&b.retr, b.retrWait, workRetransmitBranch, b)
}

// runBranchRoute runs branch_route[name] for branch idx with the branch's
// copy of the message, and reports whether the branch may go (the route
// did not drop it). Changes the route makes stay with the branch.
func (x *txn) runBranchRoute(c *event.Context, bm *sipmsg.Msg, name string, idx int) bool {
	if x.m.host == nil {
		return true
	}
	s := cur(c)
	saved := sipmsg.FromContext(c)
	route, dropped, branchIdx, locked := c.Route, c.Dropped, s.branch, s.locked
	sipmsg.Set(c, bm)
	c.Dropped = false
	s.branch, s.locked = idx, true
	// exit keeps the branch; drop discards it.
	x.m.host.Run(c, event.Target{Kind: ast.Branch, Name: name})
	keep := !c.Dropped
	sipmsg.Set(c, saved)
	c.Route, c.Dropped, s.branch, s.locked = route, dropped, branchIdx, locked
	return keep
}
