package tm

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// replyReceived is Kamailio's reply_received: a reply to one of kamgo's
// branches stops the branch's timers, is acknowledged when it is a
// negative reply to an INVITE, runs the branch's onreply_route, and goes
// through the relaying rules. It reports whether the reply was the
// transaction's (the core then does not forward it statelessly).
func (m *Module) replyReceived(c *event.Context, rpl *sipmsg.Msg) bool {
	x, bi, isCancel := m.lookupReply(rpl)
	if x == nil {
		return m.slReply(c)
	}
	x.mu.Lock()
	if x.gone || bi >= len(x.branches) {
		// Deleted since the lookup: Kamailio's lookup would not have
		// found it, so the reply is a stateless one, on_sl_reply's.
		x.mu.Unlock()
		return m.slReply(c)
	}
	defer x.mu.Unlock()
	m.stats.repliesReceived.Add(1)
	b := x.branches[bi]
	code := rpl.Status
	s := cur(c)
	s.x, s.branch = x, bi
	if !isCancel {
		x.responseIn(c, bi, rpl)
	}
	if isCancel {
		if x.invite {
			if code >= 200 {
				x.stopTimer(&b.cancel.retr)
				x.stopTimer(&b.cancel.fr)
			} else {
				x.stopTimer(&b.cancel.retr)
			}
		}
		return true
	}
	last := b.last
	if code >= 200 {
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
		if x.invite && code >= 300 {
			if to := headerLine(rpl, "to"); to != "" {
				ack := x.buildHopRequest(b, "ACK", to, "")
				if x.tr.Send(b.hop, ack) == nil && m.conf().evlreqMode&evlreqACK != 0 {
					x.hopRequestEvent(c, b, ack)
				}
			} else {
				m.log.Log(klog.Err, Name, "build_ack(): cannot generate a HBH ACK if key HFs in reply missing")
			}
		} else if x.invite && x.local {
			x.ackLocal2xx(c, b, rpl)
		}
	} else {
		if b.cancel.pending || b.cancel.sent {
			if b.cancel.sent {
				_ = x.tr.Send(b.hop, b.cancel.buf)
			} else {
				x.sendCancel(c, b)
			}
			return true
		}
		if x.invite {
			x.stopTimer(&b.retr)
		} else if b.retr.running() {
			b.retrWait = x.retrT2
			x.start(&b.retr, b.retrWait, workRetransmitBranch, b)
		}
	}
	if b.onReply != "" && m.host != nil {
		if code > last {
			b.last = code
		}
		dropped := x.runOnReply(c, rpl, b)
		b.last = last
		if dropped && code < 200 {
			return true
		}
		code = rpl.Status
	}
	if x.suspended {
		return true
	}
	// fr_inv_timer replaces fr_timer before the provisional reply goes
	// upstream, as sendBranch starts a branch's timers before sending
	// it: whoever sees the reply sees the timer running.
	if x.invite && code < 200 && (m.conf().restartFrOnEachReply != 0 || (last < code && (code >= 180 || last == 0))) {
		b.frInv = true
		x.start(&b.fr, x.frInvTimeout, workBranchTimeout, b)
	}
	if x.local {
		x.localReply(c, b, rpl, code)
	} else {
		x.relayReply(c, b, rpl, code)
	}
	b.replied = true
	return true
}

// slReply runs the onreply_route on_sl_reply names for a reply no
// transaction took; true when the route ended it (drop, or exit with 0),
// so the core does not forward it.
func (m *Module) slReply(c *event.Context) bool {
	if m.conf().onSLReply == "" || m.host == nil {
		return false
	}
	c.Dropped = false
	rc, ok := m.host.Run(c, event.Target{Kind: ast.OnReply, Name: m.conf().onSLReply})
	return ok && (rc == 0 || c.Dropped)
}

// runOnReply runs the branch's onreply_route with the reply as message and
// the transaction's AVPs, XAVPs, flags and branch flags, and reports
// whether the route dropped the reply.
func (x *txn) runOnReply(c *event.Context, rpl *sipmsg.Msg, b *branch) bool {
	c.CopyData(x.ctx, sipmsgSlots()...)
	s := cur(c)
	s.x, s.branch, s.locked = x, b.idx, true
	c.Flags = x.ctx.Flags
	rpl.RuriFlags = b.flags
	c.Dropped = false
	x.m.host.Run(c, event.Target{Kind: ast.OnReply, Name: b.onReply})
	x.ctx.CopyData(c, sipmsgSlots()...)
	x.ctx.Set(curKey, &current{x: x, branch: -1, lookedUp: true})
	x.ctx.Flags = c.Flags
	b.flags = rpl.RuriFlags
	s.locked = false
	return c.Dropped
}

// sipmsgSlots are the context slots that belong to an event, not to the
// transaction: its message, transport and transaction state.
func sipmsgSlots() []event.Key { return []event.Key{sipmsg.ContextKey(), sip.ContextKey(), curKey} }

// relayReply applies RFC 3261 §16.7 to a reply received on branch b, as
// Kamailio's relay_reply and t_should_relay_response do, and relays what
// is to be relayed upstream.
func (x *txn) relayReply(c *event.Context, b *branch, rpl *sipmsg.Msg, code int) {
	relay, completed := x.shouldRelay(c, b, rpl, code, false)
	if relay < 0 {
		return
	}
	x.sendRelayed(c, relay, b, rpl, code, completed)
}

// shouldRelay decides what a reply (code on branch b, rpl nil for a faked
// one) does to the transaction: which branch's reply goes upstream now (-1
// none) and whether the transaction is complete. Negative replies wait
// for every branch; then failure_route runs, and may add branches.
func (x *txn) shouldRelay(c *event.Context, b *branch, rpl *sipmsg.Msg, code int, faked bool) (relay int, completed bool) {
	inv2xx := code >= 200 && code < 300 && x.invite
	if x.uas.status >= 200 {
		if inv2xx {
			b.last = code
			return b.idx, false
		}
		return -1, false
	}
	if b.last >= 200 && !(inv2xx && b.last < 300) {
		switch {
		case b.last == code:
		case b.last == 487 || (b.last == x.m.timeoutCode() && code == 487):
		default:
			x.m.log.Logf(klog.Warn, Name, "t_should_relay_response(): status rewrite by UAS: stored: %d, received: %d", b.last, code)
		}
		return -1, false
	}
	if code >= 300 {
		b.last = code
		b.reply, b.faked = rpl, faked
		if b.onBranchFailure != "" {
			x.runBranchFailure(c, b)
		}
		picked, _ := x.pickBranch(b.idx, code)
		if picked == -2 {
			b.keep()
			if code >= 600 && code < 700 && x.flags&(flag6xx|flagDisable6xx) == 0 {
				x.flags |= flag6xx
				x.cancelBranches(c, code, true)
			}
			return -1, false
		}
		x.flags &^= flag6xx
		count := len(x.branches)
		dropped := false
		x.failureCallbacks(c, picked)
		if picked >= 0 && x.branches[picked].onFailure != "" && x.m.host != nil {
			x.runFailure(c, picked)
			if mode := x.dropReplies; (mode == 3 && count < len(x.branches)) || (mode != 0 && mode != 3) {
				from := 0
				if mode == 2 {
					from = count - 1
					for ; from > 0; from-- {
						if x.branches[from].firstOfStep {
							break
						}
					}
				}
				for i := from; i < count; i++ {
					x.branches[i].reply, x.branches[i].kept = nil, keptNone
				}
				picked, dropped = -1, true
			}
		}
		if x.uas.status >= 200 {
			return -1, true
		}
		if count < len(x.branches) {
			// The new branches may have ended already; the dropped
			// replies, the current one included, are out of the race.
			inc := b.idx
			if dropped {
				inc = -1
			}
			nb, _ := x.pickBranch(inc, code)
			if nb < 0 {
				if nb == -2 {
					if !dropped {
						b.keep()
					}
					return -1, false
				}
				if dropped {
					return x.branchesFailed(c), true
				}
			} else {
				picked = nb
			}
		} else if dropped {
			return x.branchesFailed(c), true
		}
		return picked, true
	}
	if code >= 100 {
		b.last = code
		relay = b.idx
		if code == 100 && x.m.conf().relay100 == 0 {
			relay = -1
		}
		if code >= 200 {
			x.cancelBranches(c, code, true)
			return relay, true
		}
		return relay, false
	}
	return -1, false
}

// branchesFailed is the end of a transaction whose failure route dropped
// the replies and started nothing: an error reply goes upstream.
func (x *txn) branchesFailed(c *event.Context) int {
	e := x.lastError
	if e == 0 {
		e = sip.ErrUnspec
	}
	if x.killTransaction(c, e) <= 0 {
		x.m.log.Log(klog.Err, Name, "t_should_relay_response(): reply generation failed")
	}
	return -1
}

// pickBranch chooses the reply to relay once every branch has a final one,
// as Kamailio's t_pick_branch: 6xx first, then 2xx, 3xx, 4xx (401, 407,
// 415, 420 and 484 before the other 4xx), 5xx. The branch inc (-1 none)
// is the one whose final reply incCode is being processed: it competes
// with that code. Any other branch competes only with the reply it kept,
// and a reply made here (kept as faked) is ranked faked_reply_prio lower;
// the current one never is, as it is not stored yet. -2 while a branch
// is still pending (a suspended transaction's blind branch excepted
// while it continues); -1 when no branch has a reply to pick.
func (x *txn) pickBranch(inc, incCode int) (int, int) {
	penalty := x.m.conf().fakedReplyPrio
	best, bestCode, bestKept := -1, 0, keptNone
	for _, b := range x.branches {
		if b.idx == inc {
			if prio(incCode, b.kept == keptFaked, penalty) < prio(bestCode, bestKept == keptFaked, penalty) {
				best, bestCode, bestKept = b.idx, incCode, b.kept
			}
			continue
		}
		if b.isBlind() && b.last >= 200 {
			continue
		}
		if b.pending() {
			if x.continuing && b.idx == x.blind {
				continue
			}
			return -2, 0
		}
		if b.kept != keptNone && prio(b.last, b.kept == keptFaked, penalty) < prio(bestCode, bestKept == keptFaked, penalty) {
			best, bestCode, bestKept = b.idx, b.last, b.kept
		}
	}
	return best, bestCode
}

// keep stores the branch's final reply for picking it later (Kamailio's
// store_reply).
func (b *branch) keep() {
	if b.faked || b.reply == nil {
		b.kept = keptFaked
	} else {
		b.kept = keptReal
	}
}

// prio is the rank of a reply code for picking: lower wins.
func prio(code int, faked bool, penalty int64) int {
	class := code / 100
	var p int
	if class < 7 {
		xx := code % 100
		base := [...]int{32000, 11000, 0, 3000, 4000, 5000, 1000}[class]
		if class == 4 {
			switch xx {
			case 1, 7, 15, 20, 84:
			default:
				xx += 100
			}
		}
		p = base + xx
	} else {
		p = 10000 + code
	}
	if faked {
		p += int(penalty)
	}
	return p
}

// sendRelayed sends the reply of branch relay upstream: the reply just
// received when it is that branch's, else the one stored; a reply kamgo
// made (timeout, cancel) is built from the request (487 once the
// transaction was canceled); a 503 becomes a 500 (remap_503_500); 401 and
// 407 from several branches are merged into one challenge
// (aggregate_challenges).
func (x *txn) sendRelayed(c *event.Context, relay int, cur *branch, rpl *sipmsg.Msg, code int, completed bool) {
	m := x.m
	rb := x.branches[relay]
	relayed := rpl
	faked := false
	if relay != cur.idx {
		relayed, faked = rb.reply, rb.faked
		code = rb.last
	} else if rpl == nil {
		faked = true
	}
	var buf string
	local := false
	switch {
	case faked || relayed == nil:
		if x.flags&flagCanceled != 0 {
			code = 487
		}
		if m.conf().aggregateChallenges != 0 && (code == 401 || code == 407) && x.authCount() > 1 {
			buf = x.aggregateAuth(code)
		} else {
			buf = x.localReplyText(code, m.fakedReason(code), "")
		}
		local = true
	case relayed.Status == 503 && m.conf().remap503500 != 0:
		buf = x.localReplyText(500, sip.ReasonPhrase(503), "")
		code, local = 500, true
	case m.conf().aggregateChallenges != 0 && (code == 401 || code == 407) && x.authCount() > 1:
		buf = x.aggregateAuth(code)
		local = true
	default:
		var ok bool
		if buf, ok = sip.RelayedReply(relayed); !ok {
			m.log.Log(klog.Err, Name, "relay_reply(): no outbound reply buffer (no second Via)")
			return
		}
		code = relayed.Status
	}
	m.stats.replyCount(code)
	m.stats.relayedReplies.Add(1)
	pushed := x.uas.status >= 200
	if m.conf().replyRelayMode == 0 || !pushed {
		x.uas.status, x.uas.buf, x.uas.local = code, buf, local
		x.relayedBranch = relay
		if local {
			x.uas.toTag = toTagOf(mustParse(buf))
		}
	}
	if completed {
		x.startFinalReplRetr()
		x.putOnWait()
	}
	report := x.noteRelayed(relayed, faked, code)
	if report {
		x.responseReady(c, relay, relayed, faked, code, buf)
	}
	if x.uas.hopOK {
		send := true
		if relayed != nil && !faked && (m.conf().replyRelayMode == 0 || !pushed) && x.tr.OnSendReplies() {
			send = x.tr.OnSend(c, relayed, &x.uas.hop, buf)
		}
		if send && x.tr.Send(x.uas.hop, buf) == nil && report {
			x.responseOut(c, relay, relayed, faked, code, buf, pushed)
		}
	} else {
		m.log.Log(klog.Notice, Name, "relay_reply(): dst no longer set - skipped sending the reply out")
	}
}

// localReplyText builds a reply to the transaction's request made here,
// with tm's to-tag from 180 on when the request's To has none.
func (x *txn) localReplyText(code int, reason, headers string) string {
	req := x.request()
	r := sip.Reply{Code: code, Reason: reason, Headers: req.ReplyHeaders + headers}
	if x.tr != nil {
		r.Server = x.tr.Server()
	}
	if code >= 180 && x.reqToTag(nil, req) == "" {
		r.ToTag = x.m.tags.Tag(x.first(), req)
	}
	return sip.BuildReply(req, r)
}

// mustParse parses a reply kamgo built; nil when it does not parse.
func mustParse(buf string) *sipmsg.Msg {
	m, err := sipmsg.Parse(buf)
	if err != nil {
		return &sipmsg.Msg{}
	}
	return m
}

// authCount is how many branches answered 401 or 407 with a stored reply.
func (x *txn) authCount() int {
	n := 0
	for _, b := range x.branches {
		if (b.last == 401 || b.last == 407) && b.reply != nil {
			n++
		}
	}
	return n
}

// aggregateAuth builds one challenge from the 401 and 407 replies of every
// branch: a local reply with code and every WWW-Authenticate and
// Proxy-Authenticate header they carry.
func (x *txn) aggregateAuth(code int) string {
	var hdrs string
	for _, b := range x.branches {
		if (b.last != 401 && b.last != 407) || b.reply == nil {
			continue
		}
		for _, h := range b.reply.Headers {
			switch sipmsg.CanonName(h.Name) {
			case "www-authenticate", "proxy-authenticate":
				hdrs += b.reply.Buf[h.Start:h.End]
			}
		}
	}
	return x.localReplyText(code, sip.ReasonPhrase(code), hdrs)
}

// localReply handles replies of a transaction kamgo started itself
// (t_uac_send, SendNew, SendWithin; rpl nil for one tm made): nothing
// goes upstream; the transaction completes with the first 2xx or when
// every branch has a final reply, which its LocalCompleted callbacks
// get.
func (x *txn) localReply(c *event.Context, b *branch, rpl *sipmsg.Msg, code int) {
	relay, completed := x.shouldRelay(c, b, rpl, code, rpl == nil)
	if relay >= 0 {
		win, wcode, faked := rpl, code, rpl == nil
		if relay != b.idx {
			wb := x.branches[relay]
			win, wcode, faked = wb.reply, wb.last, wb.faked
			if wb.faked {
				win = nil
			}
		}
		// Counted as Kamailio's local_reply counts the winner: as sent
		// (made here, or received and so relayed), and by the class of
		// a final one.
		if faked {
			x.m.stats.generated.Add(1)
		} else {
			x.m.stats.relayedReplies.Add(1)
		}
		if wcode >= 200 {
			x.m.stats.replyCount(wcode)
		}
		if code >= 200 {
			x.uas.status = code
			// before the wait state, as Kamailio's local_reply
			x.localCompleted(c, relay, win, wcode)
		}
	}
	if completed {
		for _, br := range x.branches {
			x.stopTimer(&br.retr)
			x.stopTimer(&br.fr)
		}
		x.putOnWait()
	}
}
