package tm_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestSettledTransaction: a transaction answered in request_route settles
// when the route is done (settle.go); in its wait state it still answers
// a retransmitted INVITE with the same reply, gives its flags to
// t_lookup_cancel("1"), absorbs the ACK and is listed by tm.list with
// its request's headers.
func TestSettledTransaction(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p, srv := startRPC(t, `request_route {
	if (is_method("ACK")) { t_check_trans(); exit; }
	if (is_method("CANCEL")) {
		if (t_lookup_cancel("1") && isflagset(3)) { sl_send_reply("200", "flags kept"); }
		else { sl_send_reply("500", "flags lost"); }
		exit;
	}
	if (t_check_trans()) { exit; }
	setflag(3);
	t_newtran();
	t_reply("486", "Busy Here");
	exit;
}`)
	ruri := "sip:bob@127.0.0.1"
	inv := phone.Request("INVITE", ruri, "set1", "call-settle", 1)
	phone.SendTo(p.Addr, inv)
	first := until(phone, "486 Busy Here")
	phone.SendTo(p.Addr, inv)
	if again := until(phone, "486 Busy Here"); again.Buf != first.Buf {
		t.Fatalf("retransmission answered with\n%s\nnot\n%s", again.Buf, first.Buf)
	}
	phone.SendTo(p.Addr, phone.Request("CANCEL", ruri, "set1", "call-settle", 1))
	if r := phone.Recv(); siptest.Status(r) != "200 flags kept" {
		t.Fatalf("CANCEL answered %q", siptest.Status(r))
	}
	// Its request is kept lean: tm.list reads the headers again.
	list := rpcText(t, srv, "tm.list")
	for _, want := range []string{"method: INVITE", "from: From: <sip:alice@127.0.0.1>;tag=a-call-settle\r\n",
		"to: To: <sip:bob@127.0.0.1>\r\n", "callid: Call-ID: call-settle\r\n", "cseq: CSeq: 1,"} {
		if !strings.Contains(list, want) {
			t.Errorf("tm.list does not show %q:\n%s", want, list)
		}
	}
	to, _ := first.Header("to")
	tag := to[strings.Index(to, ";tag=")+5:]
	phone.SendTo(p.Addr, siptest.WithToTag(phone.Request("ACK", ruri, "set1", "call-settle", 1), tag))
	p.waitMetric("kamgo_tm_acks_absorbed_total", 1)
	phone.None()
}
