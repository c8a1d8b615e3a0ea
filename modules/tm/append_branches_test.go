package tm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"

	_ "github.com/kamgo/kamgo/modules/tmx"
)

// appendRoutes relays INVITEs through branch_route[B] and keeps their
// transaction's index and label; a REGISTER appends the URI of its
// X-Target header to that transaction (X-Label: "wrong" names no
// transaction) and logs t_cell_append_branches' result.
const appendRoutes = `request_route {
	if (is_method("INVITE")) {
		$avp(who) = "caller";
		t_on_branch("B");
		t_relay();
		$shv(idx) = $T(id_index);
		$shv(lbl) = $T(id_label);
		exit;
	}
	if (is_method("REGISTER")) {
		$var(lbl) = $shv(lbl);
		if ($hdr(X-Label) == "wrong") { $var(lbl) = $var(lbl) + 1000; }
		if ($hdr(X-Target) != $null) { append_branch("$hdr(X-Target)"); }
		t_cell_append_branches("$shv(idx)", "$var(lbl)");
		xlog("L_INFO", "append rc=$rc\n");
		sl_send_reply("200", "OK");
		exit;
	}
	if (is_method("CANCEL")) { t_relay(); exit; }
}
branch_route[B] {
	append_hf("X-Branch: $T_branch_idx $avp(who)\r\n");
}`

// TestCellAppendBranches: t_cell_append_branches sends the destination
// set of a REGISTER as new branches of a ringing INVITE's transaction, with
// the INVITE's branch_route and AVPs, the next branch number in the Via;
// a URI the transaction already has is not added again (-1); an unknown
// transaction gives -1, a canceled one -2, an answered one -3.
func TestCellAppendBranches(t *testing.T) {
	phone, reg, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "reg"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
	p := startWith(t, append([]string{"corex", "tmx"}, defaultModules...), appendRoutes, uas1, uas2)
	uri1 := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.Port())
	uri2 := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas2.Port())
	register := func(n int, extra ...string) {
		t.Helper()
		reg.SendTo(p.Addr, reg.Request("REGISTER", "sip:127.0.0.1", fmt.Sprintf("r%d", n), fmt.Sprintf("reg-%d", n), n, extra...))
		reg.RecvStatus(200)
	}

	phone.SendTo(p.Addr, phone.Request("INVITE", uri1, "ab1", "ab-call-1", 1))
	phone.RecvStatus(100)
	inv1 := uas1.Recv()
	if got := hdr(inv1, "X-Branch"); got != "0 caller" {
		t.Errorf("first branch X-Branch %q", got)
	}
	uas1.SendTo(p.Addr, siptest.Reply(inv1, 180, "Ringing", "t1"))
	phone.RecvStatus(180)

	register(1, "X-Target: "+uri2)
	inv2 := uas2.Recv()
	if inv2.Method != "INVITE" || hdr(inv2, "Call-ID") != "ab-call-1" || hdr(inv2, "X-Branch") != "1 caller" {
		t.Fatalf("appended branch:\n%s", inv2.Buf)
	}
	if m := tmBranch.FindStringSubmatch(siptest.TopBranch(inv2)); m == nil || m[1] != "1" {
		t.Errorf("appended branch's Via branch %q", siptest.TopBranch(inv2))
	}
	if !strings.HasPrefix(string(inv2.Buf), "INVITE "+uri2+" SIP/2.0\r\n") {
		t.Errorf("appended branch's request line: %q", strings.SplitN(string(inv2.Buf), "\r\n", 2)[0])
	}
	register(2, "X-Target: "+uri2)
	register(3)
	register(4, "X-Target: "+uri2, "X-Label: wrong")
	uas1.None()
	uas2.None()

	// The appended branch answers: the call is set up through it, the
	// first branch is canceled, and the transaction takes no more.
	uas2.SendTo(p.Addr, siptest.Reply(inv2, 200, "OK", "t2"))
	phone.RecvStatus(200)
	uas1.RecvMethod("CANCEL")
	register(5, "X-Target: "+uri2)

	// A canceled INVITE whose branch did not answer the CANCEL yet.
	phone.SendTo(p.Addr, phone.Request("INVITE", uri1, "ab6", "ab-call-6", 1))
	phone.RecvStatus(100)
	inv6 := uas1.Recv()
	uas1.SendTo(p.Addr, siptest.Reply(inv6, 180, "Ringing", "t6"))
	phone.RecvStatus(180)
	phone.SendTo(p.Addr, phone.Request("CANCEL", uri1, "ab6", "ab-call-6", 1))
	phone.RecvStatus(200)
	uas1.RecvMethod("CANCEL")
	register(7, "X-Target: "+uri2)
	uas2.None()

	p.WaitLog(t, "append rc=", 6)
	var got []string
	for _, l := range p.Lines() {
		if i := strings.Index(l, "append rc="); i >= 0 {
			got = append(got, l[i:])
		}
	}
	want := []string{"append rc=1", "append rc=-1", "append rc=-1", "append rc=-1", "append rc=-3", "append rc=-2"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("results %q, want %q", got, want)
	}
	for _, w := range []string{
		"t_append_branches(): failure to add branches (-1)",
		"t_cell_append_branches(): transaction [",
	} {
		if !hasLine(p.Lines(), w) {
			t.Errorf("no log line %q", w)
		}
	}
}

// hdr is the value of a message's header, "" when it has none.
func hdr(m *sipmsg.Msg, name string) string {
	v, _ := m.Header(name)
	return v
}

// hasLine reports whether a log line holds s.
func hasLine(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
