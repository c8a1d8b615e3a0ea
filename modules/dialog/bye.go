package dialog

import (
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Requests the module sends inside a dialog (BYE, keep-alive OPTIONS),
// as Kamailio's dialog sends them with tm's t_request_within: the
// dialog seen from the other side (tmDialog), tm writes the request and
// follows it as a local transaction, and the module's callback gets its
// final reply.

// tmDialog is d as the side opposite leg sees it, for a request to leg
// (Kamailio's build_dlg_t): the remote target is leg's Contact, the
// route set leg's, From the other side's URI and tag, To leg's, the
// CSeq the other side's last. m.mu must be held.
func (m *Module) tmDialog(d *dlg, leg int) (*tm.Dialog, bool) {
	if d.contact[leg] == "" {
		m.log.Log(klog.Err, Name, "no contact available")
		return nil, false
	}
	other := 1 - leg
	n, err := strconv.ParseUint(d.cseq[other], 10, 32)
	if err != nil {
		m.log.Log(klog.Err, Name, "invalid cseq")
		return nil, false
	}
	remURI, locURI := d.toURI, d.fromURI
	if leg == caller {
		remURI, locURI = d.fromURI, d.toURI
	}
	var routes []string
	for _, r := range sipmsg.SplitList(d.routeSet[leg]) {
		if r = strings.TrimSpace(r); r != "" {
			routes = append(routes, r)
		}
	}
	return &tm.Dialog{CallID: d.callID, LocalURI: locURI, LocalTag: d.tag[other], RemoteURI: remURI,
		RemoteTag: d.tag[leg], CSeq: uint32(n), Target: d.contact[leg], RouteSet: routes, Socket: d.bind[leg]}, true
}

// sendWithin hands a request in td to tm; done, when not nil, gets its
// final reply (nil when tm made it: a timeout), on tm's event c (on a
// worker: what done sends goes from there). m.mu must not be held: tm
// calls done with its transaction locked, and done takes m.mu.
func (m *Module) sendWithin(c *event.Context, td *tm.Dialog, method, hdrs string, done func(c *event.Context, code int, rpl *sipmsg.Msg)) bool {
	var cb tm.Callback
	if done != nil {
		cb = func(e *tm.Event) { done(e.Ctx, e.Code, e.Reply) }
	}
	return m.tm.SendWithin(m.sendEvent(c), td, method, hdrs, "", tm.LocalCompleted, cb) == nil
}

// sendEvent is the context tm sends the module's requests in: c's
// worker, with the SIP transport the module saw last when c has none
// (a timer's or an RPC's request).
func (m *Module) sendEvent(c *event.Context) *event.Context {
	if c != nil && sip.From(c) != nil {
		return c
	}
	ec := &event.Context{}
	ec.Reset()
	ec.Log = m.log
	if c != nil {
		ec.Worker = c.Worker
	}
	if tr := m.tr.Load(); tr != nil {
		sip.Attach(ec, tr)
	}
	return ec
}

// byeHeaders are the headers of the module's BYEs (Kamailio's
// build_extra_hdr): Max-Forwards, dlg_extra_hdrs, the headers given and,
// to the callee, lreq_callee_headers.
func (m *Module) byeHeaders(leg int, hdrs string) string {
	h := "Max-Forwards: 70\r\n" + m.cfg.extraHdrs + hdrs
	if leg == callee && m.cfg.lreqCalleeHeaders != "" {
		h += m.cfg.lreqCalleeHeaders
		if !strings.HasSuffix(m.cfg.lreqCalleeHeaders, "\n") {
			h += "\r\n"
		}
	}
	return h
}

// bye sends a BYE to one leg of a confirmed dialog (Kamailio's send_bye);
// its first final reply ends the dialog (byeReplied). m.mu must not be
// held.
func (m *Module) bye(c *event.Context, d *dlg, leg int, hdrs string) bool {
	m.mu.Lock()
	if d.state != stateConfirmedNA && d.state != stateConfirmed {
		m.mu.Unlock()
		m.log.Log(klog.Err, Name, "terminating non-confirmed dialogs not supported")
		return false
	}
	td, ok := m.tmDialog(d, leg)
	if ok && d.iflags&iflagPRACK != 0 {
		// the PRACKs of the call setup may have used CSeq numbers
		td.CSeq += 80
	}
	hEntry, hID := d.hEntry, d.hID
	m.mu.Unlock()
	if !ok {
		m.log.Log(klog.Err, Name, "failed to create dlg_t")
		return false
	}
	done := func(*event.Context, int, *sipmsg.Msg) { m.byeReplied(hEntry, hID) }
	if !m.sendWithin(c, td, "BYE", m.byeHeaders(leg, hdrs), done) {
		m.log.Log(klog.Err, Name, "failed to send the BYE request")
		return false
	}
	return true
}

// byeReplied is the final reply to one of the module's BYEs (Kamailio's
// bye_reply_cb): the first deletes the dialog; nothing holds it any more
// then, so it leaves the table at once, and the reply to the other BYE
// finds nothing.
func (m *Module) byeReplied(hEntry, hID uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.lookup(hEntry, hID)
	if d == nil {
		return
	}
	old, now := m.nextState(d, evReqBYE)
	if now == stateDeleted && old != stateDeleted {
		d.endTS = m.nowUnix()
		m.stats.active.Add(-1)
	}
	if now == stateDeleted {
		m.unlink(d)
	}
}

// byeAll ends a confirmed dialog with a BYE to each side (Kamailio's
// dlg_bye_all); dialog:end runs once they left.
func (m *Module) byeAll(c *event.Context, d *dlg, hdrs string) bool {
	ok1 := m.bye(c, d, caller, hdrs)
	ok2 := m.bye(c, d, callee, hdrs)
	m.mu.Lock()
	state := d.state
	m.mu.Unlock()
	m.runEvent(c, d, nil, state, stateDeleted)
	return ok1 && ok2
}

// byeOne sends a BYE to one side (Kamailio's dlg_bye): each side gets
// one at most.
func (m *Module) byeOne(c *event.Context, d *dlg, leg int, hdrs string) bool {
	m.mu.Lock()
	flag := uint32(dflagCallerBye)
	if leg == callee {
		flag = dflagCalleeBye
	}
	if d.dflags&flag != 0 {
		m.mu.Unlock()
		return false
	}
	d.dflags |= flag
	m.mu.Unlock()
	ok := m.bye(c, d, leg, hdrs)
	m.mu.Lock()
	state := d.state
	m.mu.Unlock()
	m.runEvent(c, d, nil, state, stateDeleted)
	return ok
}

// kaEntry is a dialog waiting for its next keep-alive, with the
// properties it had when it was confirmed.
type kaEntry struct {
	d      *dlg
	iflags uint32
	at     time.Time
}

// kaAdd queues a dialog just confirmed for keep-alives when ka_interval
// is set and it has ka-src or ka-dst (Kamailio's dlg_ka_add). m.mu must
// be held.
func (m *Module) kaAdd(d *dlg) {
	if m.cfg.kaInterval <= 0 || d.iflags&(iflagKASrc|iflagKADst) == 0 {
		return
	}
	m.kaList = append(m.kaList, &kaEntry{d: d, iflags: d.iflags, at: m.now().Add(time.Duration(m.cfg.kaInterval) * time.Second)})
}

// kaRequest is one keep-alive to send.
type kaRequest struct {
	td          *tm.Dialog
	leg         int
	hEntry, hID uint32
}

// armKA runs the keep-alive round every ka_timer seconds (Kamailio's
// dlg_ka_run): each queued dialog whose time came gets, while confirmed,
// an OPTIONS inside the dialog to the caller (ka-src) and the callee
// (ka-dst), and is queued again ka_interval later until it is deleted.
// The answers are counted by kaReplied.
func (m *Module) armKA() {
	every := time.Duration(m.cfg.kaTimer) * time.Second
	interval := time.Duration(m.cfg.kaInterval) * time.Second
	var round func()
	round = func() {
		if m.stopped.Load() {
			return
		}
		now := m.now()
		var reqs []kaRequest
		m.mu.Lock()
		for len(m.kaList) > 0 && !m.kaList[0].at.After(now) {
			e := m.kaList[0]
			m.kaList = m.kaList[1:]
			if e.d.gone {
				continue
			}
			if e.d.state == stateConfirmed {
				for _, side := range []struct {
					flag uint32
					leg  int
				}{{iflagKASrc, caller}, {iflagKADst, callee}} {
					if e.iflags&side.flag == 0 {
						continue
					}
					if td, ok := m.tmDialog(e.d, side.leg); ok {
						// a CSeq below the dialog's: a peer that forgot
						// the dialog answers 481
						if td.CSeq > 1 {
							td.CSeq -= 2
						} else {
							td.CSeq--
						}
						reqs = append(reqs, kaRequest{td: td, leg: side.leg, hEntry: e.d.hEntry, hID: e.d.hID})
					} else {
						m.log.Log(klog.Err, Name, "failed to create dlg_t")
					}
				}
			}
			if e.d.state == stateDeleted {
				continue
			}
			e.at = now.Add(interval)
			m.kaList = append(m.kaList, e)
		}
		m.kaStop = m.clock.AfterFunc(every, round)
		m.mu.Unlock()
		for _, r := range reqs {
			hdrs := ""
			if r.leg == callee {
				hdrs = m.cfg.lreqCalleeHeaders
			}
			done := func(_ *event.Context, code int, _ *sipmsg.Msg) { m.kaReplied(r.hEntry, r.hID, r.leg, code) }
			if !m.sendWithin(nil, r.td, "OPTIONS", hdrs, done) {
				m.log.Log(klog.Err, Name, "failed to send the OPTIONS request")
			}
		}
	}
	m.mu.Lock()
	m.kaStop = m.clock.AfterFunc(every, round)
	m.mu.Unlock()
}

// kaReplied counts the final reply to a keep-alive sent to leg
// (Kamailio's dlg_ka_cb_all): a 408 (tm's timeout too) or a 481 is a
// failure, and ka_failed_limit failures in a row leave the confirmed
// dialog 10 more seconds; any other reply resets the count. A 408 from
// a leg without a CSeq is not counted.
func (m *Module) kaReplied(hEntry, hID uint32, leg int, code int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.lookup(hEntry, hID)
	if d == nil {
		return
	}
	if code != 408 && code != 481 {
		if d.state == stateConfirmed {
			d.kaFailed[leg] = 0
		}
		return
	}
	if d.state != stateConfirmed || (code == 408 && d.cseq[leg] == "") {
		return
	}
	d.kaFailed[leg]++
	if d.kaFailed[leg] < m.cfg.kaFailedLimit {
		return
	}
	if d.timerStop == nil {
		m.log.Log(klog.Err, Name, "failed to update dialog lifetime")
		return
	}
	m.armTimer(d, 10*time.Second)
	d.lifetime = 10
	d.dflags |= dflagChanged
}
