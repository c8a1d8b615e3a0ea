package tmx_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestVBFlags: the via-body flags set in request_route (branch 0) and in
// branch_route for the first branch go in that branch's Via as
// ";kvf=<hex>"; a later branch's branch_route is refused (-1, as in
// Kamailio, where the branch does not count yet); t_vbflag_is_set tests
// the flag's bit (Kamailio 6.1 tests the flag number shifted by one:
// spec/deviations.md); flag numbers out of 0..31 and a request without
// transaction are refused.
func TestVBFlags(t *testing.T) {
	phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas"), siptest.NewUA(t, "uas")
	k := startKamgo(t, `request_route {
	if ($rU == "none") {
		t_vbflag_set("1"); xlog("L_INFO", "no transaction rc=$rc\n");
		sl_send_reply("200", "OK");
		exit;
	}
	t_newtran();
	t_vbflag_set("1"); t_vbflag_set("3");
	if (t_vbflag_is_set("1")) { xlog("L_INFO", "1 set\n"); }
	if (t_vbflag_is_set("3")) { xlog("L_INFO", "3 set\n"); }
	t_vbflag_reset("1");
	if (!t_vbflag_is_set("1")) { xlog("L_INFO", "1 not set after its reset\n"); }
	if (t_vbflag_is_set("3")) { xlog("L_INFO", "3 still set\n"); }
	if (!t_vbflag_is_set("0")) { xlog("L_INFO", "0 not set\n"); }
	if (!t_vbflag_is_set("2")) { xlog("L_INFO", "2 not set\n"); }
	$var(f) = 32; t_vbflag_set("$var(f)"); xlog("L_INFO", "flag 32 rc=$rc\n");
	$var(f) = -1; t_vbflag_set("$var(f)"); xlog("L_INFO", "flag -1 rc=$rc\n");
	$sbranch(uri) = "sip:two@127.0.0.1:UAS2"; sbranch_append();
	t_on_branch("B");
	t_relay();
	exit;
}
branch_route[B] {
	t_vbflag_set("2"); xlog("L_INFO", "branch $T_branch_idx rc=$rc\n");
}`, uas1, uas2)
	phone.SendTo(k.SIPAddr(), phone.Request("MESSAGE", fmt.Sprintf("sip:one@127.0.0.1:%d", uas1.Port()), "vb1", "vb-call-1", 1))
	if v := topVia(uas1.Recv()); !strings.HasSuffix(v, ";kvf=c") {
		t.Errorf("first branch's Via %q, want ;kvf=c", v)
	}
	if v := topVia(uas2.Recv()); strings.Contains(v, "kvf") {
		t.Errorf("second branch's Via %q has flags", v)
	}
	phone.SendTo(k.SIPAddr(), phone.Request("OPTIONS", "sip:none@127.0.0.1", "vb2", "vb-call-2", 1))
	phone.RecvStatus(200)
	want := []string{"1 set", "3 set", "1 not set after its reset", "3 still set", "0 not set", "2 not set", "flag 32 rc=-1", "flag -1 rc=-1",
		"branch 0 rc=1", "branch 1 rc=-1", "no transaction rc=-1"}
	lines := k.Lines()
	for _, w := range want {
		if !matchAny(regexp.MustCompile(`^INFO: script: `+regexp.QuoteMeta(w)+`$`), lines) {
			t.Errorf("log lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

// topVia is the top Via header of m as written.
func topVia(m *sipmsg.Msg) string {
	v, _ := m.Header("via")
	return v
}

// TestVBFlagsWithMessageFlags: the message's via-body flags (corex's
// msg_vbflag_set) and the branch's (t_vbflag_set) go in one ";kvf="
// parameter holding both, as Kamailio's create_via_hf writes them.
func TestVBFlagsWithMessageFlags(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	k := startKamgo(t, `loadmodule "corex.so"
request_route {
	msg_vbflag_set("0");
	t_newtran();
	t_vbflag_set("2");
	t_relay();
	exit;
}`, uas)
	phone.SendTo(k.SIPAddr(), phone.Request("MESSAGE", fmt.Sprintf("sip:one@127.0.0.1:%d", uas.Port()), "vb3", "vb-call-3", 1))
	v := topVia(uas.Recv())
	if !strings.HasSuffix(v, ";kvf=5") || strings.Count(v, "kvf") != 1 {
		t.Errorf("Via %q, want one ;kvf=5", v)
	}
}
