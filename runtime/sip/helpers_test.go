package sip

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// wait bounds every wait of these tests.
const wait = 5 * time.Second

// router is a Router whose routes are Go functions, one per route kind.
type router struct {
	pool   *event.Pool
	mu     sync.Mutex
	routes map[ast.RouteKind]func(c *event.Context) int
}

func newRouter(workers int) *router {
	return &router{pool: event.NewPool(workers, 1), routes: map[ast.RouteKind]func(*event.Context) int{}}
}

func (r *router) on(k ast.RouteKind, f func(c *event.Context) int) {
	r.mu.Lock()
	r.routes[k] = f
	r.mu.Unlock()
}

func (r *router) Workers() *event.Pool { return r.pool }

func (r *router) AcquireContext(w *event.Worker) *event.Context {
	c := &event.Context{}
	c.Reset()
	c.Worker = w
	return c
}

func (r *router) ReleaseContext(*event.Context) {}

func (r *router) Run(c *event.Context, t event.Target) (int, bool) {
	r.mu.Lock()
	f := r.routes[t.Kind]
	r.mu.Unlock()
	if f == nil {
		return 0, false
	}
	c.Route = t.RouteType()
	return f(c), true
}

// testServer is a started transport on 127.0.0.1 (UDP and TCP, ports
// picked by the system) with its log.
type testServer struct {
	t     *Transport
	r     *router
	log   *linelog.Log
	udp   *sipmsg.Socket
	tcp   *sipmsg.Socket
	udpAt string
	tcpAt string
}

func startServer(tb testing.TB, cfg Config, layers ...Layer) *testServer {
	tb.Helper()
	ll := &linelog.Log{}
	cfg.Log = klog.New(ll, klog.Text)
	cfg.Log.SetThreshold(klog.Dbg)
	if cfg.Listen == nil {
		cfg.Listen = []Listen{{Proto: sipmsg.ProtoUDP, Host: "127.0.0.1"}, {Proto: sipmsg.ProtoTCP, Host: "127.0.0.1"}}
	}
	r := newRouter(2)
	tr, err := New(cfg, r)
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range layers {
		tr.AddLayer(l)
	}
	if err := tr.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := tr.Stop(ctx); err != nil {
			tb.Error(err)
		}
	})
	s := &testServer{t: tr, r: r, log: ll}
	for _, so := range tr.Sockets() {
		switch {
		case so.Proto == sipmsg.ProtoUDP && s.udp == nil:
			s.udp, s.udpAt = so, net.JoinHostPort(so.IP, strconv.Itoa(so.Port))
		case so.Proto == sipmsg.ProtoTCP && s.tcp == nil:
			s.tcp, s.tcpAt = so, net.JoinHostPort(so.IP, strconv.Itoa(so.Port))
		}
	}
	return s
}

// waitLog waits until a log line matches re.
func (s *testServer) waitLog(tb testing.TB, re string) {
	tb.Helper()
	if err := s.log.Wait(regexp.MustCompile(re), 1, wait); err != nil {
		tb.Fatalf("%v\nlog:\n%s", err, s.log.Text())
	}
}

// peer is a UDP socket of a test: a phone or a next hop.
type peer struct {
	tb testing.TB
	pc net.PacketConn
}

func newPeer(tb testing.TB) *peer {
	tb.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pc.Close() })
	return &peer{tb: tb, pc: pc}
}

func (p *peer) port() int { return p.pc.LocalAddr().(*net.UDPAddr).Port }

func (p *peer) send(to, msg string) {
	p.tb.Helper()
	a, err := net.ResolveUDPAddr("udp", to)
	if err != nil {
		p.tb.Fatal(err)
	}
	if _, err := p.pc.WriteTo([]byte(msg), a); err != nil {
		p.tb.Fatal(err)
	}
}

// recv returns the next datagram, failing the test after wait.
func (p *peer) recv() string {
	p.tb.Helper()
	buf := make([]byte, 65535)
	_ = p.pc.SetReadDeadline(time.Now().Add(wait))
	n, _, err := p.pc.ReadFrom(buf)
	if err != nil {
		p.tb.Fatalf("nothing received: %v", err)
	}
	return string(buf[:n])
}

// request builds a request from lines, each ended with CRLF, with the
// empty line and body added.
func request(body string, lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
}
