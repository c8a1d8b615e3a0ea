package tm_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestReplyError: t_reply_error answers the transaction with the reply of
// the previous action's error, signed TM (a t_relay to a name that does
// not resolve: 478, and tm's own delayed error reply is not sent besides);
// without a transaction it fails as t_reply does (-1); after a stateless
// final reply it does nothing (-2, INFO line); a provisional one does not
// count.
func TestReplyError(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p := startWith(t, append([]string{"corex"}, defaultModules...), `modparam("corex", "dns_cache", "type=A;name=bad.test;flags=3;ttl=3600")
request_route {
	if ($rU == "relay") {
		if (!t_relay()) { t_reply_error(); xlog("L_INFO", "relay rc $rc\n"); }
	} else if ($rU == "final") {
		sl_send_reply("404", "Not Here");
		t_reply_error(); xlog("L_INFO", "final rc $rc\n");
	} else if ($rU == "none") {
		t_reply_error(); xlog("L_INFO", "none rc $rc\n");
		sl_send_reply("200", "OK");
	} else if ($rU == "prov") {
		sl_send_reply("183", "Early");
		t_newtran();
		t_reply_error(); xlog("L_INFO", "prov rc $rc\n");
	}
	exit;
}`)
	for _, tc := range []struct{ user, want, log string }{
		{"relay", "478 Unresolvable destination (478/TM)", "relay rc 1"},
		{"final", "404 Not Here", "final rc -2"},
		{"none", "200 OK", "none rc -1"},
		{"prov", "500 I'm terribly sorry, server error occurred (1/TM)", "prov rc 1"},
	} {
		phone.SendTo(p.Addr, phone.Request("MESSAGE", fmt.Sprintf("sip:%s@bad.test:5060", tc.user), "re-"+tc.user, "re-call-"+tc.user, 1))
		r := phone.Recv()
		if tc.user == "prov" {
			if r.Status != 183 {
				t.Fatalf("%s: first reply %q", tc.user, siptest.Status(r))
			}
			r = phone.Recv()
		}
		if siptest.Status(r) != tc.want {
			t.Errorf("%s: reply %q, want %q", tc.user, siptest.Status(r), tc.want)
		}
		p.WaitLog(t, regexp.QuoteMeta(tc.log)+"$", 1)
		phone.None()
	}
	for _, want := range []string{
		"INFO: tm: ki_t_reply_error(): message marked with final-reply flag",
		"ERROR: tm: ki_t_reply(): cannot send a t_reply to a message for which no T-state has been established",
	} {
		if !slices.Contains(p.Lines(), want) {
			t.Errorf("log lacks %q:\n%s", want, p.Log.Text())
		}
	}
}
