package dialog

import (
	"strings"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Transfers as Kamailio's dlg_transfer.c makes them: dlg_refer asks one
// side of a dialog to call a third party (a REFER, then a BYE once the
// REFER is answered); dlg_bridge makes this server the caller of a new
// call to one party (an INVITE with a held SDP) and refers it to the
// other the same way once it answers.

// holdSDP is the body of the bridge's INVITE (Kamailio's DLG_HOLD_SDP).
const holdSDP = "v=0\r\no=kamailio-bridge 0 0 IN IP4 0.0.0.0\r\ns=kamailio\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" +
	"m=audio 9 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"

// transfer is Kamailio's dlg_transfer: it views the dialog from side's
// leg as a new dialog whose callee is the other leg (the route set of
// that leg, the URIs of the original From and To swapped when side is
// the caller) and refers that callee to target (referCallee).
func (m *Module) transfer(c *event.Context, d *dlg, target string, side int) bool {
	other := 1 - side
	m.mu.Lock()
	nd := &dlg{callID: d.callID, fromURI: d.fromURI, toURI: d.toURI}
	if side == caller {
		nd.fromURI, nd.toURI = d.toURI, d.fromURI
	}
	nd.tag[caller], nd.contact[caller], nd.cseq[caller] = d.tag[side], d.contact[side], d.cseq[side]
	nd.tag[callee], nd.routeSet[callee], nd.contact[callee], nd.cseq[callee] =
		d.tag[other], d.routeSet[other], d.contact[other], d.cseq[other]
	m.mu.Unlock()
	return m.referCallee(c, nd, target)
}

// referCallee sends the callee of nd, a dialog of the module's own, a
// REFER to target with Referred-By bridge_controller and Contact
// bridge_contact (Kamailio's dlg_refer_callee); whatever its answer, a
// BYE follows (referAnswered).
func (m *Module) referCallee(c *event.Context, nd *dlg, target string) bool {
	td, ok := m.tmDialog(nd, callee)
	if !ok {
		m.log.Log(klog.Err, Name, "failed to create dlg_t")
		return false
	}
	hdrs := "Referred-By: " + m.cfg.bridgeController + "\r\nRefer-To: " + target + "\r\nContact: <" + m.cfg.bridgeContact + ">\r\n"
	done := func(c *event.Context, _ int, _ *sipmsg.Msg) { m.referAnswered(c, nd) }
	if !m.sendWithin(c, td, "REFER", hdrs, done) {
		m.log.Log(klog.Err, Name, "failed to send the REFER request")
		return false
	}
	return true
}

// referAnswered ends the referred call with a BYE one CSeq above the
// REFER's (Kamailio's dlg_refer_tm_callback). It runs inside tm's
// callback, on tm's event c.
func (m *Module) referAnswered(c *event.Context, nd *dlg) {
	td, ok := m.tmDialog(nd, callee)
	if !ok {
		m.log.Log(klog.Err, Name, "failed to create dlg_t")
		return
	}
	td.CSeq++
	if !m.sendWithin(c, td, "BYE", "", nil) {
		// Kamailio's message, REFER included
		m.log.Log(klog.Err, Name, "failed to send the REFER request")
	}
}

// bridge is Kamailio's dlg_bridge: an INVITE from bridge_controller to
// from (through the outbound proxy op when not empty) with Contact
// bridge_contact and body (the held SDP when hold is set); its 2xx
// makes a dialog of the module's own whose callee is referred to to
// (bridgeAnswered).
func (m *Module) bridge(c *event.Context, from, to, op, body string, hold bool) bool {
	if hold {
		body = holdSDP
	}
	hdrs := "Contact: <" + m.cfg.bridgeContact + ">\r\nContent-Type: application/sdp\r\n"
	done := func(e *tm.Event) { m.bridgeAnswered(e, to) }
	if err := m.tm.SendNew(m.sendEvent(c), "INVITE", from, from, m.cfg.bridgeController, op, hdrs, body,
		tm.LocalCompleted, done); err != nil {
		m.logf(c, klog.Err, "dlg_bridge(): %v", err)
		return false
	}
	return true
}

// bridgeAnswered is the final reply to the bridge's INVITE (Kamailio's
// dlg_bridge_tm_callback): a negative one ends the bridge; a 2xx makes
// the dialog between the controller (the caller, with the INVITE's From
// tag and CSeq, bridge_controller as Contact) and the answering party
// (the callee, with the 2xx's to-tag, Contact, Record-Route set and
// socket), and the callee gets the REFER to to.
func (m *Module) bridgeAnswered(e *tm.Event, to string) {
	if e.Code >= 300 || e.Reply == nil {
		return
	}
	rpl := e.Reply
	num, _, ok := rpl.CSeq()
	if !ok {
		m.log.Log(klog.Err, Name, "bad sip message or missing CSeq hdr :-/")
		return
	}
	toHdr, okTo := rpl.Header("to")
	tna, err := sipmsg.ParseNameAddr(toHdr)
	if !okTo || err != nil {
		m.log.Log(klog.Err, Name, "bad request or missing TO hdr")
		return
	}
	fromHdr, okFrom := rpl.Header("from")
	fna, err := sipmsg.ParseNameAddr(fromHdr)
	if !okFrom || err != nil {
		m.log.Log(klog.Err, Name, "bad request or missing FROM hdr")
		return
	}
	cid, okCid := rpl.Header("call-id")
	if !okCid {
		m.log.Log(klog.Err, Name, "bad request or missing CALLID hdr")
		return
	}
	cid = trimLWS(cid)
	ftag, _ := fna.Param("tag")
	if cid == "" || ftag == "" {
		m.log.Logf(klog.Err, Name, "invalid request -> callid (%d) or from TAG (%d) empty", len(cid), len(ftag))
		return
	}
	ttag, _ := tna.Param("tag")
	ct, ok := contactURI(rpl)
	if !ok {
		m.log.Log(klog.Err, Name, "bad sip message or missing Contact hdr")
		m.log.Log(klog.Err, Name, "could not add further info to the dialog")
		return
	}
	rr := recordRoutes(rpl)
	set := make([]string, 0, len(rr))
	for i := len(rr) - 1; i >= 0; i-- {
		set = append(set, rr[i])
	}
	nd := &dlg{callID: cid, fromURI: fna.URI, toURI: tna.URI, reqURI: tna.URI}
	nd.tag[caller], nd.contact[caller], nd.cseq[caller] = ftag, m.cfg.bridgeController, num
	nd.tag[callee], nd.contact[callee], nd.routeSet[callee] = ttag, ct, strings.Join(set, ",")
	nd.bind[callee] = rpl.Rcv
	m.referCallee(e.Ctx, nd, to)
}
