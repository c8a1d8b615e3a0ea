package sip

import (
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
)

// TestTCPOptions: options set while the transport runs hold for what
// comes next: without crlf_ping a double CRLF gets no answer (the next
// message is still routed); beyond max_connections a new connection is
// closed at once; with no_connect nothing is dialled; the lifetime is
// what a new connection gets.
func TestTCPOptions(t *testing.T) {
	s := startServer(t, Config{})
	got := capture(s, ast.Request)
	if o := s.t.TCPOptions(); !o.CRLFPing || !o.KeepAlive || o.Lifetime != 120*time.Second || o.MaxConnections != 0 {
		t.Fatalf("defaults %+v", o)
	}
	s.t.SetTCPOptions(TCPOptions{Lifetime: 300 * time.Second, MaxConnections: 1, NoConnect: true, KeepAlive: true, KeepIdle: time.Minute})
	if o := s.t.TCPOptions(); o.ConnectTimeout != 10*time.Second || o.SendTimeout != 10*time.Second || o.CRLFPing {
		t.Fatalf("after SetTCPOptions %+v", o)
	}

	c, err := net.Dial("tcp", s.tcpAt)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "\r\n\r\n"+options(9, "after-ping")); err != nil {
		t.Fatal(err)
	}
	if id, _ := next(t, got).Header("call-id"); id != "after-ping" {
		t.Fatalf("routed %q", id)
	}
	conns := s.t.Conns()
	if len(conns) != 1 || !conns[0].Accepted || !conns[0].Received {
		t.Fatalf("connections %+v", conns)
	}
	if left := time.Until(conns[0].Idle); left <= 120*time.Second || left > 300*time.Second {
		t.Errorf("idle deadline in %s, want within the 300s lifetime", left)
	}
	second, err := net.Dial("tcp", s.tcpAt)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	_ = second.SetReadDeadline(time.Now().Add(wait))
	if _, err := second.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("a connection beyond max_connections is open: %v", err)
	}
	s.waitLog(t, `tcp_max_connections`)

	// Nothing came back for the ping: once the peer ends its side, the
	// transport closes the connection, and all it sent is read.
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	if b, err := io.ReadAll(c); len(b) != 0 || err != nil {
		t.Errorf("got %q (%v) after a ping without crlf_ping", b, err)
	}

	if _, err := s.t.dial(nil, netip.MustParseAddrPort(s.tcpAt)); err != errNoConnect {
		t.Errorf("dial with no_connect: %v", err)
	}
}
