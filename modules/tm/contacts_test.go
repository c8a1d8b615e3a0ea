package tm_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestSerialForking: t_load_contacts orders the Request-URI and branches
// by q; t_next_contacts takes the highest class first as Request-URI and
// branches, and t_relay sends them; each failure route takes the next
// class.
func TestSerialForking(t *testing.T) {
	phone, uas1, uas2, uas3 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2"), siptest.NewUA(t, "uas3")
	p := start(t, `modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_flows")
request_route {
	$ru = "sip:low@127.0.0.1:UAS3";
	$sbranch(uri) = "sip:a@127.0.0.1:UAS1"; $sbranch(q) = 1000; sbranch_append();
	$sbranch(uri) = "sip:b@127.0.0.1:UAS2"; $sbranch(q) = 1000; sbranch_append();
	$sbranch(uri) = "sip:c@127.0.0.1:UAS3"; $sbranch(q) = 100; sbranch_append();
	t_load_contacts();
	t_next_contacts();
	t_on_failure("NEXT");
	t_relay();
	exit;
}
failure_route[NEXT] {
	if (t_next_contacts()) { xlog("L_INFO", "next $ru $(branch(uri)[*])\n"); t_on_failure("NEXT"); if (!t_relay()) { xlog("L_INFO", "relay failed $rc\n"); } exit; }
	xlog("L_INFO", "no more: $rc\n");
}`, uas1, uas2, uas3)
	phone.SendTo(p.Addr, phone.Request("INVITE", "sip:x@127.0.0.1", "s1", "scall-1", 1))
	phone.Recv() // 100
	a, b := uas1.Recv(), uas2.Recv()
	if !strings.HasPrefix(a.RURI, "sip:a@") || !strings.HasPrefix(b.RURI, "sip:b@") {
		t.Fatalf("first class: %s %s", a.RURI, b.RURI)
	}
	uas1.SendTo(p.Addr, siptest.Reply(a, 486, "Busy", "x1"))
	uas1.Recv()
	uas2.SendTo(p.Addr, siptest.Reply(b, 486, "Busy", "x2"))
	uas2.Recv()
	// c is alone in its class (q 0.1); the Request-URI (no q) comes last.
	c := uas3.Recv()
	if !strings.HasPrefix(c.RURI, "sip:c@") {
		t.Fatalf("second class: %s", c.RURI)
	}
	uas3.SendTo(p.Addr, siptest.Reply(c, 486, "Busy", "x3"))
	uas3.Recv() // ACK
	if low := uas3.Recv(); !strings.HasPrefix(low.RURI, "sip:low@") {
		t.Fatalf("third class: %s", low.RURI)
	}
	if !strings.Contains(p.Log.Text(), "next sip:c@127.0.0.1:") {
		t.Errorf("log:\n%s", p.Log.Text())
	}
}

// TestSerialForkingDisabled: without contacts_avp the functions fail with
// Kamailio's error.
func TestSerialForkingDisabled(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p := start(t, `request_route {
	if (!t_load_contacts()) { xlog("L_INFO", "load failed\n"); }
	if (!t_next_contacts()) { xlog("L_INFO", "next failed\n"); }
	if (!t_load_contacts("2")) { xlog("L_INFO", "mode failed\n"); }
	sl_send_reply("200", "OK"); exit;
}`)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:x@127.0.0.1", "s2", "scall-2", 1))
	phone.Recv()
	for _, l := range []string{"feature has been disabled - to enable define contacts_avp module parameter",
		"load failed", "next failed", "mode failed"} {
		if !strings.Contains(p.Log.Text(), l) {
			t.Errorf("log lacks %q:\n%s", l, p.Log.Text())
		}
	}
}

// TestProportional: with one contact of positive q and one of q 0, the
// positive one comes first, each alone in its class.
func TestProportional(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p := start(t, `modparam("tm", "contacts_avp", "tm_contacts")
modparam("tm", "contact_flows_avp", "tm_flows")
request_route {
	$ru = "sip:zero@127.0.0.1"; $sbranch(uri) = "sip:one@127.0.0.1"; $sbranch(q) = 300; sbranch_append();
	t_load_contacts("1");
	t_next_contacts(); xlog("L_INFO", "first $ru\n");
	t_next_contacts(); xlog("L_INFO", "second $ru\n");
	t_next_contacts(); xlog("L_INFO", "third $rc\n");
	sl_send_reply("200", "OK"); exit;
}`)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:x@127.0.0.1", "s3", "scall-3", 1))
	phone.Recv()
	for _, l := range []string{"first sip:one@127.0.0.1", "second sip:zero@127.0.0.1", "third -2"} {
		if !strings.Contains(p.Log.Text(), l) {
			t.Errorf("log lacks %q:\n%s", l, p.Log.Text())
		}
	}
}
