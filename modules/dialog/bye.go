package dialog

import (
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Requests the module sends inside a dialog (BYE, keep-alive OPTIONS),
// built as Kamailio's dialog builds them for tm's t_request_within: the
// Request-URI is the leg's Contact, the route set the leg's, From and To
// the dialog's with this server acting as the other side, the CSeq one
// above the other side's, Max-Forwards 70 and dlg_extra_hdrs. They go
// through tm's t_uac_send, as local transactions.

// withinRequest builds the t_uac_send arguments of method towards leg.
// A keep-alive (ka) carries a CSeq below the dialog's, so that a live
// peer answers 481 only if the dialog is gone, and no extra headers but
// lreq_callee_headers.
func (m *Module) withinRequest(d *dlg, leg int, method, hdrs string, ka bool) (*[6]string, bool) {
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
	switch {
	case ka && n > 1:
		n--
	case ka:
	default:
		n++
		if d.iflags&iflagPRACK != 0 {
			n += 80
		}
	}
	remURI, locURI := d.toURI, d.fromURI
	if leg == caller {
		remURI, locURI = d.fromURI, d.toURI
	}
	ruri, nexthop := d.contact[leg], ""
	var routes []string
	if d.routeSet[leg] != "" {
		routes = sipmsg.SplitList(d.routeSet[leg])
	}
	if len(routes) > 0 {
		na, err := sipmsg.ParseNameAddr(strings.TrimSpace(routes[0]))
		if err == nil {
			if u, err := sipmsg.ParseURI(na.URI); err == nil {
				if _, lr := routeParam(u.Params, "lr"); lr {
					nexthop = na.URI
				} else {
					// a strict router: it becomes the Request-URI, the
					// Contact the last Route
					ruri = na.URI
					routes = append(routes[1:], "<"+d.contact[leg]+">")
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("From: <" + locURI + ">;tag=" + d.tag[other] + "\r\n")
	b.WriteString("To: <" + remURI + ">;tag=" + d.tag[leg] + "\r\n")
	b.WriteString("Call-ID: " + d.callID + "\r\n")
	b.WriteString("CSeq: " + strconv.FormatUint(n, 10) + " " + method + "\r\n")
	for _, r := range routes {
		b.WriteString("Route: " + strings.TrimSpace(r) + "\r\n")
	}
	if !ka {
		b.WriteString("Max-Forwards: 70\r\n")
		b.WriteString(m.cfg.extraHdrs)
		b.WriteString(hdrs)
	}
	if leg == callee && m.cfg.lreqCalleeHeaders != "" {
		b.WriteString(m.cfg.lreqCalleeHeaders)
		if !strings.HasSuffix(m.cfg.lreqCalleeHeaders, "\n") {
			b.WriteString("\r\n")
		}
	}
	sock := ""
	if d.bind[leg] != nil {
		sock = d.bind[leg].String()
	}
	return &[6]string{method, ruri, nexthop, sock, b.String(), ""}, true
}

// send hands a request built by withinRequest to tm.
func (m *Module) send(c *event.Context, r *[6]string) bool {
	if m.uacSend == nil {
		return false
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
	sipmsg.Set(ec, sipmsg.Faked())
	ec.Set(ctxKey, &dctx{spiral: -1})
	ec.Set(uacKey, r)
	if ec.Worker == nil && m.host != nil {
		// event_route[tm:local-request] runs on a worker: a timer's or an
		// RPC's request borrows one of the core's
		if pool := m.host.Workers(); pool != nil {
			w := pool.Get()
			defer pool.Release(w)
			ec.Worker = w
		}
	}
	return m.uacSend(ec) > 0
}

// bye sends a BYE to one leg of a confirmed dialog (Kamailio's send_bye).
// m.mu must not be held.
func (m *Module) bye(c *event.Context, d *dlg, leg int, hdrs string) bool {
	m.mu.Lock()
	if d.state != stateConfirmedNA && d.state != stateConfirmed {
		m.mu.Unlock()
		m.log.Log(klog.Err, Name, "terminating non-confirmed dialogs not supported")
		return false
	}
	r, ok := m.withinRequest(d, leg, "BYE", hdrs, false)
	m.mu.Unlock()
	if !ok {
		m.log.Log(klog.Err, Name, "failed to create dlg_t")
		return false
	}
	if !m.send(c, r) {
		m.log.Log(klog.Err, Name, "failed to send the BYE request")
		return false
	}
	return true
}

// byeAll ends a confirmed dialog with a BYE to each side (Kamailio's
// dlg_bye_all); dialog:end runs once they left. kamgo does not wait for
// the BYEs' replies: the dialog is deleted when they are sent.
func (m *Module) byeAll(c *event.Context, d *dlg, hdrs string) bool {
	m.mu.Lock()
	state := d.state
	m.mu.Unlock()
	ok1 := m.bye(c, d, caller, hdrs)
	ok2 := m.bye(c, d, callee, hdrs)
	m.runEvent(c, d, nil, state, stateDeleted)
	m.endSent(d)
	return ok1 && ok2
}

// byeOne sends a BYE to one side (Kamailio's dlg_bye): each side gets
// one at most; the dialog ends once the BYE left.
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
	state := d.state
	m.mu.Unlock()
	ok := m.bye(c, d, leg, hdrs)
	m.runEvent(c, d, nil, state, stateDeleted)
	m.endSent(d)
	return ok
}

// endSent deletes d after the module's BYEs left (what Kamailio does on
// their replies, after which nothing holds the dialog any more).
func (m *Module) endSent(d *dlg) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, now := m.nextState(d, evReqBYE)
	if now == stateDeleted && old != stateDeleted {
		d.endTS = m.nowUnix()
		m.stats.active.Add(-1)
		m.unlink(d)
	}
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

// armKA runs the keep-alive round every ka_timer seconds (Kamailio's
// dlg_ka_run): each queued dialog whose time came gets an OPTIONS inside
// the dialog to the caller (ka-src) and the callee (ka-dst) while it is
// confirmed, and is queued again ka_interval later until it is deleted.
// The OPTIONS' replies are not seen (tm's local requests report none),
// so ka_failed_limit never shortens a dialog.
func (m *Module) armKA() {
	every := time.Duration(m.cfg.kaTimer) * time.Second
	interval := time.Duration(m.cfg.kaInterval) * time.Second
	var round func()
	round = func() {
		if m.stopped.Load() {
			return
		}
		now := m.now()
		var reqs []*[6]string
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
					if r, ok := m.withinRequest(e.d, side.leg, "OPTIONS", "", true); ok {
						reqs = append(reqs, r)
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
			if !m.send(nil, r) {
				m.log.Log(klog.Err, Name, "failed to send the OPTIONS request")
			}
		}
	}
	m.mu.Lock()
	m.kaStop = m.clock.AfterFunc(every, round)
	m.mu.Unlock()
}

// transfer is Kamailio's dlg_transfer: it views the dialog from side's
// leg as a new dialog whose callee is the other leg (the route set of
// that leg, the URIs of the original From and To swapped when side is
// the caller) and sends it a REFER with Referred-By bridge_controller,
// Refer-To target and Contact bridge_contact, then a BYE one CSeq up.
// Kamailio sends the BYE once the REFER is answered; tm's local requests
// report no answer here, so the BYE follows the REFER at once.
func (m *Module) transfer(c *event.Context, d *dlg, target string, side int) bool {
	other := 1 - side
	m.mu.Lock()
	if d.contact[other] == "" {
		m.mu.Unlock()
		m.log.Log(klog.Err, Name, "no contact available")
		return false
	}
	nd := &dlg{callID: d.callID, fromURI: d.fromURI, toURI: d.toURI}
	if side == caller {
		nd.fromURI, nd.toURI = d.toURI, d.fromURI
	}
	nd.tag[caller], nd.contact[caller], nd.cseq[caller] = d.tag[side], d.contact[side], d.cseq[side]
	nd.tag[callee], nd.routeSet[callee], nd.contact[callee], nd.cseq[callee] =
		d.tag[other], d.routeSet[other], d.contact[other], d.cseq[other]
	for i := range nd.cseq {
		if nd.cseq[i] == "" {
			nd.cseq[i] = "0"
		}
	}
	hdrs := "Referred-By: " + m.cfg.bridgeController + "\r\nRefer-To: " + target + "\r\nContact: <" + m.cfg.bridgeContact + ">\r\n"
	refer, ok := m.withinRequest(nd, callee, "REFER", "", false)
	var bye *[6]string
	if ok {
		refer[4] = strings.Replace(refer[4], "Max-Forwards: 70\r\n"+m.cfg.extraHdrs, hdrs, 1)
		nd.cseq[caller] = strconv.FormatUint(cseqNum(nd.cseq[caller])+1, 10)
		bye, ok = m.withinRequest(nd, callee, "BYE", "", false)
		bye[4] = strings.Replace(bye[4], "Max-Forwards: 70\r\n"+m.cfg.extraHdrs, "", 1)
	}
	m.mu.Unlock()
	if !ok {
		m.log.Log(klog.Err, Name, "failed to create dlg_t")
		return false
	}
	if !m.send(c, refer) {
		m.log.Log(klog.Err, Name, "failed to send the REFER request")
		return false
	}
	if !m.send(c, bye) {
		m.log.Log(klog.Err, Name, "failed to send the REFER request")
	}
	return true
}

// cseqNum reads a CSeq number (0 when it is not one).
func cseqNum(s string) uint64 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return n
}
