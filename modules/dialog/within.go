package dialog

import (
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Requests inside a dialog: rr's loose_route() hands the module the
// requests it routes by this server's Route entry (Kamailio's
// dlg_onroute, an rr callback), and their dialog moves there.

// Request implements sip.Layer: it notes the transport the module sends
// with. The request is never taken.
func (m *Module) Request(c *event.Context, _ *sipmsg.Msg) bool {
	if t := sip.From(c); t != nil {
		m.tr.Store(t)
	}
	return false
}

// RequestDone implements sip.RequestDoner: a dialog the request made
// that no transaction took is dropped (Kamailio's post-script release).
func (m *Module) RequestDone(c *event.Context) {
	x, ok := c.Get(ctxKey).(*dctx)
	if !ok || !x.created || x.t {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if d := m.ctxDialog(x); d != nil && d.state == stateUnconfirmed {
		m.unlink(d)
	}
}

// Reply implements sip.Layer; replies reach the module through tm.
func (m *Module) Reply(*event.Context, *sipmsg.Msg) bool { return false }

// routeParam finds name=value in URI parameters.
func routeParam(params, name string) (string, bool) {
	for _, p := range strings.Split(params, ";") {
		n, v, _ := strings.Cut(p, "=")
		if strings.TrimSpace(n) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// onRoute moves the dialog of a request inside it (Kamailio's
// dlg_onroute), called by loose_route() with this server's Route
// parameters: ACK confirms, BYE deletes, other requests refresh the
// timeout, Contact and CSeq. mode is the matching mode.
func (m *Module) onRoute(c *event.Context, msg *sipmsg.Msg, params string, mode int64) {
	x := ctxOf(c)
	m.mu.Lock()
	if m.ctxDialog(x) != nil {
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	callID, ftag, ttag, ok := msgIDs(msg)
	if to, okTo := msg.Header("to"); !okTo {
		m.logf(c, klog.Err, "bad request or missing TO hdr :-/")
		return
	} else if na, err := sipmsg.ParseNameAddr(to); err != nil {
		return
	} else if t, _ := na.Param("tag"); t == "" {
		return
	}
	var d *dlg
	dir := dirNone
	m.mu.Lock()
	if mode != matchNoID {
		val, found := routeParam(params, m.cfg.rrParam)
		if !found {
			if mode == matchDID {
				m.mu.Unlock()
				return
			}
		} else {
			he, hi, okp := parseDid(val)
			if !okp {
				m.mu.Unlock()
				m.logf(c, klog.Err, "malformed rr param '%s'", val)
				return
			}
			d = m.lookup(he, hi)
			if d == nil {
				m.mu.Unlock()
				m.logf(c, klog.Warn, "unable to find dialog for %s with route param '%s' [%d:%d] and call-id '%s'",
					msg.Method, val, he, hi, callID)
				if mode == matchDID {
					return
				}
				m.mu.Lock()
			} else {
				if !ok || ttag == "" {
					m.mu.Unlock()
					return
				}
				var matched bool
				if matched, dir = match(d, callID, ftag, ttag); !matched {
					m.mu.Unlock()
					m.logf(c, klog.Warn, "tight matching failed for %s with callid='%s'/%d, ftag='%s'/%d, ttag='%s'/%d and direction=%d",
						msg.Method, callID, len(callID), ftag, len(ftag), ttag, len(ttag), dir)
					if mode == matchDID {
						return
					}
					m.mu.Lock()
					d, dir = nil, dirNone
				}
			}
		}
	}
	if d == nil {
		if !ok || ttag == "" {
			m.mu.Unlock()
			return
		}
		d, dir = m.search(callID, ftag, ttag)
		if d == nil {
			m.mu.Unlock()
			return
		}
	}
	// Kamailio's dlg_onroute leaves the context's direction alone
	x.setDlg(d)
	ev := evReq
	switch msg.Method {
	case "PRACK":
		ev = evReqPRACK
	case "ACK":
		ev = evReqACK
	case "BYE":
		ev = evReqBYE
	}
	old, now := m.nextState(d, ev)
	x.curSet = true
	x.curLifetime = m.nowUnix() - d.startTS
	x.curStatus = now
	m.mu.Unlock()
	if !m.runEvent(c, d, msg, old, now) {
		return
	}
	timeout := m.timeoutOf(c)
	m.mu.Lock()
	if now == stateDeleted && old != stateDeleted {
		d.endTS = m.nowUnix()
	}
	if now == stateConfirmed && old != stateConfirmed {
		m.kaAdd(d)
	}
	if ev == evReqBYE && now == stateDeleted && old != stateDeleted {
		m.stats.active.Add(-1)
		m.unlinkLater(d)
		m.mu.Unlock()
		return
	}
	addRR := false
	if (ev == evReq || ev == evReqACK || ev == evReqPRACK) && (now == stateConfirmed || now == stateEarly) {
		if timeout != m.cfg.defaultTimeout {
			d.lifetime = uint32(timeout)
		}
		reset := d.iflags&iflagTimerNoreset == 0 && m.cfg.timeoutNoreset == 0
		if now != stateEarly && (old != stateConfirmed || reset) && d.timerStop != nil {
			m.armTimer(d, time.Duration(d.lifetime)*time.Second)
			d.dflags |= dflagChanged
		}
		if ev != evReqACK {
			leg := caller
			if dir == dirUpstream {
				leg = callee
			}
			if msg.Method == "INVITE" {
				if ct, okc := contactURI(msg); okc {
					d.contact[leg] = ct
				} else {
					m.logf(c, klog.Err, "contacts update failed")
				}
			}
			if num, _, okc := msg.CSeq(); okc {
				d.cseq[leg] = num
			}
			d.dflags |= dflagChanged
		}
		addRR = old != stateConfirmedNA
	}
	hEntry, hID := d.hEntry, d.hID
	m.mu.Unlock()
	if addRR && m.addDid(c, hEntry, hID) < 0 {
		m.logf(c, klog.Err, "failed to add RR param")
	}
}
