package tm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The serial failover rules kamailio_test.go compares with Kamailio 5.6.3
// (scenarios failure-ruri-*, fr-inv-timeout-cancels, timeout-then-486*),
// here on kamgo alone.

// TestFailureRouteRURIConsumed: the Request-URI rewritten before the
// first t_relay has had its branch; a failure route's t_relay sends only
// what is new there: appended branches, or a Request-URI set again.
func TestFailureRouteRURIConsumed(t *testing.T) {
	tests := []struct {
		name    string
		failure string
		second  bool   // uas2 gets the next INVITE
		final   string // what the phone gets
	}{
		{"appended branch", `$sbranch(uri) = "sip:carol@127.0.0.1:UAS2"; sbranch_append(); t_relay();`, true, "404 Not Found"},
		{"rewritten again", `$ru = "sip:carol@127.0.0.1:UAS2"; t_relay();`, true, "404 Not Found"},
		{"nothing new", `if (!t_relay()) { xlog("L_INFO", "relay failed\n"); }`, false, "486 Busy Here"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
			p := start(t, `request_route {
	$ru = "sip:bob@127.0.0.1:UAS1";
	t_on_failure("F"); t_relay(); exit;
}
failure_route[F] { `+tc.failure+` }`, uas1, uas2)
			callID := fmt.Sprintf("consumed-%d", i)
			phone.SendTo(p.Addr, phone.Request("INVITE", "sip:bob@127.0.0.1", callID, callID, 1))
			phone.Recv() // 100
			inv := uas1.Recv()
			uas1.SendTo(p.Addr, siptest.Reply(inv, 486, "Busy Here", "c1"))
			if ack := uas1.Recv(); ack.Method != "ACK" {
				t.Fatalf("uas1 got %s, want the ACK", ack.FirstLine())
			}
			if tc.second {
				inv2 := uas2.Recv()
				if !strings.HasPrefix(inv2.RURI, "sip:carol@") {
					t.Fatalf("second INVITE to %s", inv2.RURI)
				}
				uas2.SendTo(p.Addr, siptest.Reply(inv2, 404, "Not Found", "c2"))
				uas2.Recv() // ACK
			}
			if r := phone.Recv(); siptest.Status(r) != tc.final {
				t.Fatalf("phone got %q, want %q", siptest.Status(r), tc.final)
			}
			uas1.None()
		})
	}
}

// TestFrInvTimeoutCancels: when fr_inv_timer runs out on a branch that
// rang, the caller gets 408 and the branch a CANCEL without Reason; a
// branch that never answered gets no CANCEL.
func TestFrInvTimeoutCancels(t *testing.T) {
	for _, rang := range []bool{true, false} {
		t.Run(fmt.Sprintf("rang=%v", rang), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			p := start(t, `modparam("tm", "fr_timer", 1000)
modparam("tm", "fr_inv_timer", 3000)
request_route { t_relay(); exit; }`, uas)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
			phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "frinv", "frinv", 1))
			phone.Recv() // 100
			inv := uas.Recv()
			if rang {
				uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "f1"))
				if r := phone.Recv(); siptest.Status(r) != "180 Ringing" {
					t.Fatalf("phone got %q", siptest.Status(r))
				}
			}
			if r := timeoutTo(p, phone); siptest.Status(r) != "408 Request Timeout" {
				t.Fatalf("phone got %q", siptest.Status(r))
			}
			// Without a reply uas got the INVITE's retransmission (at
			// retr_timer1) before the timeout, and nothing after.
			var got []string
			for range 3 {
				m, ok := uas.Read(siptest.Quiet)
				if !ok {
					break
				}
				got = append(got, m.Method)
				if m.Method == "CANCEL" {
					if strings.Contains(m.Buf, "\r\nReason:") {
						t.Errorf("CANCEL carries a Reason:\n%s", m.Buf)
					}
					if siptest.TopBranch(m) != siptest.TopBranch(inv) || !strings.HasPrefix(m.Buf, "CANCEL "+ruri+" ") {
						t.Errorf("CANCEL does not match the INVITE:\n%s", m.Buf)
					}
				}
			}
			want := "INVITE"
			if rang {
				want = "CANCEL"
			}
			if strings.Join(got, ",") != want {
				t.Fatalf("uas got %v after the INVITE, want %s", got, want)
			}
		})
	}
}

// TestNoisyCTimer: with noisy_ctimer 0 an INVITE relayed on one branch
// with no failure route, which never got a reply, ends silently at
// fr_timer; a failure route makes the timeout answered.
func TestNoisyCTimer(t *testing.T) {
	for _, failure := range []bool{false, true} {
		t.Run(fmt.Sprintf("failure_route=%v", failure), func(t *testing.T) {
			phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
			routes := `modparam("tm", "noisy_ctimer", 0)
modparam("tm", "fr_timer", 1000)
request_route { t_relay(); exit; }`
			if failure {
				routes = strings.Replace(routes, "t_relay();", `t_on_failure("F"); t_relay();`, 1) +
					"\nfailure_route[F] { xlog(\"L_INFO\", \"timeout\\n\"); }"
			}
			p := start(t, routes, uas)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
			phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "noisy", "noisy", 1))
			phone.Recv() // 100
			uas.Recv()
			p.Clock.Advance(time.Second)
			if !failure {
				phone.None()
				return
			}
			if r := phone.Recv(); siptest.Status(r) != "408 Request Timeout" {
				t.Fatalf("phone got %q", siptest.Status(r))
			}
		})
	}
}

// TestTimeoutThenBusy: a branch timed out (408 made here) and the failure
// route's branch answers 486. failure_reply_mode 3 drops the 408 when the
// failure route adds a branch; with 0 it stays and wins, unless
// faked_reply_prio ranks replies made here lower.
func TestTimeoutThenBusy(t *testing.T) {
	tests := []struct {
		params string
		want   string
	}{
		{"", "486 Busy Here"},
		{`modparam("tm", "failure_reply_mode", 0)`, "408 Request Timeout"},
		{`modparam("tm", "failure_reply_mode", 0)
modparam("tm", "faked_reply_prio", 100)`, "486 Busy Here"},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
			p := start(t, tc.params+`
modparam("tm", "fr_timer", 1000)
request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] {
	if (t_check_status("408") && !isflagset(1)) {
		setflag(1);
		$ru = "sip:carol@127.0.0.1:UAS2"; t_on_failure("F"); t_relay();
	}
}`, uas1, uas2)
			ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.Port())
			phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "busy", "busy", 1))
			phone.Recv() // 100
			uas1.Recv()
			p.Clock.Advance(time.Second)
			inv2 := uas2.Recv()
			uas2.SendTo(p.Addr, siptest.Reply(inv2, 486, "Busy Here", "b2"))
			uas2.Recv() // ACK
			if r := phone.Recv(); siptest.Status(r) != tc.want {
				t.Fatalf("phone got %q, want %q", siptest.Status(r), tc.want)
			}
		})
	}
}

// timeoutTo moves the proxy's clock a second at a time until peer gets a
// message, and returns it. The clock moves more than once because the
// proxy may still be handling what came before (a provisional reply
// restarts the branch's timer after relaying it) when it first moves.
func timeoutTo(p *proxy, peer *siptest.UA) *sipmsg.Msg {
	p.t.Helper()
	for range 10 {
		p.Clock.Advance(time.Second)
		if m, ok := peer.Read(siptest.Quiet); ok {
			return m
		}
	}
	p.t.Fatalf("peer %d: no message after the timeout", peer.Port())
	return nil
}
