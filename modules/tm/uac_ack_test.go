package tm

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestBuildLocalACK: the ACK of a 2xx to a local INVITE goes to the
// Contact through the reversed Record-Route set: to a loose first router
// with the Contact as Request-URI, to a strict one as Request-URI with the
// Contact last in the Route.
func TestBuildLocalACK(t *testing.T) {
	inv := "INVITE sip:bob@example.test SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1.2.0\r\n" +
		"To: <sip:bob@example.test>\r\nFrom: <sip:alice@example.test>;tag=f1\r\n" +
		"CSeq: 10 INVITE\r\nCall-ID: c1\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	for _, tc := range []struct{ rr, want string }{
		{"", "ACK sip:bob@10.0.0.2:5062 SIP/2.0\r\nFrom: <sip:alice@example.test>;tag=f1\r\nCall-ID: c1\r\n" +
			"To: <sip:bob@example.test>;tag=t1\r\nCSeq: 10 ACK\r\nContent-Length: 0\r\n\r\n"},
		{"Record-Route: <sip:p2.test;lr>, <sip:p1.test;lr>\r\n",
			"ACK sip:bob@10.0.0.2:5062 SIP/2.0\r\nFrom: <sip:alice@example.test>;tag=f1\r\nCall-ID: c1\r\n" +
				"To: <sip:bob@example.test>;tag=t1\r\nCSeq: 10 ACK\r\nRoute: <sip:p1.test;lr>, <sip:p2.test;lr>\r\nContent-Length: 0\r\n\r\n"},
		{"Record-Route: <sip:p2.test;lr>\r\nRecord-Route: <sip:p1.test>\r\n",
			"ACK sip:p1.test SIP/2.0\r\nFrom: <sip:alice@example.test>;tag=f1\r\nCall-ID: c1\r\n" +
				"To: <sip:bob@example.test>;tag=t1\r\nCSeq: 10 ACK\r\nRoute: <sip:p2.test;lr>, <sip:bob@10.0.0.2:5062>\r\nContent-Length: 0\r\n\r\n"},
	} {
		rpl, err := sipmsg.Parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1.2.0\r\n" +
			"To: <sip:bob@example.test>;tag=t1\r\nFrom: <sip:alice@example.test>;tag=f1\r\nCSeq: 10 INVITE\r\nCall-ID: c1\r\n" +
			tc.rr + "Contact: <sip:bob@10.0.0.2:5062>\r\nContent-Length: 0\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		x := &txn{m: newModule(), invite: true, local: true}
		b := &branch{buf: inv, viaBr: "z9hG4bK1.2.0"}
		got, _, _, _, ok := x.buildLocalACK(b, rpl, "", "")
		if !ok || got != tc.want {
			t.Errorf("with %q:\n%q\nwant\n%q", tc.rr, got, tc.want)
		}
	}
	// local_ack_mode 1: where the INVITE went, with its Via.
	rpl, _ := sipmsg.Parse("SIP/2.0 200 OK\r\nTo: <sip:bob@example.test>;tag=t1\r\nContact: <sip:bob@10.0.0.2:5062>\r\n\r\n")
	x := &txn{m: newModule(), invite: true, local: true}
	x.m.cfg.localAckMode = 1
	got, _, _, useHop, ok := x.buildLocalACK(&branch{buf: inv}, rpl, "", "")
	if !ok || !useHop || got[:len("ACK sip:bob@10.0.0.2:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1.2.0\r\n")] !=
		"ACK sip:bob@10.0.0.2:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1.2.0\r\n" {
		t.Errorf("mode 1: %q", got)
	}
}

// ackLocal2xx is called from the reply path (replyReceived) for a 2xx to
// a local INVITE.
var _ = (*txn).ackLocal2xx
