package sip

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in    string
		proto int
		host  string
		port  int
	}{
		{"udp:127.0.0.1:5060", sipmsg.ProtoUDP, "127.0.0.1", 5060},
		{"TCP:127.0.0.1", sipmsg.ProtoTCP, "127.0.0.1", 0},
		{"127.0.0.1", sipmsg.ProtoNone, "127.0.0.1", 0},
		{"127.0.0.1:5070", sipmsg.ProtoNone, "127.0.0.1", 5070},
		{"udp:[::1]:5060", sipmsg.ProtoUDP, "::1", 5060},
		{"[::1]", sipmsg.ProtoNone, "::1", 0},
		{"::1", sipmsg.ProtoNone, "::1", 0},
		{"tls:sip.example.com:5061", sipmsg.ProtoTLS, "sip.example.com", 5061},
		{"udp:host", sipmsg.ProtoUDP, "host", 0},
		{"udp", sipmsg.ProtoNone, "udp", 0},
	} {
		proto, host, port, err := ParseAddr(tc.in)
		if err != nil || proto != tc.proto || host != tc.host || port != tc.port {
			t.Errorf("%s: %d %q %d %v", tc.in, proto, host, port, err)
		}
	}
	for _, bad := range []string{"", "udp:", "udp:h:", "h:99999", "[::1", "[::1]x", "h:port"} {
		if _, _, _, err := ParseAddr(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// options is an OPTIONS request as sipp sends it from 127.0.0.1:port.
func options(port int, callID string) string {
	return request("",
		"OPTIONS sip:service@127.0.0.1 SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s", port, callID),
		fmt.Sprintf("From: sipp <sip:sipp@127.0.0.1:%d>;tag=%sTag", port, callID),
		"To: service <sip:service@127.0.0.1>",
		"Call-ID: "+callID,
		"CSeq: 1 OPTIONS",
		"Max-Forwards: 70",
		"Content-Length: 0")
}

// capture makes the request route send each message it sees to the
// returned channel.
func capture(s *testServer, kind ast.RouteKind) chan *sipmsg.Msg {
	ch := make(chan *sipmsg.Msg, 16)
	s.r.on(kind, func(c *event.Context) int {
		ch <- sipmsg.FromContext(c)
		return 1
	})
	return ch
}

func next(tb testing.TB, ch chan *sipmsg.Msg) *sipmsg.Msg {
	tb.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(wait):
		tb.Fatal("no message routed")
		return nil
	}
}

func TestRequestRoute(t *testing.T) {
	s := startServer(t, Config{})
	got := capture(s, ast.Request)
	p := newPeer(t)
	raw := options(p.port(), "c1")
	p.send(s.udpAt, raw)
	m := next(t, got)
	if m.Method != "OPTIONS" || m.Buf != raw || m.Src.IP != "127.0.0.1" || m.Src.Port != p.port() ||
		m.Rcv != s.udp || m.Proto != "udp" || m.Dst.Port != s.udp.Port || m.ConnID != 0 {
		t.Errorf("message %+v", m)
	}
}

// TestBadMessages: what does not parse, or lacks what every message
// needs, is logged and dropped, and the socket goes on serving.
func TestBadMessages(t *testing.T) {
	s := startServer(t, Config{})
	got := capture(s, ast.Request)
	p := newPeer(t)
	p.send(s.udpAt, "hello world\r\n\r\n")
	s.waitLog(t, fmt.Sprintf(`^ERROR: <core>: receive_msg\(\): core parsing of SIP message failed \(127\.0\.0\.1:%d/1\)$`, p.port()))
	p.send(s.udpAt, "OPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\n\n") // LF only: sipgo refuses it
	if err := s.log.Wait(regexp.MustCompile(`core parsing of SIP message failed`), 2, wait); err != nil {
		t.Fatal(err)
	}
	p.send(s.udpAt, request("", "OPTIONS sip:a@b SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1", "Call-ID: x"))
	s.waitLog(t, `^ERROR: <core>: receive_msg\(\): required headers not found in request$`)
	p.send(s.udpAt, request("", "SIP/2.0 200 OK", "Call-ID: x", "CSeq: 1 OPTIONS", "From: <sip:a@b>", "To: <sip:a@b>"))
	s.waitLog(t, `^ERROR: <core>: receive_msg\(\): no via found in reply$`)
	p.send(s.udpAt, "\r\n\r\n") // a keepalive: nothing at all
	p.send(s.udpAt, options(p.port(), "good"))
	if id, _ := next(t, got).Header("call-id"); id != "good" {
		t.Errorf("routed %q", id)
	}
}

// TestNoRequestRoute: a request with no request_route is logged.
func TestNoRequestRoute(t *testing.T) {
	s := startServer(t, Config{})
	p := newPeer(t)
	p.send(s.udpAt, options(p.port(), "c1"))
	s.waitLog(t, `^ERROR: <core>: receive_msg\(\): no request_route \{\.\.\.\} and no other config routing engine registered$`)
}

// TestTCPFraming: messages of one stream are routed in order however the
// stream is cut; a double CRLF is a ping answered with a CRLF.
func TestTCPFraming(t *testing.T) {
	s := startServer(t, Config{})
	got := capture(s, ast.Request)
	c, err := net.Dial("tcp", s.tcpAt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "v=0\r\n"
	invite := request(body, "INVITE sip:b@h SIP/2.0", "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK3",
		"From: <sip:a@h>;tag=1", "To: <sip:b@h>", "Call-ID: three", "CSeq: 1 INVITE", "Content-Length: 5")
	one, two := options(9, "one"), options(9, "two")
	if _, err := io.WriteString(c, one+"\r\n"+two+"\r\n\r\n"+invite[:20]); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"one", "two"} {
		m := next(t, got)
		if id, _ := m.Header("call-id"); id != want || m.Proto != "tcp" || m.ConnID == 0 || m.Rcv != s.tcp {
			t.Fatalf("routed %q over %s (conn %d)", id, m.Proto, m.ConnID)
		}
		if m.Buf != map[string]string{"one": one, "two": two}[want] {
			t.Errorf("text of %s: %q", want, m.Buf)
		}
	}
	r := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if pong, err := r.ReadString('\n'); err != nil || pong != "\r\n" {
		t.Fatalf("pong %q %v", pong, err)
	}
	if _, err := io.WriteString(c, invite[20:len(invite)-3]); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, invite[len(invite)-3:]); err != nil {
		t.Fatal(err)
	}
	if m := next(t, got); m.Body != body || m.Buf != invite {
		t.Errorf("split message: %q", m.Buf)
	}
}

// TestTCPBadStream: a message without Content-Length cannot be framed and
// closes the connection; one that does not parse is dropped and the
// stream goes on.
func TestTCPBadStream(t *testing.T) {
	s := startServer(t, Config{})
	got := capture(s, ast.Request)
	c, err := net.Dial("tcp", s.tcpAt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "garbage line\r\nX: y\r\n\r\n"+options(9, "after")); err != nil {
		t.Fatal(err)
	}
	if id, _ := next(t, got).Header("call-id"); id != "after" {
		t.Errorf("routed %q", id)
	}
	s.waitLog(t, `core parsing of SIP message failed`)
	noLen := strings.Replace(options(9, "nolen"), "Content-Length: 0\r\n", "", 1)
	if _, err := io.WriteString(c, noLen); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("connection still open: %v", err)
	}
	s.waitLog(t, `^ERROR: <core>: tcp_read_req\(\): message from 127\.0\.0\.1:\d+ without Content-Length - closing connection \d+$`)
}

// TestStop: Stop closes every socket and connection, and can be called
// again.
func TestStop(t *testing.T) {
	s := startServer(t, Config{})
	c, err := net.Dial("tcp", s.tcpAt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, options(9, "x")); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, `no request_route`)
	if err := s.t.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection open after Stop")
	}
	if _, err := net.Dial("tcp", s.tcpAt); err == nil {
		t.Error("listening after Stop")
	}
	if err := s.t.Stop(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestSendAfterStop: a UDP send after Stop fails without an error line:
// replies of transactions resumed while the server stops have nowhere to
// go.
func TestSendAfterStop(t *testing.T) {
	s := startServer(t, Config{})
	var sock *socket
	for _, so := range s.t.socks {
		if so.info.Proto == sipmsg.ProtoUDP {
			sock = so
		}
	}
	h := Hop{sock: sock, to: netip.MustParseAddrPort(s.udpAt), proto: sipmsg.ProtoUDP}
	if err := s.t.Send(h, "SIP/2.0 200 OK\r\n\r\n"); err != nil {
		t.Fatalf("send before Stop: %v", err)
	}
	if err := s.t.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.t.Send(h, "SIP/2.0 200 OK\r\n\r\n"); err == nil {
		t.Fatal("send after Stop succeeded")
	}
	if n := s.log.Count(regexp.MustCompile(`udp_send`)); n != 0 {
		t.Errorf("%d udp_send lines after Stop:\n%s", n, s.log.Text())
	}
}

// TestStartFails: a socket that cannot be opened fails Start and leaves
// none open.
func TestStartFails(t *testing.T) {
	s := startServer(t, Config{})
	r := newRouter(1)
	tr, err := New(Config{Listen: []Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1"}, {Proto: sipmsg.ProtoTCP, Host: "127.0.0.1", Port: s.tcp.Port}}}, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "listen tcp:127.0.0.1:") {
		t.Fatalf("started on a busy port: %v", err)
	}
	if _, err := New(Config{Listen: []Listen{{Proto: sipmsg.ProtoTLS, Host: "127.0.0.1"}}}, r); err == nil {
		t.Error("a TLS socket")
	}
}

// claim is a layer that takes the messages its functions accept.
type claim struct {
	req, rpl func(m *sipmsg.Msg) bool
}

func (l claim) Request(_ *event.Context, m *sipmsg.Msg) bool { return l.req(m) }
func (l claim) Reply(_ *event.Context, m *sipmsg.Msg) bool   { return l.rpl(m) }

// TestLayers: a layer sees requests before request_route and replies
// after the reply route, and what it takes goes no further.
func TestLayers(t *testing.T) {
	seen := make(chan string, 4)
	l := claim{
		req: func(m *sipmsg.Msg) bool { id, _ := m.Header("call-id"); seen <- "req " + id; return id == "mine" },
		rpl: func(m *sipmsg.Msg) bool { seen <- "rpl"; return true },
	}
	s := startServer(t, Config{}, l)
	got := capture(s, ast.Request)
	replies := capture(s, ast.Reply)
	p := newPeer(t)
	p.send(s.udpAt, options(p.port(), "mine"))
	p.send(s.udpAt, options(p.port(), "yours"))
	if id, _ := next(t, got).Header("call-id"); id != "yours" {
		t.Errorf("request_route ran for %s", id)
	}
	p.send(s.udpAt, request("", "SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:1;branch=a",
		"Via: SIP/2.0/UDP 127.0.0.1:2;branch=b", "From: <sip:a@b>;tag=1", "To: <sip:a@b>;tag=2", "Call-ID: r", "CSeq: 1 OPTIONS"))
	next(t, replies)
	var order []string
	for range 3 {
		order = append(order, <-seen)
	}
	if strings.Join(order, ",") != "req mine,req yours,rpl" {
		t.Errorf("layer saw %v", order)
	}
}
