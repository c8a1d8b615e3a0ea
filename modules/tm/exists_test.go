package tm_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// TestExists: t_exists is false for a request before its transaction
// exists and true for its retransmission, without taking the transaction
// (the retransmission is still absorbed by t_relay, which answers it with
// the last reply); a reply to a branch finds its transaction in the core
// reply route, one to no branch does not.
func TestExists(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route {
	if (t_exists()) { xlog("L_INFO", "exists $rm $ci\n"); } else { xlog("L_INFO", "new $rm $ci\n"); }
	t_relay();
	exit;
}
reply_route {
	if (t_exists()) { xlog("L_INFO", "reply exists $rs\n"); } else { xlog("L_INFO", "reply alone $rs\n"); }
}`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	inv := phone.Request("INVITE", ruri, "ex1", "ex-call-1", 1)
	phone.SendTo(p.Addr, inv)
	phone.RecvStatus(100)
	relayed := uas.Recv()
	phone.SendTo(p.Addr, inv)
	if r := phone.Recv(); r.Status != 100 {
		t.Fatalf("retransmission answered %q", siptest.Status(r))
	}
	uas.None()
	uas.SendTo(p.Addr, siptest.Reply(relayed, 180, "Ringing", "t1"))
	phone.RecvStatus(180)
	stray := strings.Replace(siptest.Reply(relayed, 183, "Progress", "t1"), siptest.TopBranch(relayed), "z9hG4bKnone.0.0", 1)
	uas.SendTo(p.Addr, stray)
	p.WaitLog(t, `reply alone 183`, 1)
	want := []string{"new INVITE ex-call-1", "exists INVITE ex-call-1", "reply exists 180", "reply alone 183"}
	var got []string
	for _, l := range p.Lines() {
		for _, w := range want {
			if strings.HasSuffix(l, w) {
				got = append(got, w)
			}
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("script log %q, want %q", got, want)
	}
}
