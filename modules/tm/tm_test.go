package tm_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wait bounds every read of a message that must come.
const wait = 5 * time.Second

// quiet is how long a read waits for a message that must not come.
const quiet = 200 * time.Millisecond

// proxy is a running configuration with tm on a fake clock.
type proxy struct {
	t     *testing.T
	addr  string
	port  int
	clock *fakeclock.Clock
	log   *linelog.Log
	tm    *tm.Module
}

// start loads routes with tm, sl, pv, xlog and textops, listening on a
// free UDP port, the placeholders UAS1 and UAS2 replaced by the ports of
// the peers given.
func start(t *testing.T, routes string, peers ...*peer) *proxy {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range peers {
		routes = strings.ReplaceAll(routes, "UAS"+strconv.Itoa(i+1), strconv.Itoa(p.port()))
	}
	src := fmt.Sprintf("children=2\nlisten=udp:127.0.0.1:%d\n"+
		"loadmodule \"tm.so\"\nloadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nloadmodule \"textops.so\"\n%s", port, routes)
	cfg, diags, _ := check.AnalyzeSource("tm.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	inst, ok := srv.Module("tm")
	if !ok {
		t.Fatal("tm not loaded")
	}
	p := &proxy{t: t, addr: "127.0.0.1:" + strconv.Itoa(port), port: port, clock: fakeclock.New(), log: ll, tm: inst.(*tm.Module)}
	p.tm.SetClock(p.clock)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return p
}

// waitMetric waits until tm's metric name reaches n: the proxy has
// processed what the test sent, so the test may move the clock.
func (p *proxy) waitMetric(name string, n int) {
	p.t.Helper()
	want := fmt.Sprintf("%s %d\n", name, n)
	deadline := time.Now().Add(wait)
	for {
		var b strings.Builder
		_ = p.tm.WriteMetrics(&b)
		if strings.Contains(b.String(), want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never reached %d:\n%s", name, n, b.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// peer is a UDP endpoint: a phone upstream or a server downstream.
type peer struct {
	t  *testing.T
	pc net.PacketConn
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &peer{t: t, pc: pc}
}

func (p *peer) port() int { return p.pc.LocalAddr().(*net.UDPAddr).Port }

// send sends msg to addr.
func (p *peer) send(addr, msg string) {
	p.t.Helper()
	to, _ := net.ResolveUDPAddr("udp", addr)
	if _, err := p.pc.WriteTo([]byte(msg), to); err != nil {
		p.t.Fatal(err)
	}
}

// recv returns the next message, failing the test when none comes.
func (p *peer) recv() *sipmsg.Msg {
	p.t.Helper()
	m, ok := p.read(wait)
	if !ok {
		p.t.Fatalf("peer %d: no message", p.port())
	}
	return m
}

// none fails the test when a message comes within quiet.
func (p *peer) none() {
	p.t.Helper()
	if m, ok := p.read(quiet); ok {
		p.t.Fatalf("peer %d: unexpected message:\n%s", p.port(), m.Buf)
	}
}

func (p *peer) read(d time.Duration) (*sipmsg.Msg, bool) {
	buf := make([]byte, 65535)
	_ = p.pc.SetReadDeadline(time.Now().Add(d))
	n, _, err := p.pc.ReadFrom(buf)
	if err != nil {
		return nil, false
	}
	m, err := sipmsg.Parse(string(buf[:n]))
	if err != nil {
		p.t.Fatalf("unparsable message: %v\n%s", err, buf[:n])
	}
	return m, true
}

// request builds a request from the phone p: method to ruri, with the
// phone's Via and branch, a From tag, Call-ID and CSeq; extra headers
// follow.
func (p *peer) request(method, ruri, branch, callID string, cseq int, extra ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s", p.port(), branch),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	h = append(h, extra...)
	return strings.Join(append(h, "Content-Length: 0"), "\r\n") + "\r\n\r\n"
}

// reply builds the reply of a server to req: its Vias, From, To (with
// toTag when not empty), Call-ID and CSeq.
func reply(req *sipmsg.Msg, code int, reason, toTag string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "from", "call-id", "cseq":
			b.WriteString(req.Buf[h.Start:h.End])
		case "to":
			line := req.Buf[h.Start:h.End]
			if toTag != "" && !strings.Contains(line, ";tag=") {
				line = strings.TrimRight(line, "\r\n") + ";tag=" + toTag + "\r\n"
			}
			b.WriteString(line)
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// status is the status line of a reply.
func status(m *sipmsg.Msg) string { return strconv.Itoa(m.Status) + " " + m.Reason }

// topBranch is the branch of a message's top Via.
func topBranch(m *sipmsg.Msg) string {
	v, _, _ := m.TopVia()
	b, _ := v.Param("branch")
	return b
}

var tmBranch = regexp.MustCompile(`^z9hG4bK[0-9a-f]+\.[0-9a-f]+\.([0-9a-f]+)$`)

// TestInviteRelayed: an INVITE relayed with t_relay gets the automatic
// 100; the next hop sees kamgo's Via with a tm branch on top; 180 and 200
// go back upstream without kamgo's Via; the ACK for the 2xx is relayed
// statelessly end to end.
func TestInviteRelayed(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `request_route { if (!t_relay()) { sl_reply_error(); } exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv1", "call-1", 1))
	if r := phone.recv(); status(r) != "100 trying -- your call is important to us" {
		t.Fatalf("first reply %q", status(r))
	}
	inv := uas.recv()
	if inv.Method != "INVITE" || !tmBranch.MatchString(topBranch(inv)) || len(inv.Vias()) != 2 {
		t.Fatalf("relayed INVITE:\n%s", inv.Buf)
	}
	if m := tmBranch.FindStringSubmatch(topBranch(inv)); m[1] != "0" {
		t.Errorf("branch number %s", m[1])
	}
	uas.send(p.addr, reply(inv, 180, "Ringing", "b1"))
	if r := phone.recv(); status(r) != "180 Ringing" || len(r.Vias()) != 1 {
		t.Fatalf("relayed 180:\n%s", r.Buf)
	}
	uas.send(p.addr, reply(inv, 200, "OK", "b1"))
	ok := phone.recv()
	if status(ok) != "200 OK" || len(ok.Vias()) != 1 || topBranch(ok) != "z9hG4bKinv1" {
		t.Fatalf("relayed 200:\n%s", ok.Buf)
	}
	ack := phone.request("ACK", ruri, "ack1", "call-1", 1)
	ack = strings.Replace(ack, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b1", 1)
	phone.send(p.addr, ack)
	if a := uas.recv(); a.Method != "ACK" || len(a.Vias()) != 2 {
		t.Fatalf("ACK not relayed end to end:\n%s", a.Buf)
	}
	uas.none()
	phone.none()
}

// TestNegativeReply: a 486 is acknowledged hop by hop by kamgo, relayed,
// retransmitted upstream until the phone's ACK, which kamgo absorbs.
func TestNegativeReply(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv2", "call-2", 7))
	phone.recv() // 100
	inv := uas.recv()
	uas.send(p.addr, reply(inv, 486, "Busy Here", "b2"))
	ack := uas.recv()
	if ack.Method != "ACK" || topBranch(ack) != topBranch(inv) || ack.RURI != inv.RURI {
		t.Fatalf("hop-by-hop ACK:\n%s", ack.Buf)
	}
	if cseq, _ := ack.Header("cseq"); cseq != "7 ACK" {
		t.Errorf("ACK CSeq %q", cseq)
	}
	if to, _ := ack.Header("to"); !strings.Contains(to, "tag=b2") {
		t.Errorf("ACK To %q", to)
	}
	busy := phone.recv()
	if status(busy) != "486 Busy Here" {
		t.Fatalf("relayed %q", status(busy))
	}
	p.clock.Advance(500 * time.Millisecond)
	if again := phone.recv(); status(again) != "486 Busy Here" {
		t.Fatalf("retransmission %q", status(again))
	}
	phoneACK := phone.request("ACK", ruri, "inv2", "call-2", 7)
	phoneACK = strings.Replace(phoneACK, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag=b2", 1)
	phone.send(p.addr, phoneACK)
	p.waitMetric("kamgo_tm_acks_absorbed_total", 1)
	uas.none()
	p.clock.Advance(4 * time.Second)
	phone.none()
}

// TestTimeout: with no reply, the INVITE is retransmitted at T1, 2T1 ...
// (capped at T2), and after fr_timer the phone gets a 408.
func TestTimeout(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `modparam("tm", "fr_timer", 5000)
request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv3", "call-3", 1))
	phone.recv() // 100
	first := uas.recv()
	for _, d := range []time.Duration{500, 1000, 2000} {
		p.clock.Advance(d * time.Millisecond)
		if r := uas.recv(); r.Buf != first.Buf {
			t.Fatalf("retransmission after %dms differs", d)
		}
	}
	p.clock.Advance(1500 * time.Millisecond) // 5s in all
	if r := phone.recv(); status(r) != "408 Request Timeout" {
		t.Fatalf("after fr_timer %q", status(r))
	}
}

// TestFailureRoute: a 486 from the first destination runs failure_route,
// whose t_relay tries a second one; its 200 goes upstream.
func TestFailureRoute(t *testing.T) {
	phone, uas1, uas2 := newPeer(t), newPeer(t), newPeer(t)
	p := start(t, `request_route { t_on_failure("F"); t_relay(); exit; }
failure_route[F] {
	if (t_check_status("486")) { $ru = "sip:carol@127.0.0.1:UAS2"; t_relay(); }
}`, uas1, uas2)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv4", "call-4", 1))
	phone.recv()
	inv := uas1.recv()
	uas1.send(p.addr, reply(inv, 486, "Busy Here", "x1"))
	uas1.recv() // ACK
	inv2 := uas2.recv()
	if m := tmBranch.FindStringSubmatch(topBranch(inv2)); m == nil || m[1] != "1" {
		t.Fatalf("second branch:\n%s", inv2.Buf)
	}
	if !strings.HasPrefix(inv2.RURI, "sip:carol@") {
		t.Errorf("second branch R-URI %s", inv2.RURI)
	}
	uas2.send(p.addr, reply(inv2, 200, "OK", "x2"))
	if r := phone.recv(); status(r) != "200 OK" {
		t.Fatalf("got %q", status(r))
	}
}

// TestCancel: a CANCEL for a ringing INVITE is answered 200 by kamgo and
// sent on the branch with the INVITE's Via branch; the 487 goes upstream.
func TestCancel(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv5", "call-5", 3))
	phone.recv()
	inv := uas.recv()
	uas.send(p.addr, reply(inv, 180, "Ringing", "c1"))
	phone.recv()
	phone.send(p.addr, phone.request("CANCEL", ruri, "inv5", "call-5", 3))
	if r := phone.recv(); status(r) != "200 canceling" {
		t.Fatalf("CANCEL answered %q", status(r))
	}
	cancel := uas.recv()
	if cancel.Method != "CANCEL" || topBranch(cancel) != topBranch(inv) || cancel.RURI != inv.RURI {
		t.Fatalf("CANCEL sent:\n%s", cancel.Buf)
	}
	if cseq, _ := cancel.Header("cseq"); cseq != "3 CANCEL" {
		t.Errorf("CANCEL CSeq %q", cseq)
	}
	uas.send(p.addr, reply(cancel, 200, "OK", "c1"))
	uas.send(p.addr, reply(inv, 487, "Request Terminated", "c1"))
	if a := uas.recv(); a.Method != "ACK" {
		t.Fatalf("487 not acknowledged:\n%s", a.Buf)
	}
	if r := phone.recv(); status(r) != "487 Request Terminated" {
		t.Fatalf("INVITE answered %q", status(r))
	}
}

// TestCancelBeforeReply: a branch that got no reply yet is not sent a
// CANCEL (cancel_b_method 1): it keeps being retransmitted, and the CANCEL
// goes out with its first provisional reply.
func TestCancelBeforeReply(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `request_route {
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	t_relay(); exit;
}`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv6", "call-6", 1))
	phone.recv()
	inv := uas.recv()
	phone.send(p.addr, phone.request("CANCEL", ruri, "inv6", "call-6", 1))
	if r := phone.recv(); status(r) != "200 canceling" {
		t.Fatalf("CANCEL answered %q", status(r))
	}
	uas.none()
	p.clock.Advance(500 * time.Millisecond)
	if r := uas.recv(); r.Method != "INVITE" {
		t.Fatalf("not retransmitted:\n%s", r.Buf)
	}
	uas.send(p.addr, reply(inv, 180, "Ringing", "d1"))
	if c := uas.recv(); c.Method != "CANCEL" {
		t.Fatalf("no CANCEL on the provisional reply:\n%s", c.Buf)
	}
	phone.none()
}

// TestRetransmissionAbsorbed: the phone's retransmitted INVITE is answered
// with the last reply and not relayed again.
func TestRetransmissionAbsorbed(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	req := phone.request("INVITE", ruri, "inv7", "call-7", 1)
	phone.send(p.addr, req)
	phone.recv()
	inv := uas.recv()
	uas.send(p.addr, reply(inv, 183, "Session Progress", "e1"))
	phone.recv()
	phone.send(p.addr, req)
	if r := phone.recv(); status(r) != "183 Session Progress" {
		t.Fatalf("retransmission answered %q", status(r))
	}
	uas.none()
}

// TestLocalReply: t_reply answers with tm's to-tag (32 hexadecimal digits,
// '-', 8 more) and retransmits a negative INVITE reply until the ACK,
// which is absorbed.
func TestLocalReply(t *testing.T) {
	phone := newPeer(t)
	p := start(t, `request_route {
	if (is_method("ACK")) { if (t_check_trans()) { xlog("L_INFO", "ack passed\n"); } exit; }
	t_newtran(); t_reply("404", "Not Here"); exit;
}`)
	ruri := "sip:bob@127.0.0.1"
	phone.send(p.addr, phone.request("INVITE", ruri, "inv8", "call-8", 1))
	r := phone.recv()
	to, _ := r.Header("to")
	if status(r) != "404 Not Here" || !regexp.MustCompile(`;tag=[0-9a-f]{32}-[0-9a-f]{8}$`).MatchString(to) {
		t.Fatalf("reply %q, To %q", status(r), to)
	}
	p.clock.Advance(500 * time.Millisecond)
	if again := phone.recv(); again.Buf != r.Buf {
		t.Fatalf("retransmission differs:\n%s", again.Buf)
	}
	tag := to[strings.Index(to, ";tag=")+5:]
	ack := strings.Replace(phone.request("ACK", ruri, "inv8", "call-8", 1), "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag="+tag, 1)
	phone.send(p.addr, ack)
	p.waitMetric("kamgo_tm_acks_absorbed_total", 1)
	p.clock.Advance(time.Second)
	phone.none()
	if strings.Contains(p.log.Text(), "ack passed") {
		t.Error("the ACK of a negative reply passed t_check_trans")
	}
}

// TestNonInvite: a MESSAGE is relayed, its 200 goes back; a second one
// with no answer is retransmitted and gets a 408 after fr_timer.
func TestNonInvite(t *testing.T) {
	phone, uas := newPeer(t), newPeer(t)
	p := start(t, `modparam("tm", "fr_timer", 4000)
request_route { t_relay(); exit; }`, uas)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas.port())
	phone.send(p.addr, phone.request("MESSAGE", ruri, "msg1", "call-9", 1))
	msg := uas.recv()
	uas.send(p.addr, reply(msg, 200, "OK", "m1"))
	if r := phone.recv(); status(r) != "200 OK" {
		t.Fatalf("got %q", status(r))
	}
	phone.send(p.addr, phone.request("MESSAGE", ruri, "msg2", "call-10", 1))
	uas.recv()
	p.clock.Advance(500 * time.Millisecond)
	uas.recv()
	p.clock.Advance(3500 * time.Millisecond)
	for {
		m, ok := phone.read(wait)
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
	phone, uas1, uas2 := newPeer(t), newPeer(t), newPeer(t)
	p := start(t, `request_route {
	$sbranch(uri) = "sip:carol@127.0.0.1:UAS2";
	sbranch_append();
	t_relay(); exit;
}`, uas1, uas2)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", uas1.port())
	phone.send(p.addr, phone.request("INVITE", ruri, "inv9", "call-11", 1))
	phone.recv()
	a, b := uas1.recv(), uas2.recv()
	uas1.send(p.addr, reply(a, 486, "Busy Here", "f1"))
	uas1.recv()
	phone.none()
	uas2.send(p.addr, reply(b, 404, "Not Found", "f2"))
	uas2.recv()
	if r := phone.recv(); status(r) != "404 Not Found" {
		t.Fatalf("picked %q", status(r))
	}

	phone.send(p.addr, phone.request("INVITE", ruri, "inv10", "call-12", 1))
	phone.recv()
	a, b = uas1.recv(), uas2.recv()
	uas2.send(p.addr, reply(b, 180, "Ringing", "g2"))
	phone.recv()
	uas1.send(p.addr, reply(a, 200, "OK", "g1"))
	if r := phone.recv(); status(r) != "200 OK" {
		t.Fatalf("got %q", status(r))
	}
	if c := uas2.recv(); c.Method != "CANCEL" {
		t.Fatalf("other branch not canceled:\n%s", c.Buf)
	} else if reason, _ := c.Header("reason"); reason != `SIP;cause=200;text="Call completed elsewhere"` {
		t.Errorf("Reason %q", reason)
	}
}
