package tm

import (
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// replyLocal answers the transaction's request from kamgo itself
// (t_reply, the automatic 100, error replies), as Kamailio's _reply: a
// redirect lists the destination set as Contact; from 180 on a To
// without a tag gets tm's to-tag; the reply headers the script added to
// req go in. A final reply stops the branches (INVITE branches are
// canceled), is retransmitted for a negative INVITE reply over UDP (and
// always for a 2xx to INVITE) until the ACK, and puts the transaction in
// its wait state. x.mu must be held. req is the request the reply
// answers: the event's when the request route replies, else the
// transaction's copy. It returns 1, or -1 when a final reply was sent
// already or nothing could be built.
func (x *txn) replyLocal(c *event.Context, req *sipmsg.Msg, code int, reason, headers, body string) int {
	m := x.m
	x.errDelayed = 0
	if x.uas.status >= 200 {
		m.log.Logf(klog.Info, Name, "_reply_light(): can't generate %d reply when a final %d was sent out", code, x.uas.status)
		x.cleanupUACs(c, code)
		x.putOnWait()
		return -1
	}
	hdrs := req.ReplyHeaders + headers
	if code >= 300 && code < 400 {
		if dset, ok := sip.DestinationSet(req, int(m.conf().richRedirect)); ok {
			hdrs += dset
		} else {
			m.log.Log(klog.Warn, Name, "print_dset(): no r-uri or branches")
		}
	}
	r := sip.Reply{Code: code, Reason: reason, Headers: hdrs, Body: body}
	if x.tr != nil {
		r.Server = x.tr.Server()
	}
	if code >= 180 && x.reqToTag(c, req) == "" {
		r.ToTag = m.tags.Tag(x.first(), req)
		x.uas.toTag = r.ToTag
	}
	buf := sip.BuildReply(req, r)
	x.uas.status, x.uas.buf, x.uas.local = code, buf, true
	x.relayedBranch = -2
	m.stats.replyCount(code)
	m.stats.generated.Add(1)
	if code >= 200 {
		x.cleanupUACs(c, code)
		x.startFinalReplRetr()
		x.putOnWait()
	}
	if x.uas.hopOK {
		x.localResponseReady(c, code, buf)
		if err := x.tr.Send(x.uas.hop, buf); err != nil {
			m.log.Logf(klog.Err, Name, "_reply_light(): failed to send the reply: %v", err)
		} else {
			x.tr.ReplySent(c, req, x.uas.hop, buf)
			x.localResponseOut(c, code, buf)
			x.localResponseSent(c, buf)
		}
	} else {
		m.log.Log(klog.Err, Name, "_reply_light(): no resolved dst to send reply to")
	}
	return 1
}

// first is the transport's first socket (tm's to-tags are made from it).
func (x *txn) first() *sipmsg.Socket {
	if x.tr == nil {
		return nil
	}
	return x.tr.First()
}

// cleanupUACs stops the branches once the transaction has its final
// reply: their timers stop, and an INVITE's pending branches are
// canceled.
func (x *txn) cleanupUACs(c *event.Context, code int) {
	for _, b := range x.branches {
		x.stopTimer(&b.retr)
		x.stopTimer(&b.fr)
	}
	if x.invite {
		x.cancelBranches(c, code, false)
	}
}

// startFinalReplRetr starts the retransmission of the final reply of an
// INVITE: a negative one over UDP until the ACK comes, a 2xx kamgo made
// over any transport (the one upstream may be UDP further on).
func (x *txn) startFinalReplRetr() {
	if x.local || !x.invite || !x.uas.hopOK {
		return
	}
	switch {
	case x.uas.status >= 300:
		if x.uas.hop.Reliable() {
			return
		}
	case x.relayedBranch == -2 && x.uas.status >= 200:
	default:
		return
	}
	x.uas.retrWait = x.retrT1
	x.start(&x.uas.retr, x.uas.retrWait, workRetransmitFinal, nil)
}

// retransmitFinal is timer G: the final reply again, the interval
// doubling up to T2.
func (x *txn) retransmitFinal() {
	if x.uas.buf == "" {
		return
	}
	_ = x.tr.Send(x.uas.hop, x.uas.buf)
	x.uas.retrWait = min(2*x.uas.retrWait, x.retrT2)
	x.start(&x.uas.retr, x.uas.retrWait, workRetransmitFinal, nil)
}

// retransmitReply sends the last reply again (t_retransmit_reply, and for
// every retransmitted request). Nothing was sent yet: nothing to do.
func (x *txn) retransmitReply() int {
	if x.uas.buf == "" || !x.uas.hopOK {
		return -1
	}
	if err := x.tr.Send(x.uas.hop, x.uas.buf); err != nil {
		return -1
	}
	return 1
}

// killTransaction answers the request with the reply for a Kamailio error
// code (Kamailio's kill_transaction).
func (x *txn) killTransaction(c *event.Context, e int) int {
	code, reason := sip.ErrorReply(e, "TM")
	return x.replyLocal(c, x.request(), code, reason, "", "")
}

// localResponseSent runs event_route[tm:local-response] (or the KEMI
// function of event_callback_lres_sent) with the reply kamgo just sent as
// its message.
func (x *txn) localResponseSent(c *event.Context, buf string) {
	m := x.m
	if m.host == nil {
		return
	}
	if !m.host.Has(event.Event(EventLocalResponse)) && (m.conf().eventCallbackLresSent == "" || module.EngineOf(m.host) == nil) {
		return
	}
	rpl, err := sipmsg.Parse(buf)
	if err != nil {
		return
	}
	ec := &event.Context{}
	ec.Reset()
	if c != nil {
		ec.Worker, ec.Log = c.Worker, c.Log
	}
	if ec.Worker == nil {
		return
	}
	rpl.Rcv = x.uas.hop.Socket()
	sipmsg.Set(ec, rpl)
	sip.Attach(ec, x.tr)
	module.RunEvent(m.host, ec, EventLocalResponse, m.conf().eventCallbackLresSent)
}

// now is the module's clock time.
func (m *Module) now() time.Time { return m.clock.Now() }
