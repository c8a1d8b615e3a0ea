package rr_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

const wait = 5 * time.Second

// proxy is the configuration of the end-to-end tests: in-dialog requests
// are loose-routed, the others record-routed, and each is forwarded.
const proxy = `
request_route {
	if (loose_route()) {
		xlog("L_INFO", "loose_route $rc du=$du\n");
		forward();
		exit;
	}
	record_route();
	forward();
}
`

// run serves routes over UDP on a free port of 127.0.0.1, as `kamgo run`
// does, and returns the port.
func run(t *testing.T, routes string) int {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\n"+
		"loadmodule \"rr.so\"\nloadmodule \"pv.so\"\nloadmodule \"xlog.so\"\n%s", port, routes)
	cfg, diags, _ := check.AnalyzeSource("rr.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
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
	return port
}

// peer is a UDP endpoint: a phone or another proxy.
type peer struct {
	t  *testing.T
	pc net.PacketConn
}

func newPeer(t *testing.T) *peer {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return &peer{t: t, pc: pc}
}

func (p *peer) port() int { return p.pc.LocalAddr().(*net.UDPAddr).Port }

func (p *peer) send(to int, msg string) {
	p.t.Helper()
	addr := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: to}
	if _, err := p.pc.WriteTo([]byte(msg), addr); err != nil {
		p.t.Fatal(err)
	}
}

func (p *peer) recv() string {
	p.t.Helper()
	buf := make([]byte, 65535)
	_ = p.pc.SetReadDeadline(time.Now().Add(wait))
	n, _, err := p.pc.ReadFrom(buf)
	if err != nil {
		p.t.Fatalf("nothing received: %v", err)
	}
	return string(buf[:n])
}

// request is a request from p with the given Request-URI, To tag and
// Route headers.
func (p *peer) request(method, ruri, toTag string, routes ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d", p.port(), method, len(routes)),
	}
	for _, r := range routes {
		h = append(h, "Route: "+r)
	}
	to := "To: <sip:bob@example.com>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	h = append(h, "Max-Forwards: 70", "From: <sip:alice@example.com>;tag=a1", to,
		"Call-ID: rr-e2e", "CSeq: 1 "+method, "Content-Length: 0")
	return strings.Join(h, "\r\n") + "\r\n\r\n"
}

// headers returns the header lines of a message, in order.
func headers(msg string) []string {
	head, _, _ := strings.Cut(msg, "\r\n\r\n")
	return strings.Split(head, "\r\n")[1:]
}

// TestForwardRecordRoutes: a request that starts a dialog leaves with
// kamgo's Record-Route (its socket, lr, the caller's From tag) before its
// Via; an in-dialog request whose top Route is kamgo's loses that Route and
// goes to the next one; one whose only Route is kamgo's goes to its
// Request-URI.
func TestForwardRecordRoutes(t *testing.T) {
	port := run(t, proxy)
	caller, callee, next := newPeer(t), newPeer(t), newPeer(t)
	self := "127.0.0.1:" + strconv.Itoa(port)
	ruri := fmt.Sprintf("sip:bob@127.0.0.1:%d", callee.port())

	caller.send(port, caller.request("INVITE", ruri, ""))
	got := headers(callee.recv())
	if want := "Record-Route: <sip:" + self + ";lr;ftag=a1>"; got[0] != want {
		t.Errorf("first header of the forwarded INVITE %q, want %q", got[0], want)
	}
	if !strings.HasPrefix(got[1], "Via: SIP/2.0/UDP "+self+";branch=") {
		t.Errorf("second header %q, want kamgo's Via", got[1])
	}

	nextRoute := fmt.Sprintf("<sip:127.0.0.1:%d;lr>", next.port())
	caller.send(port, caller.request("BYE", ruri, "b1", "<sip:"+self+";lr;ftag=a1>", nextRoute))
	got = headers(next.recv())
	var routes []string
	for _, h := range got {
		if strings.HasPrefix(h, "Route:") {
			routes = append(routes, h)
		}
		if strings.HasPrefix(h, "Record-Route:") {
			t.Errorf("in-dialog request got %q", h)
		}
	}
	if len(routes) != 1 || routes[0] != "Route: "+nextRoute {
		t.Errorf("Route headers at the next hop %q, want only %q", routes, nextRoute)
	}

	caller.send(port, caller.request("ACK", ruri, "b1", "<sip:"+self+";lr;ftag=a1>"))
	msg := callee.recv()
	if !strings.HasPrefix(msg, "ACK "+ruri+" SIP/2.0\r\n") || strings.Contains(msg, "\r\nRoute:") {
		t.Errorf("ACK at the callee:\n%s", msg)
	}
}
