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
	"github.com/kamgo/kamgo/runtime/value"
)

// dctx is what Kamailio keeps per process for the message being routed
// (_dlg_ctx and the pending profile links): kamgo keeps it in the event.
// The transaction's contexts share it, so $dlg in failure_route and
// onreply_route sees the dialog the request made or found.
type dctx struct {
	on          int64
	flags       uint32
	iflags      uint32
	timeout     int64
	toBye       int64
	toRoute     int64
	toRouteName string
	dir         int
	hEntry, hID uint32 // the dialog of the event; hID 0: none
	t           bool
	created     bool // the dialog was made by this event
	pending     []*link
	spiral      int // -1 not decided, 0 no, 1 yes
	// the state change of the last in-dialog request ($DLG_lifetime,
	// $DLG_status)
	curSet      bool
	curLifetime int64
	curStatus   int
}

var ctxKey = event.NewKey()

// ctxOf returns the dialog context of c, made on first use.
func ctxOf(c *event.Context) *dctx {
	if x, ok := c.Get(ctxKey).(*dctx); ok {
		return x
	}
	x := &dctx{spiral: -1}
	c.Set(ctxKey, x)
	return x
}

func (x *dctx) setDlg(d *dlg) { x.hEntry, x.hID = d.hEntry, d.hID }

// ctxDialog is the dialog the context names. m.mu must be held.
func (m *Module) ctxDialog(x *dctx) *dlg {
	if x.hID == 0 {
		return nil
	}
	return m.lookup(x.hEntry, x.hID)
}

// msgIDs reads Call-ID and the tags of msg; ok is false without a
// Call-ID, To or a From tag.
func msgIDs(msg *sipmsg.Msg) (callID, ftag, ttag string, ok bool) {
	cid, okc := msg.Header("call-id")
	to, okt := msg.Header("to")
	from, okf := msg.Header("from")
	if !okc || !okt || !okf {
		return "", "", "", false
	}
	tna, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		return "", "", "", false
	}
	fna, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		return "", "", "", false
	}
	ftag, _ = fna.Param("tag")
	if ftag == "" {
		return "", "", "", false
	}
	ttag, _ = tna.Param("tag")
	return trimLWS(cid), ftag, ttag, true
}

// msgDialog is the event's dialog (Kamailio's dlg_get_msg_dialog): the
// context's, else the one the message's Call-ID and tags name. m.mu must
// be held.
func (m *Module) msgDialog(c *event.Context) *dlg {
	if d := m.ctxDialog(ctxOf(c)); d != nil {
		return d
	}
	msg := sipmsg.FromContext(c)
	if msg == nil {
		return nil
	}
	callID, ftag, ttag, ok := msgIDs(msg)
	if !ok {
		return nil
	}
	d, _ := m.search(callID, ftag, ttag)
	return d
}

// msgDialogDir is msgDialog with the direction of the event's message in
// the dialog (Kamailio's dlg_lookup_msg_dialog). m.mu must be held.
func (m *Module) msgDialogDir(c *event.Context) (*dlg, int) {
	msg := sipmsg.FromContext(c)
	if msg == nil {
		return nil, dirNone
	}
	callID, ftag, ttag, ok := msgIDs(msg)
	if d := m.ctxDialog(ctxOf(c)); d != nil {
		if !ok {
			return nil, dirNone
		}
		switch {
		case d.tag[caller] == ftag && d.callID == callID:
			return d, dirDownstream
		case ttag != "" && d.tag[caller] == ttag && d.callID == callID:
			return d, dirUpstream
		}
		return d, dirNone
	}
	if !ok {
		return nil, dirNone
	}
	return m.search(callID, ftag, ttag)
}

// timeoutOf is the lifetime for a dialog of the request in c: timeout_avp
// when it holds a positive integer, else default_timeout.
func (m *Module) timeoutOf(c *event.Context) int64 {
	if m.timeoutRef != nil {
		v := m.timeoutRef.Get(c)
		if v.K == value.Int || v.Num {
			if v.I > 0 {
				return v.I
			}
		}
	}
	return m.cfg.defaultTimeout
}

// contactURI is the URI of the one Contact of msg.
func contactURI(msg *sipmsg.Msg) (string, bool) {
	vals := msg.HeaderValues("contact")
	if len(vals) != 1 {
		return "", false
	}
	parts := sipmsg.SplitList(vals[0])
	if len(parts) != 1 {
		return "", false
	}
	na, err := sipmsg.ParseNameAddr(strings.TrimSpace(parts[0]))
	if err != nil {
		return "", false
	}
	return na.URI, true
}

// recordRoutes are the entries of msg's Record-Route headers, in order,
// each as written (name-addr with its parameters).
func recordRoutes(msg *sipmsg.Msg) []string {
	var out []string
	for _, v := range msg.HeaderValues("record-route") {
		for _, p := range sipmsg.SplitList(v) {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// newDialog makes a dialog for the INVITE of c (Kamailio's
// dlg_new_dialog): 0 when made or when a spiral was found, -1 otherwise.
func (m *Module) newDialog(c *event.Context, msg *sipmsg.Msg) int {
	x := ctxOf(c)
	m.mu.Lock()
	if m.ctxDialog(x) != nil || msg.Method != "INVITE" {
		m.mu.Unlock()
		return -1
	}
	callID, ftag, ttag, ok := msgIDs(msg)
	if !ok {
		m.mu.Unlock()
		m.logf(c, klog.Warn, "pre-matching failed")
		return -1
	}
	if ttag != "" {
		m.mu.Unlock()
		return -1
	}
	m.mu.Unlock()
	// pseudo-variables are read before the table is locked: timeout_avp
	// may name one of the module's own
	reqURI := trimLWS(m.ruriFmt.String(c))
	lifetime := m.timeoutOf(c)
	m.mu.Lock()
	if d, _ := m.search(callID, ftag, ""); d != nil && m.cfg.detectSpirals != 0 {
		if x.spiral == 1 {
			m.mu.Unlock()
			return 0
		}
		if d.state != stateDeleted {
			x.spiral = 1
			x.setDlg(d)
			m.mu.Unlock()
			return 0
		}
	}
	x.spiral = 0
	from, _ := msg.Header("from")
	to, _ := msg.Header("to")
	fna, _ := sipmsg.ParseNameAddr(from)
	tna, _ := sipmsg.ParseNameAddr(to)
	d := &dlg{callID: callID, fromURI: fna.URI, toURI: tna.URI, reqURI: reqURI,
		state: stateUnconfirmed, initTS: m.nowUnix()}
	d.hEntry = m.hashEntry(callID)
	if !m.callerLeg(c, d, msg, ftag) {
		m.mu.Unlock()
		m.logf(c, klog.Err, "could not add further info to the dialog")
		return -1
	}
	d.vars = append(d.vars, *localVars(c)...)
	*localVars(c) = nil
	m.link(d)
	d.lifetime = uint32(lifetime)
	d.torouteName = x.toRouteName
	d.toroute = int(x.toRoute)
	d.sflags |= x.flags
	d.iflags |= x.iflags
	if m.cfg.sendBye != 0 || x.toBye != 0 {
		d.iflags |= iflagTimeoutBye
	}
	hEntry, hID := d.hEntry, d.hID
	x.setDlg(d)
	x.created = true
	for i := len(x.pending) - 1; i >= 0; i-- {
		m.attach(x.pending[i], d)
	}
	x.pending = nil
	m.mu.Unlock()
	if m.cfg.matchMode != matchNoID && m.addDid(c, hEntry, hID) < 0 {
		m.logf(c, klog.Err, "failed to add RR param")
		m.mu.Lock()
		m.unlink(d)
		m.mu.Unlock()
		x.hID = 0
		return -1
	}
	m.stats.processed.Add(1)
	return 0
}

// callerLeg fills the caller's leg of d from the INVITE. m.mu must be
// held.
func (m *Module) callerLeg(c *event.Context, d *dlg, msg *sipmsg.Msg, ftag string) bool {
	num, _, ok := msg.CSeq()
	if !ok {
		m.logf(c, klog.Err, "bad sip message or missing CSeq hdr")
		return false
	}
	ct, ok := contactURI(msg)
	if !ok {
		m.logf(c, klog.Err, "bad sip message or missing Contact hdr")
		return false
	}
	rr := recordRoutes(msg)
	d.fromRRNb = len(rr)
	if num == "" {
		num = "0"
	}
	d.tag[caller], d.cseq[caller], d.contact[caller] = ftag, num, ct
	d.routeSet[caller] = strings.Join(rr, ",")
	d.bind[caller] = msg.Rcv
	return true
}

// calleeLeg fills the callee's leg of d from the 2xx reply: its to-tag,
// Contact and Record-Route set in reverse order without the entries the
// request carried and this server's own. m.mu must be held.
func (m *Module) calleeLeg(c *event.Context, d *dlg, rpl *sipmsg.Msg) {
	tag := ""
	if to, ok := rpl.Header("to"); ok {
		if na, err := sipmsg.ParseNameAddr(to); err == nil {
			tag, _ = na.Param("tag")
		}
	}
	if tag == "" {
		m.logf(c, klog.Err, "missing TAG param in TO hdr :-/")
	}
	ct, ok := contactURI(rpl)
	if !ok {
		m.logf(c, klog.Err, "bad sip message or missing Contact hdr")
		m.logf(c, klog.Err, "could not add further info to the dialog")
		return
	}
	rr := recordRoutes(rpl)
	own := 0
	if m.cfg.keepProxyRR&1 == 0 {
		for i := len(rr) - d.fromRRNb - 1; i >= 0 && own < 2 && m.names(c, rr[i]); i-- {
			own++
		}
	}
	skip := d.fromRRNb + own
	var set []string
	for i := len(rr) - skip - 1; i >= 0; i-- {
		set = append(set, rr[i])
	}
	d.tag[callee], d.contact[callee] = tag, ct
	if d.cseq[callee] == "" {
		d.cseq[callee] = "0"
	}
	d.routeSet[callee] = strings.Join(set, ",")
	d.bind[callee] = rpl.Rcv
}

// names reports whether a Record-Route entry names this server.
func (m *Module) names(c *event.Context, nameAddr string) bool {
	na, err := sipmsg.ParseNameAddr(nameAddr)
	if err != nil {
		return false
	}
	u, err := sipmsg.ParseURI(na.URI)
	if err != nil || u.Host == "" {
		return false
	}
	port := sip.SIPPort
	if u.Port != "" {
		port, _ = strconv.Atoi(u.Port)
	}
	t := sip.From(c)
	if t == nil {
		t = m.tr.Load()
	}
	return t != nil && t.Myself(u.Host, port, sipmsg.ProtoNone)
}

// addDid puts the did parameter into the request's Record-Route through
// rr's add_rr_param.
func (m *Module) addDid(c *event.Context, hEntry, hID uint32) int {
	if m.addRRParam == nil {
		return -1
	}
	old := c.Get(rrParamKey)
	c.Set(rrParamKey, ";"+m.cfg.rrParam+"="+didParam(hEntry, hID))
	rc := m.addRRParam(c)
	c.Set(rrParamKey, old)
	return rc
}

// onRequestIn is tm's RequestIn callback (Kamailio's dlg_onreq): an
// INVITE with the dialog of the event, or with dlg_flag set, has its
// transaction watched.
func (m *Module) onRequestIn(e *tm.Event) {
	x := ctxOf(e.Ctx)
	if e.Req.Method == "BYE" {
		x.t = true
		return
	}
	if e.Req.Method != "INVITE" {
		return
	}
	m.mu.Lock()
	d := m.ctxDialog(x)
	m.mu.Unlock()
	if d == nil {
		f := m.cfg.dlgFlag
		if f < 0 || f > 31 || e.Ctx.Flags&(1<<uint(f)) == 0 {
			return
		}
		m.newDialog(e.Ctx, e.Req)
		m.mu.Lock()
		d = m.ctxDialog(x)
		m.mu.Unlock()
	}
	if d != nil {
		m.watch(e.Txn, d, x.spiral == 1)
		x.t = true
	}
}

// watch registers the reply callbacks of the dialog's transaction
// (Kamailio's dlg_set_tm_callbacks); a spiral is not watched again.
func (m *Module) watch(t *tm.Txn, d *dlg, spiral bool) {
	m.mu.Lock()
	d.dflags |= dflagTM
	hEntry, hID := d.hEntry, d.hID
	m.mu.Unlock()
	if spiral {
		return
	}
	t.Register(tm.ResponseReady|tm.OnFailure, func(ev *tm.Event) { m.onReply(hEntry, hID, ev) })
}

// onReply follows the replies of a dialog's INVITE (Kamailio's
// dlg_onreply): the state moves when tm has a reply ready to go upstream,
// before it leaves, so the ACK of a 2xx finds the dialog confirmed.
func (m *Module) onReply(hEntry, hID uint32, e *tm.Event) {
	if m.stopped.Load() {
		return
	}
	m.mu.Lock()
	d := m.lookup(hEntry, hID)
	if d == nil {
		m.mu.Unlock()
		return
	}
	if e.Type == tm.OnFailure {
		ctxOf(e.Ctx).setDlg(d)
		m.mu.Unlock()
		return
	}
	ev := evRpl3xx
	switch {
	case e.Code < 200:
		ev = evRpl1xx
	case e.Code < 300:
		ev = evRpl2xx
	}
	old, now := m.nextState(d, ev)
	if now == stateDeleted && old != stateDeleted {
		d.endTS = m.nowUnix()
	}
	m.mu.Unlock()
	if !m.runEvent(e.Ctx, d, e.Reply, old, now) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case now == stateEarly:
		if old != stateEarly {
			m.stats.early.Add(1)
		}
	case now == stateConfirmedNA && old != stateConfirmedNA && old != stateConfirmed:
		if e.Reply != nil {
			m.calleeLeg(e.Ctx, d, e.Reply)
		} else {
			m.logf(e.Ctx, klog.Err, "Faked reply!")
		}
		d.startTS = m.nowUnix()
		d.dflags |= dflagNew
		m.armTimer(d, time.Duration(d.lifetime)*time.Second)
		if old == stateEarly {
			m.stats.early.Add(-1)
		}
		m.stats.active.Add(1)
	case now == stateDeleted && (old == stateUnconfirmed || old == stateEarly):
		if old == stateEarly {
			m.stats.early.Add(-1)
		}
		m.stats.failed.Add(1)
		m.unlinkLater(d)
	}
}

// unlinkLater takes d out of the table once in-flight messages of its
// last transaction had time to pass (Kamailio waits for the transaction
// to be destroyed: tm's wait timer, 5 s by default). m.mu must be held.
func (m *Module) unlinkLater(d *dlg) {
	if d.timerStop != nil {
		d.timerStop()
		d.timerStop = nil
	}
	d.deadline = time.Time{}
	m.clock.AfterFunc(unlinkDelay, func() {
		m.mu.Lock()
		m.unlink(d)
		m.mu.Unlock()
	})
}

// unlinkDelay is how long a deleted dialog stays listed.
const unlinkDelay = 5 * time.Second

// armTimer (re)arms d's timeout. m.mu must be held.
func (m *Module) armTimer(d *dlg, after time.Duration) {
	if d.timerStop != nil {
		d.timerStop()
		d.ref--
	}
	d.deadline = m.now().Add(after)
	d.ref++
	d.timerStop = m.clock.AfterFunc(after, func() { m.onTimeout(d) })
}

// onTimeout ends a dialog whose lifetime ran out (Kamailio's
// dlg_ontimeout): with send_bye (or $dlg_ctx(timeout_bye)) a BYE goes to
// both sides, otherwise it is deleted.
func (m *Module) onTimeout(d *dlg) {
	if m.stopped.Load() {
		return
	}
	m.mu.Lock()
	if d.gone || d.timerStop == nil {
		m.mu.Unlock()
		return
	}
	d.timerStop = nil
	d.ref--
	d.deadline = time.Time{}
	d.dflags |= dflagExpired
	confirmed := d.state == stateConfirmedNA || d.state == stateConfirmed
	route, routeID := d.torouteName, d.toroute
	bye := d.iflags&iflagTimeoutBye != 0
	m.mu.Unlock()
	if confirmed && route != "" {
		m.runTimeoutRoute(d, route, routeID)
	}
	if confirmed && bye {
		m.byeAll(nil, d, "")
		m.stats.expired.Add(1)
		return
	}
	m.mu.Lock()
	old, now := m.nextState(d, evReqBYE)
	m.mu.Unlock()
	if !m.runEvent(nil, d, nil, old, now) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if now == stateDeleted && old != stateDeleted {
		m.log.Logf(klog.Warn, Name, "dlg timeout - callid: '%s' tags: '%s' '%s' ostate: %d",
			d.callID, d.tag[caller], d.tag[callee], old)
		d.endTS = m.nowUnix()
		m.stats.expired.Add(1)
		m.stats.active.Add(-1)
	}
	// the timer held the last reference (one deleted by dlg.set_state
	// too)
	m.unlink(d)
}

// logf logs on the event's logger.
func (m *Module) logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c != nil && c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
		return
	}
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

var (
	_ sip.Layer        = (*Module)(nil)
	_ sip.RequestDoner = (*Module)(nil)
)
