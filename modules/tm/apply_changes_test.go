package tm_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestMsgApplyChanges: with msg_apply_changes_mode = 1, t_msg_apply_changes
// in branch_route rebuilds the branch's request, so that the rest of the
// route reads the header it added and no longer the one it removed; each
// branch starts again from the transaction's request, and each relayed
// request carries its changes once.
func TestMsgApplyChanges(t *testing.T) {
	phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
	p := startWith(t, append([]string{"corex"}, defaultModules...), `msg_apply_changes_mode=1
request_route {
	append_branch("sip:two@127.0.0.1:UAS2");
	t_on_branch("OUT");
	t_relay();
	exit;
}
branch_route[OUT] {
	if (is_present_hf("X-Hdr")) { xlog("L_INFO", "pre has X-Hdr\n"); }
	append_hf("X-Hdr: b-$rU\r\n");
	remove_hf("X-Old");
	t_msg_apply_changes();
	xlog("L_INFO", "apply rc $rc\n");
	if (is_present_hf("X-Hdr")) { xlog("L_INFO", "post $hdr(X-Hdr) $ru\n"); }
	if (is_present_hf("X-Old")) { xlog("L_INFO", "post has X-Old\n"); }
	append_hf("X-After: yes\r\n");
}`, uas1, uas2)
	ruri := fmt.Sprintf("sip:one@127.0.0.1:%d", uas1.Port())
	inv := phone.Request("INVITE", ruri, "ac1", "ac-call-1", 1)
	inv = strings.Replace(inv, "\r\n\r\n", "\r\nX-Old: gone\r\n\r\n", 1)
	phone.SendTo(p.Addr, inv)
	phone.RecvStatus(100)
	for i, ua := range []*siptest.UA{uas1, uas2} {
		r := ua.Recv()
		text := string(r.Buf)
		if strings.Count(text, "X-Hdr: b-") != 1 || strings.Contains(text, "X-Old") || strings.Count(text, "X-After: yes") != 1 {
			t.Errorf("branch %d relayed:\n%s", i, text)
		}
	}
	p.WaitLog(t, `post b-two sip:two@`, 1)
	want := []string{"apply rc 1", fmt.Sprintf("post b-one %s", ruri), "apply rc 1", fmt.Sprintf("post b-two sip:two@127.0.0.1:%d", uas2.Port())}
	var got []string
	for _, l := range p.Lines() {
		if i := strings.Index(l, "apply rc "); i >= 0 {
			got = append(got, l[i:])
		} else if i := strings.Index(l, "post "); i >= 0 {
			got = append(got, l[i:])
		} else if strings.Contains(l, "pre has") {
			got = append(got, "pre has")
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("script log %q, want %q", got, want)
	}
}

// TestMsgApplyChangesMode: without msg_apply_changes_mode = 1 the
// function refuses (-1, Kamailio's line) and the branch still goes with
// its changes.
func TestMsgApplyChangesMode(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route { t_on_branch("OUT"); t_relay(); exit; }
branch_route[OUT] {
	append_hf("X-Hdr: abc\r\n");
	t_msg_apply_changes();
	xlog("L_INFO", "apply rc $rc\n");
}`, uas)
	ruri := fmt.Sprintf("sip:one@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("MESSAGE", ruri, "ac2", "ac-call-2", 1))
	if r := uas.Recv(); !strings.Contains(string(r.Buf), "X-Hdr: abc\r\n") {
		t.Errorf("relayed:\n%s", r.Buf)
	}
	p.WaitLog(t, regexp.QuoteMeta("apply rc -1")+"$", 1)
	if want := "ERROR: tm: w_t_msg_apply_changes(): the function cannot be used"; !slices.Contains(p.Lines(), want) {
		t.Errorf("log lacks %q:\n%s", want, p.Log.Text())
	}
}
