package tm

import (
	"crypto/md5"
	"encoding/hex"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// localAck is the ACK of a local INVITE's 2xx built by AckLocal: kept so
// that a retransmitted 2xx gets the same ACK (Kamailio's uac[0].local_ack).
type localAck struct {
	hop sip.Hop
	buf string
}

// ackLocal2xx acknowledges a 2xx to a local INVITE (Kamailio's
// build_local_ack): sent to the reply's Contact, through the route set the
// reply's Record-Route gives (the INVITE's Route headers for an INVITE in
// a dialog), or, with local_ack_mode 1, where the INVITE went, with 2,
// where the 2xx came from. With T_NO_AUTO_ACK the application sends the
// ACK (AckLocal): the first 2xx is kept for it, and a retransmitted one
// gets the ACK the application had sent, if any.
func (x *txn) ackLocal2xx(c *event.Context, b *branch, rpl *sipmsg.Msg) {
	if x.flags&flagNoAutoAck != 0 {
		if v, ok := x.m.localAcks.Load(x); ok {
			la := v.(*localAck)
			if err := x.tr.Send(la.hop, la.buf); err != nil {
				x.logf(klog.Err, "reply_received(): error while sending local ACK")
				return
			}
			x.localAckSent(c, b, rpl)
			return
		}
		if b.reply == nil {
			b.reply = rpl
		}
		return
	}
	hop, ack, ok := x.prepareLocalACK(b, rpl, "", "")
	if !ok {
		return
	}
	if err := x.tr.Send(hop, ack); err != nil {
		x.logf(klog.Err, "reply_received(): error while sending local ACK")
		return
	}
	x.localAckSent(c, b, rpl)
}

// prepareLocalACK builds the ACK of rpl, a 2xx to branch b's local
// INVITE, with its Via, and where it goes.
func (x *txn) prepareLocalACK(b *branch, rpl *sipmsg.Msg, hdrs, body string) (sip.Hop, string, bool) {
	ack, d, hop, useHop, ok := x.buildLocalACK(b, rpl, hdrs, body)
	if !ok {
		return hop, "", false
	}
	if useHop {
		return hop, ack, true
	}
	msg, err := sipmsg.Parse(ack)
	if err != nil {
		return hop, "", false
	}
	msg.ForceSocket = b.hop.Socket()
	h, buf, err := x.tr.PrepareRequest(msg, d, x.ackBranch(b, rpl))
	if err != nil {
		x.logf(klog.Err, "build_dlg_ack(): no socket found")
		return hop, "", false
	}
	return h, buf, true
}

// localAckSent runs event_route[tm:local-ack-sent] (or the KEMI function
// evcb_local_ack_sent names) with the 2xx as message, once the ACK of a
// local INVITE's 2xx left (Kamailio 6.1).
func (x *txn) localAckSent(c *event.Context, b *branch, rpl *sipmsg.Msg) {
	if c == nil || c.Worker == nil || x.m.host == nil {
		return
	}
	ec := &event.Context{}
	ec.Reset()
	ec.Worker, ec.Log = c.Worker, c.Log
	sipmsg.Set(ec, rpl)
	sip.Attach(ec, x.tr)
	ec.Set(curKey, &current{x: x, branch: b.idx, locked: true, lookedUp: true})
	module.RunEvent(x.m.host, ec, EventLocalAckSent, x.m.conf().evcbLocalAckSent)
}

// AckLocal sends the ACK of the 2xx to a local INVITE (one tm sent itself,
// t_uac_send or the Go API) whose automatic ACK was turned off
// (t_set_no_auto_ack): tmx's t_uac_ack_local, Kamailio's ack_local_uac.
// The transaction is the INVITE with callID and the CSeq number cseq;
// hdrs (whole header lines) and body go into the ACK, which is sent as
// tm sends its own and then to every retransmission of the 2xx. It
// returns 0 when sent, -1 when there is no such transaction or the ACK
// could not be sent (a retransmitted 2xx sends it again), and -2 when the
// transaction is not one to acknowledge so: not local, not answered with
// a 2xx yet, acknowledged automatically, or acknowledged already.
func (m *Module) AckLocal(c *event.Context, callID, cseq, hdrs, body string) int {
	x := m.anyInvite(c, callID, cseq)
	if x == nil {
		m.log.Log(klog.Dbg, Name, "t_uac_ack_local(): no such transaction")
		return -1
	}
	took := lockFor(c, x)
	defer x.unlock(took)
	if x.gone {
		m.log.Log(klog.Dbg, Name, "t_uac_ack_local(): no such transaction")
		return -1
	}
	var b *branch
	if len(x.branches) > 0 {
		b = x.branches[0]
	}
	switch {
	case !x.local:
		m.log.Log(klog.Err, Name, "ack_local_uac(): the transaction to ACK is not a local one")
		return -2
	case !x.invite:
		m.log.Log(klog.Err, Name, "ack_local_uac(): the local transaction to ACK is not an INVITE")
		return -2
	case b == nil || b.reply == nil || b.reply.Status < 200 || b.reply.Status >= 300:
		m.log.Log(klog.Err, Name, "ack_local_uac(): the local INVITE has no 2xx to ACK yet")
		return -2
	case x.flags&flagNoAutoAck == 0:
		m.log.Log(klog.Err, Name, "ack_local_uac(): the local INVITE is acknowledged automatically")
		return -2
	}
	if _, ok := m.localAcks.Load(x); ok {
		m.log.Log(klog.Err, Name, "ack_local_uac(): the local INVITE's ACK was built already")
		return -2
	}
	hop, buf, ok := x.prepareLocalACK(b, b.reply, hdrs, body)
	if !ok {
		m.log.Log(klog.Err, Name, "ack_local_uac(): failed to build the ACK")
		return -2
	}
	// Kept before sending: a failed send is retried with the next
	// retransmission of the 2xx.
	m.localAcks.Store(x, &localAck{hop: hop, buf: buf})
	if err := x.tr.Send(hop, buf); err != nil {
		m.log.Log(klog.Err, Name, "ack_local_uac(): failed to send the local ACK")
		return -1
	}
	x.localAckSent(c, b, b.reply)
	return 0
}

// ackBranch is the Via branch of the ACK of a 2xx to branch b's local
// INVITE, as local_ack_branch_mode (Kamailio 6.1) says: 0 the INVITE's
// own; 1 the INVITE's with the last four characters of the characteristic
// value moved on by one (a digit or a letter to the next, 9 and z back to
// 0 and a), so that the ACK is told apart from the INVITE; 2 one from the
// MD5 of the 2xx's From tag, To tag, Call-ID, "ACK", CSeq number and top
// Via branch (mode 1's when the reply lacks one of the headers).
func (x *txn) ackBranch(b *branch, rpl *sipmsg.Msg) string {
	mode := x.m.conf().localAckBranchMode
	if mode == 0 {
		return b.viaBr
	}
	sum := ""
	if mode == 2 {
		sum = replyAckMD5(rpl)
	}
	if sum == "" {
		v := []byte(x.md5)
		for i := len(v) - 1; i >= 0 && i >= len(v)-4; i-- {
			switch c := v[i]; {
			case c == '9':
				v[i] = '0'
			case c == 'z':
				v[i] = 'a'
			case c == 'Z':
				v[i] = 'A'
			case c >= '0' && c < '9', c >= 'a' && c < 'z', c >= 'A' && c < 'Z':
				v[i] = c + 1
			}
		}
		sum = string(v)
	}
	return magicCookie + revHex(x.index) + "." + sum + "." + revHex(uint32(b.idx))
}

// replyAckMD5 is local_ack_branch_mode 2's characteristic value of a 2xx,
// "" when the reply lacks From, To, Call-ID or CSeq.
func replyAckMD5(rpl *sipmsg.Msg) string {
	from, okF := rpl.Header("from")
	_, okT := rpl.Header("to")
	callID, okC := rpl.Header("call-id")
	num, _, okS := rpl.CSeq()
	if !okF || !okT || !okC || !okS {
		return ""
	}
	fna, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		return ""
	}
	fromTag, _ := fna.Param("tag")
	h := md5.New()
	h.Write([]byte(fromTag))
	h.Write([]byte(toTagOf(rpl)))
	h.Write([]byte(strings.TrimSpace(callID)))
	h.Write([]byte("ACK"))
	h.Write([]byte(num))
	if v, _, ok := rpl.TopVia(); ok {
		if br, ok := v.Param("branch"); ok {
			h.Write([]byte(br))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// localInvite finds the INVITE tm sent itself with callID and the CSeq
// number cseq (compared as written, as Kamailio's t_lookup_callid does).
// c may be nil (an RPC).
func (m *Module) localInvite(c *event.Context, callID, cseq string) *txn {
	for _, x := range m.table.list(hashOf(callID, cseq), false, nil) {
		took := lockFor(c, x)
		ok := x.local && x.invite && x.reqMsg != nil && headerValue(x.request(), "call-id") == callID
		if ok {
			num, _, _ := x.request().CSeq()
			ok = num == cseq
		}
		x.unlock(took)
		if ok {
			return x
		}
	}
	return nil
}
