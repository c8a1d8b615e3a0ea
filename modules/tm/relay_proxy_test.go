package tm_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestRelayToProxy: t_relay_to_proxy reads its proxy at each call (a
// pseudo-variable here) and relays there with the Request-URI unchanged;
// "" relays to the Request-URI; a name that does not resolve fails with
// mk_proxy's and tm's lines before any transaction is made, leaving the
// error for t_reply_error; a malformed proxy fails with Kamailio's
// critical line.
func TestRelayToProxy(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := startWith(t, append([]string{"corex"}, defaultModules...), `modparam("corex", "dns_cache", "type=A;name=bad.test;flags=3;ttl=3600")
request_route {
	if ($rU == "dyn") {
		$var(p) = "udp:127.0.0.1:UAS1";
		t_relay_to_proxy("$var(p)");
	} else if ($rU == "empty") {
		t_relay_to_proxy("");
	} else if ($rU == "bad") {
		if (!t_relay_to_proxy("udp:bad.test:5060")) {
			xlog("L_INFO", "bad rc $rc\n");
			t_newtran();
			if (!t_relay_to_proxy("bad.test:5060")) { t_reply_error(); }
		}
	} else if ($rU == "junk") {
		if (!t_relay_to_proxy("udp:bad.test:")) { xlog("L_INFO", "junk rc $rc\n"); }
		sl_send_reply("404", "Junk");
	}
	exit;
}`, uas)
	phone.SendTo(p.Addr, phone.Request("MESSAGE", "sip:dyn@192.0.2.1", "rp1", "rp-call-1", 1))
	if m := uas.Recv(); m.Method != "MESSAGE" || m.RURI != "sip:dyn@192.0.2.1" {
		t.Fatalf("dyn: the peer got %s %s", m.Method, m.RURI)
	}
	phone.SendTo(p.Addr, phone.Request("MESSAGE", fmt.Sprintf("sip:empty@127.0.0.1:%d", uas.Port()), "rp2", "rp-call-2", 1))
	if m := uas.Recv(); m.Method != "MESSAGE" || m.RURI != fmt.Sprintf("sip:empty@127.0.0.1:%d", uas.Port()) {
		t.Fatalf("empty: the peer got %s %s", m.Method, m.RURI)
	}
	phone.SendTo(p.Addr, phone.Request("MESSAGE", "sip:bad@127.0.0.1", "rp3", "rp-call-3", 1))
	if r := phone.Recv(); siptest.Status(r) != "478 Unresolvable destination (478/TM)" {
		t.Errorf("bad: reply %q", siptest.Status(r))
	}
	phone.SendTo(p.Addr, phone.Request("MESSAGE", "sip:junk@127.0.0.1", "rp4", "rp-call-4", 1))
	if r := phone.Recv(); r.Status != 404 {
		t.Errorf("junk: reply %q", siptest.Status(r))
	}
	p.WaitLog(t, regexp.QuoteMeta("junk rc -1")+"$", 1)
	uas.None()
	lines := p.Lines()
	for _, want := range []string{
		`CRITICAL: core: mk_proxy(): could not resolve hostname: "bad.test"`,
		"ERROR: tm: ki_t_relay_to_proxy_flags(): failed to build proxy structure for <udp:bad.test:5060>",
		"INFO: script: bad rc -1",
		"ERROR: tm: ki_t_relay_to_proxy_flags(): failed to build proxy structure for <bad.test:5060>",
		"CRITICAL: tm: ki_t_relay_to_proxy_flags(): invalid proxy addr parameter <udp:bad.test:>",
		"INFO: script: junk rc -1",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("log lacks %q:\n%s", want, p.Log.Text())
		}
	}
}
