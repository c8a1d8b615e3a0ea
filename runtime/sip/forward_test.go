package sip

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// invite is an INVITE from a phone at 127.0.0.1:port with the given top
// Via parameters and host.
func invite(viaHost string, port int, viaParams, callID string) string {
	return request("v=0\r\n",
		"INVITE sip:bob@127.0.0.1 SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s%s", viaHost, port, callID, viaParams),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a1",
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: "+callID,
		"CSeq: 1 INVITE",
		"Content-Length: 5")
}

// forwardTo makes request_route forward every request to dst, and report
// forward's error on the returned channel.
func forwardTo(s *testServer, dst func(m *sipmsg.Msg) Dest) chan error {
	errs := make(chan error, 16)
	s.r.on(ast.Request, func(c *event.Context) int {
		m := sipmsg.FromContext(c)
		errs <- From(c).Forward(c, m, dst(m))
		return 1
	})
	return errs
}

func lines(s string) []string { return strings.Split(s, "\r\n") }

// result waits for what forward returned.
func result(tb testing.TB, errs chan error) error {
	tb.Helper()
	select {
	case err := <-errs:
		return err
	case <-time.After(wait):
		tb.Fatal("request_route did not run")
		return nil
	}
}

var branchRE = regexp.MustCompile(`^z9hG4bK[0-9a-f]{1,4}\.[0-9a-f]{32}\.0$`)

// TestForward: the request goes out with this server's Via on top (its
// branch from the transaction key), received and rport added to the
// Via it came with as RFC 3261 and RFC 3581 ask, the rest unchanged.
func TestForward(t *testing.T) {
	s := startServer(t, Config{})
	phone, next := newPeer(t), newPeer(t)
	errs := forwardTo(s, func(*sipmsg.Msg) Dest { return Dest{Host: "127.0.0.1", Port: next.port()} })
	for _, tc := range []struct {
		name, host, params, want string
	}{
		{"same host", "127.0.0.1", "", "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s"},
		{"other host", "10.0.0.1", "", "Via: SIP/2.0/UDP 10.0.0.1:%d;received=127.0.0.1;branch=z9hG4bK-%s"},
		{"rport", "127.0.0.1", ";rport", "Via: SIP/2.0/UDP 127.0.0.1:%d;received=127.0.0.1;branch=z9hG4bK-%s;rport=" + strconv.Itoa(phone.port())},
		{"received", "h.example", ";received=1.2.3.4;x", "Via: SIP/2.0/UDP h.example:%d;branch=z9hG4bK-%s;received=127.0.0.1;x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.ReplaceAll(tc.name, " ", "-")
			raw := invite(tc.host, phone.port(), tc.params, id)
			phone.send(s.udpAt, raw)
			if err := result(t, errs); err != nil {
				t.Fatal(err)
			}
			got := lines(next.recv())
			want := lines(raw)
			want[1] = fmt.Sprintf(tc.want, phone.port(), id)
			top := "Via: SIP/2.0/UDP 127.0.0.1:" + strconv.Itoa(s.udp.Port) + ";branch="
			if len(got) != len(want)+1 || !strings.HasPrefix(got[1], top) || !branchRE.MatchString(strings.TrimPrefix(got[1], top)) {
				t.Fatalf("forwarded %q", got)
			}
			got = append(got[:1], got[2:]...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestBranch: the branch of a stateless relay is the same for a
// retransmission and differs for another transaction.
func TestBranch(t *testing.T) {
	a := received(t, invite("127.0.0.1", 5080, "", "b1"))
	b := received(t, invite("127.0.0.1", 5080, "", "b1"))
	c := received(t, strings.Replace(invite("127.0.0.1", 5080, "", "b1"), "CSeq: 1", "CSeq: 2", 1))
	ba, _ := statelessBranch(a)
	bb, _ := statelessBranch(b)
	bc, _ := statelessBranch(c)
	if ba != bb || ba == bc || !branchRE.MatchString(ba) {
		t.Errorf("branches %s %s %s", ba, bb, bc)
	}
	if _, err := statelessBranch(received(t, request("", "OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP h", "Call-ID: x"))); err == nil {
		t.Error("a branch without From, To and CSeq")
	}
	// Kamailio 5.6.3's forward() gave these branches to these requests.
	for _, tc := range []struct{ raw, want string }{
		{"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK-b1;rport\r\nMax-Forwards: 70\r\n" +
			"From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: br-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
			"z9hG4bKa13a.9b8429b43cbef018ef57b6869a98647c.0"},
		{"BYE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:35061;branch=z9hG4bK-b2\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\n" +
			"To: <sip:bob@127.0.0.1>;tag=b9\r\nCall-ID: br-2@x\r\nCSeq: 22 BYE\r\nContent-Length: 0\r\n\r\n",
			"z9hG4bKedf1.0b153b47e24a9fb57890ea36b8777253.0"},
	} {
		if got, _ := statelessBranch(received(t, tc.raw)); got != tc.want {
			t.Errorf("branch %s, Kamailio's %s", got, tc.want)
		}
	}
}

// TestForwardDestinations: the Request-URI rewritten, the advertised
// address, the Path, and a destination that does not resolve.
func TestForwardDestinations(t *testing.T) {
	// The name lookup fails at once, whatever the machine's DNS does.
	noDNS := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in this test")
	}}
	s := startServer(t, Config{AdvertisedAddress: "proxy.example", AdvertisedPort: 5099, Resolver: noDNS})
	phone, next := newPeer(t), newPeer(t)
	errs := forwardTo(s, func(m *sipmsg.Msg) Dest {
		if id, _ := m.Header("call-id"); id == "bad" {
			return Dest{Host: "no-such-host.invalid"}
		}
		m.SetRequestURI(fmt.Sprintf("sip:carol@127.0.0.1:%d", next.port()))
		m.PathVec = "<sip:edge;lr>"
		m.Send.LocalRport = true
		d, err := DestOf(m.RequestURI())
		if err != nil {
			t.Error(err)
		}
		return d
	})
	phone.send(s.udpAt, invite("127.0.0.1", phone.port(), "", "adv"))
	if err := result(t, errs); err != nil {
		t.Fatal(err)
	}
	got := lines(next.recv())
	if got[0] != fmt.Sprintf("INVITE sip:carol@127.0.0.1:%d SIP/2.0", next.port()) ||
		!regexp.MustCompile(`^Via: SIP/2.0/UDP proxy\.example:5099;branch=z9hG4bK\S+;rport$`).MatchString(got[1]) ||
		got[2] != "Route: <sip:edge;lr>" {
		t.Errorf("forwarded %q", got[:3])
	}
	phone.send(s.udpAt, invite("127.0.0.1", phone.port(), "", "bad"))
	if err := result(t, errs); Code(err) != ErrBadAddress {
		t.Errorf("error %v (code %d)", err, Code(err))
	}
	s.waitLog(t, `^ERROR: <core>: forward_request\(\): bad host name no-such-host\.invalid, dropping packet$`)
}

// TestOnSend: onsend_route runs before a request leaves, sees where it
// goes, and its drop keeps it from leaving.
func TestOnSend(t *testing.T) {
	s := startServer(t, Config{})
	phone, next := newPeer(t), newPeer(t)
	errs := forwardTo(s, func(*sipmsg.Msg) Dest { return Dest{Host: "127.0.0.1", Port: next.port()} })
	s.r.on(ast.OnSend, func(c *event.Context) int {
		m := sipmsg.FromContext(c)
		if m.Out == nil || m.Out.To.Port != next.port() || m.Out.From != s.udp || !strings.HasPrefix(m.Out.Buf, "INVITE ") {
			t.Errorf("outgoing %+v", m.Out)
		}
		if id, _ := m.Header("call-id"); id == "drop" {
			c.Dropped = true
			return 0
		}
		return 1
	})
	phone.send(s.udpAt, invite("127.0.0.1", phone.port(), "", "drop"))
	if err := result(t, errs); Code(err) != ErrProhibited {
		t.Errorf("dropped: %v", err)
	}
	phone.send(s.udpAt, invite("127.0.0.1", phone.port(), "", "keep"))
	if err := result(t, errs); err != nil {
		t.Fatal(err)
	}
	if got := next.recv(); !strings.Contains(got, "Call-ID: keep\r\n") {
		t.Errorf("received %q", got)
	}
	s.waitLog(t, `^INFO: <core>: forward_request\(\): request to 127\.0\.0\.1:\d+\(1\) dropped \(onsend_route\)$`)
}

// TestForwardReply: a reply loses the top Via and goes to the second
// one, at its received address and rport when it has them.
func TestForwardReply(t *testing.T) {
	s := startServer(t, Config{})
	uas, uac := newPeer(t), newPeer(t)
	reply := func(second string) string {
		return request("", "SIP/2.0 200 OK",
			fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK1.x.0", s.udp.Port), second,
			"From: <sip:a@h>;tag=1", "To: <sip:b@h>;tag=2", "Call-ID: r", "CSeq: 1 INVITE", "Content-Length: 0")
	}
	for _, tc := range []struct{ name, second string }{
		{"via port", fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-a", uac.port())},
		{"received and rport", fmt.Sprintf("Via: SIP/2.0/UDP 10.1.1.1:7;received=127.0.0.1;rport=%d;branch=z9hG4bK-a", uac.port())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := reply(tc.second)
			uas.send(s.udpAt, raw)
			want := strings.Replace(raw, lines(raw)[1]+"\r\n", "", 1)
			if got := uac.recv(); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
	// Both via-parms in one header: only the first goes.
	uas.send(s.udpAt, request("", "SIP/2.0 180 Ringing",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK1.x.0, SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-a", s.udp.Port, uac.port()),
		"From: <sip:a@h>;tag=1", "To: <sip:b@h>;tag=2", "Call-ID: r", "CSeq: 1 INVITE", "Content-Length: 0"))
	if got := lines(uac.recv()); got[1] != fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-a", uac.port()) {
		t.Errorf("Via %q", got[1])
	}
	// A drop in the reply route keeps the reply; then one goes through.
	s.r.on(ast.Reply, func(c *event.Context) int {
		if sipmsg.FromContext(c).Status == 183 {
			c.Dropped = true
			return 0
		}
		return 1
	})
	uas.send(s.udpAt, strings.Replace(reply(fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d", uac.port())), "200 OK", "183 Progress", 1))
	uas.send(s.udpAt, reply(fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d", uac.port())))
	if got := uac.recv(); !strings.HasPrefix(got, "SIP/2.0 200 OK\r\n") {
		t.Errorf("after a dropped reply: %q", got)
	}
}

// TestForwardTCP: a request forwarded over TCP opens a connection, gets a
// Content-Length, and the reply that comes back on it is routed and
// forwarded to the phone.
func TestForwardTCP(t *testing.T) {
	s := startServer(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	uasPort := ln.Addr().(*net.TCPAddr).Port
	errs := forwardTo(s, func(*sipmsg.Msg) Dest { return Dest{Host: "127.0.0.1", Port: uasPort, Proto: sipmsg.ProtoTCP} })
	phone := newPeer(t)
	raw := strings.Replace(invite("127.0.0.1", phone.port(), "", "tcp"), "Content-Length: 5\r\n", "", 1)
	phone.send(s.udpAt, raw)
	if err := result(t, errs); err != nil {
		t.Fatal(err)
	}
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(wait))
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(wait))
	r := bufio.NewReader(c)
	var head []string
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
		head = append(head, strings.TrimSuffix(l, "\r\n"))
	}
	body := make([]byte, 5)
	if _, err := io.ReadFull(r, body); err != nil || string(body) != "v=0\r\n" {
		t.Fatalf("body %q %v", body, err)
	}
	if !strings.HasPrefix(head[1], "Via: SIP/2.0/TCP 127.0.0.1:"+strconv.Itoa(s.tcp.Port)+";branch=") || head[len(head)-1] != "Content-Length: 5" {
		t.Fatalf("forwarded head %q", head)
	}
	reply := request("", "SIP/2.0 200 OK", head[1], head[2], "From: <sip:alice@127.0.0.1>;tag=a1",
		"To: <sip:bob@127.0.0.1>;tag=b", "Call-ID: tcp", "CSeq: 1 INVITE", "Content-Length: 0")
	if _, err := io.WriteString(c, reply); err != nil {
		t.Fatal(err)
	}
	if got := lines(phone.recv()); got[0] != "SIP/2.0 200 OK" || got[1] != head[2] {
		t.Errorf("reply to the phone %q", got)
	}
}

func TestMyself(t *testing.T) {
	s := startServer(t, Config{Aliases: []Alias{{Host: "sip.example.com"}, {Proto: sipmsg.ProtoTCP, Host: "tcp.example", Port: 5060}},
		Listen: []Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1"}, {Proto: sipmsg.ProtoTCP, Host: "localhost"}}})
	for _, tc := range []struct {
		host        string
		port, proto int
		want        bool
	}{
		{"127.0.0.1", s.udp.Port, sipmsg.ProtoUDP, true},
		{"127.0.0.1", 0, sipmsg.ProtoNone, true},
		{"127.0.0.1", 1, sipmsg.ProtoNone, false},
		{"127.0.0.2", 0, sipmsg.ProtoNone, false},
		{"SIP.example.com", 5062, sipmsg.ProtoUDP, true},
		{"tcp.example", 5060, sipmsg.ProtoUDP, false},
		{"tcp.example", 5060, sipmsg.ProtoTCP, true},
		{"localhost", s.tcp.Port, sipmsg.ProtoTCP, true},
		{"localhost", s.tcp.Port, sipmsg.ProtoUDP, false},
	} {
		if got := s.t.Myself(tc.host, tc.port, tc.proto); got != tc.want {
			t.Errorf("Myself(%s, %d, %d) = %v", tc.host, tc.port, tc.proto, got)
		}
	}
}

// TestDNSTryIPv6: without an IPv6 socket an IPv6 destination does not
// resolve and IPv6 lookups cannot be turned on (Kamailio turns
// dns_try_ipv6 off at start); with one, it resolves, and dns_try_ipv6=0
// turns that off again.
func TestDNSTryIPv6(t *testing.T) {
	v4 := startServer(t, Config{})
	if v4.t.DNSTryIPv6() || v4.t.HasIPv6() {
		t.Fatalf("IPv4 sockets only: DNSTryIPv6 %v, HasIPv6 %v", v4.t.DNSTryIPv6(), v4.t.HasIPv6())
	}
	d := Dest{Host: "[::1]", Port: 5060}
	if _, _, err := v4.t.resolve(d); err == nil {
		t.Error("[::1] resolved without an IPv6 socket")
	}
	if to, _, err := v4.t.resolve(Dest{Host: "127.0.0.1"}); err != nil || to.String() != "127.0.0.1:5060" {
		t.Errorf("127.0.0.1: %v %v", to, err)
	}
	if err := v4.t.SetDNSTryIPv6(true); err != ErrNoIPv6 {
		t.Errorf("turned on without an IPv6 socket: %v", err)
	}

	if pc, err := net.ListenPacket("udp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		pc.Close()
	}
	v6 := startServer(t, Config{Listen: []Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1"}, {Proto: sipmsg.ProtoUDP, Host: "::1"}}})
	if !v6.t.DNSTryIPv6() {
		t.Fatal("an IPv6 socket: DNSTryIPv6 off")
	}
	if to, _, err := v6.t.resolve(d); err != nil || to.String() != "[::1]:5060" {
		t.Errorf("[::1] with an IPv6 socket: %v %v", to, err)
	}
	if err := v6.t.SetDNSTryIPv6(false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v6.t.resolve(d); err == nil {
		t.Error("[::1] resolved with dns_try_ipv6 off")
	}
	off := startServer(t, Config{DNSNoIPv6: true, Listen: []Listen{{Proto: sipmsg.ProtoUDP, Host: "::1"}}})
	if off.t.DNSTryIPv6() {
		t.Error("dns_try_ipv6=0 with an IPv6 socket: on")
	}
}
