package tm_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/catalog"
	_ "github.com/kamgo/kamgo/modules/corex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// proxy is a running configuration with tm on a fake clock.
type proxy struct {
	*siptest.Server
	t  *testing.T
	tm *tm.Module
}

// defaultModules are the modules start loads.
var defaultModules = []string{"tm", "sl", "pv", "xlog", "textops"}

// start loads routes with tm, sl, pv, xlog and textops, listening on a
// free UDP port, the placeholders UAS1 and UAS2 replaced by the ports of
// the peers given.
func start(t *testing.T, routes string, peers ...*siptest.UA) *proxy {
	t.Helper()
	return startWith(t, defaultModules, routes, peers...)
}

// startWith is start with the modules given loaded.
func startWith(t *testing.T, modules []string, routes string, peers ...*siptest.UA) *proxy {
	t.Helper()
	p := &proxy{t: t}
	clock := fakeclock.New()
	p.Server = siptest.Start(t, "children=2\n"+siptest.ListenUDP+siptest.LoadModules(modules...)+routes, siptest.Options{Name: "tm.cfg", Clock: clock, Subst: siptest.Placeholders(peers...),
		// The newest release: its tm has every function kamgo runs.
		Release: catalog.NewestRelease(),
		Setup: func(srv *server.Server) {
			p.tm = siptest.Module[*tm.Module](t, srv, "tm")
			p.tm.SetClock(clock)
		}})
	return p
}

// waitMetric waits until tm's metric name reaches n: the proxy has
// processed what the test sent, so the test may move the clock.
func (p *proxy) waitMetric(name string, n int) {
	p.t.Helper()
	want := fmt.Sprintf("%s %d\n", name, n)
	var b strings.Builder
	if !siptest.Poll(func() bool {
		b.Reset()
		_ = p.tm.WriteMetrics(&b)
		return strings.Contains(b.String(), want)
	}) {
		p.t.Fatalf("%s never reached %d:\n%s", name, n, b.String())
	}
}

var tmBranch = regexp.MustCompile(`^z9hG4bK[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)$`)

// TestInviteRelayed: an INVITE relayed with t_relay gets the automatic
// 100; the next hop sees kamgo's Via with a tm branch on top; 180 and 200
// go back upstream without kamgo's Via; the ACK for the 2xx is relayed
// statelessly end to end.
func TestInviteRelayed(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route { if (!t_relay()) { sl_reply_error(); } exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv1", "call-1", 1))
	if r := phone.Recv(); siptest.Status(r) != "100 trying -- your call is important to us" {
		t.Fatalf("first reply %q", siptest.Status(r))
	}
	inv := uas.Recv()
	if inv.Method != "INVITE" || !tmBranch.MatchString(siptest.TopBranch(inv)) || len(inv.Vias()) != 2 {
		t.Fatalf("relayed INVITE:\n%s", inv.Buf)
	}
	if m := tmBranch.FindStringSubmatch(siptest.TopBranch(inv)); m[1] != "0" {
		t.Errorf("branch number %s", m[1])
	}
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "b1"))
	if r := phone.Recv(); siptest.Status(r) != "180 Ringing" || len(r.Vias()) != 1 {
		t.Fatalf("relayed 180:\n%s", r.Buf)
	}
	uas.SendTo(p.Addr, siptest.Reply(inv, 200, "OK", "b1"))
	ok := phone.Recv()
	if siptest.Status(ok) != "200 OK" || len(ok.Vias()) != 1 || siptest.TopBranch(ok) != "z9hG4bKinv1" {
		t.Fatalf("relayed 200:\n%s", ok.Buf)
	}
	ack := phone.Request("ACK", ruri, "ack1", "call-1", 1)
	ack = strings.Replace(ack, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b1", 1)
	phone.SendTo(p.Addr, ack)
	if a := uas.Recv(); a.Method != "ACK" || len(a.Vias()) != 2 {
		t.Fatalf("ACK not relayed end to end:\n%s", a.Buf)
	}
	uas.None()
	phone.None()
}

// TestNegativeReply: a 486 is acknowledged hop by hop by kamgo, relayed,
// retransmitted upstream until the phone's ACK, which kamgo absorbs.
func TestNegativeReply(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv2", "call-2", 7))
	phone.Recv() // 100
	inv := uas.Recv()
	uas.SendTo(p.Addr, siptest.Reply(inv, 486, "Busy Here", "b2"))
	ack := uas.Recv()
	if ack.Method != "ACK" || siptest.TopBranch(ack) != siptest.TopBranch(inv) || ack.RURI != inv.RURI {
		t.Fatalf("hop-by-hop ACK:\n%s", ack.Buf)
	}
	if cseq, _ := ack.Header("cseq"); cseq != "7 ACK" {
		t.Errorf("ACK CSeq %q", cseq)
	}
	if to, _ := ack.Header("to"); !strings.Contains(to, "tag=b2") {
		t.Errorf("ACK To %q", to)
	}
	busy := phone.Recv()
	if siptest.Status(busy) != "486 Busy Here" {
		t.Fatalf("relayed %q", siptest.Status(busy))
	}
	p.Clock.Advance(500 * time.Millisecond)
	if again := phone.Recv(); siptest.Status(again) != "486 Busy Here" {
		t.Fatalf("retransmission %q", siptest.Status(again))
	}
	phoneACK := phone.Request("ACK", ruri, "inv2", "call-2", 7)
	phoneACK = strings.Replace(phoneACK, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b2", 1)
	phone.SendTo(p.Addr, phoneACK)
	p.waitMetric("kamgo_tm_acks_absorbed_total", 1)
	uas.None()
	p.Clock.Advance(4 * time.Second)
	phone.None()
}

// TestTimeout: with no reply, the INVITE is retransmitted at T1, 2T1 ...
// (capped at T2), and after fr_timer the phone gets a 408.
func TestTimeout(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `modparam("tm", "fr_timer", 5000)
request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv3", "call-3", 1))
	phone.Recv() // 100
	first := uas.Recv()
	for _, d := range []time.Duration{500, 1000, 2000} {
		p.Clock.Advance(d * time.Millisecond)
		if r := uas.Recv(); r.Buf != first.Buf {
			t.Fatalf("retransmission after %dms differs", d)
		}
	}
	p.Clock.Advance(1500 * time.Millisecond) // 5s in all
	if r := phone.Recv(); siptest.Status(r) != "408 Request Timeout" {
		t.Fatalf("after fr_timer %q", siptest.Status(r))
	}
}

// TestFailureRoute: a 486 from the first destination runs failure_route,
// whose t_relay tries a second one; its 200 goes upstream.
func TestFailureRoute(t *testing.T) {
	phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
	p := start(t, `request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] {
	if (t_check_status("486")) { $ru = "sip:carol@127.0.0.1:UAS2"; t_relay(); }
}`, uas1, uas2)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv4", "call-4", 1))
	phone.Recv()
	inv := uas1.Recv()
	uas1.SendTo(p.Addr, siptest.Reply(inv, 486, "Busy Here", "x1"))
	uas1.Recv() // ACK
	inv2 := uas2.Recv()
	if m := tmBranch.FindStringSubmatch(siptest.TopBranch(inv2)); m == nil || m[1] != "1" {
		t.Fatalf("second branch:\n%s", inv2.Buf)
	}
	if !strings.HasPrefix(inv2.RURI, "sip:carol@") {
		t.Errorf("second branch R-URI %s", inv2.RURI)
	}
	uas2.SendTo(p.Addr, siptest.Reply(inv2, 200, "OK", "x2"))
	if r := phone.Recv(); siptest.Status(r) != "200 OK" {
		t.Fatalf("got %q", siptest.Status(r))
	}
}

// TestCancel: a CANCEL for a ringing INVITE is answered 200 by kamgo and
// sent on the branch with the INVITE's Via branch; the 487 goes upstream.
func TestCancel(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv5", "call-5", 3))
	phone.Recv()
	inv := uas.Recv()
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "c1"))
	phone.Recv()
	phone.SendTo(p.Addr, phone.Request("CANCEL", ruri, "inv5", "call-5", 3))
	if r := phone.Recv(); siptest.Status(r) != "200 canceling" {
		t.Fatalf("CANCEL answered %q", siptest.Status(r))
	}
	cancel := uas.Recv()
	if cancel.Method != "CANCEL" || siptest.TopBranch(cancel) != siptest.TopBranch(inv) || cancel.RURI != inv.RURI {
		t.Fatalf("CANCEL sent:\n%s", cancel.Buf)
	}
	if cseq, _ := cancel.Header("cseq"); cseq != "3 CANCEL" {
		t.Errorf("CANCEL CSeq %q", cseq)
	}
	uas.SendTo(p.Addr, siptest.Reply(cancel, 200, "OK", "c1"))
	uas.SendTo(p.Addr, siptest.Reply(inv, 487, "Request Terminated", "c1"))
	if a := uas.Recv(); a.Method != "ACK" {
		t.Fatalf("487 not acknowledged:\n%s", a.Buf)
	}
	if r := phone.Recv(); siptest.Status(r) != "487 Request Terminated" {
		t.Fatalf("INVITE answered %q", siptest.Status(r))
	}
}

// TestCancelBeforeReply: a branch that got no reply yet is not sent a
// CANCEL (cancel_b_method 1): it keeps being retransmitted, and the CANCEL
// goes out with its first provisional reply.
func TestCancelBeforeReply(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv6", "call-6", 1))
	phone.Recv()
	inv := uas.Recv()
	phone.SendTo(p.Addr, phone.Request("CANCEL", ruri, "inv6", "call-6", 1))
	if r := phone.Recv(); siptest.Status(r) != "200 canceling" {
		t.Fatalf("CANCEL answered %q", siptest.Status(r))
	}
	uas.None()
	p.Clock.Advance(500 * time.Millisecond)
	if r := uas.Recv(); r.Method != "INVITE" {
		t.Fatalf("not retransmitted:\n%s", r.Buf)
	}
	uas.SendTo(p.Addr, siptest.Reply(inv, 180, "Ringing", "d1"))
	if c := uas.Recv(); c.Method != "CANCEL" {
		t.Fatalf("no CANCEL on the provisional reply:\n%s", c.Buf)
	}
	phone.None()
}

// TestRetransmissionAbsorbed: the phone's retransmitted INVITE is answered
// with the last reply and not relayed again.
func TestRetransmissionAbsorbed(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	req := phone.Request("INVITE", ruri, "inv7", "call-7", 1)
	phone.SendTo(p.Addr, req)
	phone.Recv()
	inv := uas.Recv()
	uas.SendTo(p.Addr, siptest.Reply(inv, 183, "Session Progress", "e1"))
	phone.Recv()
	phone.SendTo(p.Addr, req)
	if r := phone.Recv(); siptest.Status(r) != "183 Session Progress" {
		t.Fatalf("retransmission answered %q", siptest.Status(r))
	}
	uas.None()
}

// TestLocalReply: t_reply answers with tm's to-tag (32 hexadecimal digits,
// '-', 8 more) and retransmits a negative INVITE reply until the ACK,
// which is absorbed.
func TestLocalReply(t *testing.T) {
	phone := siptest.NewUA(t, "phone")
	p := start(t, `request_route {
	if (is_method("ACK")) { if (t_check_trans()) { xlog("L_INFO", "ack passed\n"); } exit; }
	t_newtran(); t_reply("404", "Not Here"); exit;
}`)
	ruri := "sip:bob@127.0.0.1"
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv8", "call-8", 1))
	r := phone.Recv()
	to, _ := r.Header("to")
	if siptest.Status(r) != "404 Not Here" || !regexp.MustCompile(`;tag=[0-9a-f]{32}-[0-9a-f]{8}$`).MatchString(to) {
		t.Fatalf("reply %q, To %q", siptest.Status(r), to)
	}
	p.Clock.Advance(500 * time.Millisecond)
	if again := phone.Recv(); again.Buf != r.Buf {
		t.Fatalf("retransmission differs:\n%s", again.Buf)
	}
	tag := to[strings.Index(to, ";tag=")+5:]
	ack := strings.Replace(phone.Request("ACK", ruri, "inv8", "call-8", 1), "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag="+tag, 1)
	phone.SendTo(p.Addr, ack)
	p.waitMetric("kamgo_tm_acks_absorbed_total", 1)
	p.Clock.Advance(time.Second)
	phone.None()
	if strings.Contains(p.Log.Text(), "ack passed") {
		t.Error("the ACK of a negative reply passed t_check_trans")
	}
}

// TestNonInvite: a MESSAGE is relayed, its 200 goes back; a second one
// with no answer is retransmitted and gets a 408 after fr_timer.
func TestNonInvite(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `modparam("tm", "fr_timer", 4000)
request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.Port())
	phone.SendTo(p.Addr, phone.Request("MESSAGE", ruri, "msg1", "call-9", 1))
	msg := uas.Recv()
	uas.SendTo(p.Addr, siptest.Reply(msg, 200, "OK", "m1"))
	if r := phone.Recv(); siptest.Status(r) != "200 OK" {
		t.Fatalf("got %q", siptest.Status(r))
	}
	phone.SendTo(p.Addr, phone.Request("MESSAGE", ruri, "msg2", "call-10", 1))
	uas.Recv()
	p.Clock.Advance(500 * time.Millisecond)
	uas.Recv()
	p.Clock.Advance(3500 * time.Millisecond)
	for {
		m, ok := phone.Read(siptest.Wait)
		if !ok {
			t.Fatal("no 408")
		}
		if m.Status == 408 {
			break
		}
	}
}

// TestParallelFork: two branches; the lower-ranked negative reply wins
// once both are final (404 before 486); a 2xx on one branch cancels the
// other.
func TestParallelFork(t *testing.T) {
	phone, uas1, uas2 := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas1"), siptest.NewUA(t, "uas2")
	p := start(t, `request_route {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_relay(); exit;
}`, uas1, uas2)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.Port())
	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv9", "call-11", 1))
	phone.Recv()
	a, b := uas1.Recv(), uas2.Recv()
	uas1.SendTo(p.Addr, siptest.Reply(a, 486, "Busy Here", "f1"))
	uas1.Recv()
	phone.None()
	uas2.SendTo(p.Addr, siptest.Reply(b, 404, "Not Found", "f2"))
	uas2.Recv()
	if r := phone.Recv(); siptest.Status(r) != "404 Not Found" {
		t.Fatalf("picked %q", siptest.Status(r))
	}

	phone.SendTo(p.Addr, phone.Request("INVITE", ruri, "inv10", "call-12", 1))
	phone.Recv()
	a, b = uas1.Recv(), uas2.Recv()
	uas2.SendTo(p.Addr, siptest.Reply(b, 180, "Ringing", "g2"))
	phone.Recv()
	uas1.SendTo(p.Addr, siptest.Reply(a, 200, "OK", "g1"))
	if r := phone.Recv(); siptest.Status(r) != "200 OK" {
		t.Fatalf("got %q", siptest.Status(r))
	}
	if c := uas2.Recv(); c.Method != "CANCEL" {
		t.Fatalf("other branch not canceled:\n%s", c.Buf)
	} else if reason, _ := c.Header("reason"); reason != `SIP;cause=200;text="Call completed elsewhere"` {
		t.Errorf("Reason %q", reason)
	}
}

// TestRelayNoSocket: a t_relay to a destination no socket serves returns
// -7 and logs tm's lines; the script's own reply goes first and tm's
// error reply follows when request_route ends (Kamailio's delayed reply).
func TestRelayNoSocket(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	p := start(t, `request_route {
	$du = "sip:127.0.0.1:UAS1;transport=tls";
	if (!t_relay()) { xlog("L_INFO", "rc=$rc\n"); sl_send_reply("503", "Script"); }
	exit;
}`, uas)
	phone.SendTo(p.Addr, phone.Request("OPTIONS", "sip:bob@127.0.0.1", "ns1", "nosock-1", 1))
	if got := siptest.Status(phone.Recv()); got != "503 Script" {
		t.Errorf("first reply %s", got)
	}
	if got := siptest.Status(phone.Recv()); got != "500 I'm terribly sorry, server error occurred (7/TM)" {
		t.Errorf("second reply %s", got)
	}
	p.WaitLog(t, `^INFO: <script>: rc=-7$`, 1)
	want := []string{
		fmt.Sprintf(`ERROR: <tm>: uri2dst2(): no corresponding socket found for "127.0.0.1" af 2 (tls:127.0.0.1:%d)`, uas.Port()),
		"ERROR: <tm>: prepare_new_uac(): can't fwd to af 2, proto 3  (no corresponding listening socket)",
		"ERROR: <tm>: t_forward_nonack(): failure to add branches",
	}
	var got []string
	for _, l := range strings.Split(p.Log.Text(), "\n") {
		if strings.HasPrefix(l, "ERROR: <tm>: ") {
			got = append(got, l)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
