package sip

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// netRouter is the test router with the tcp and dns counters.
type netRouter struct {
	*router
	k *NetCounters
}

func (r netRouter) NetCounters() *NetCounters { return r.k }

// TestNetCounters: accepted and dialled connections, a refused one, a
// failed connect, an idle timeout and failed DNS lookups are counted;
// current_opened_connections follows the table.
func TestNetCounters(t *testing.T) {
	reg := counters.NewRegistry()
	var tr *Transport
	k, err := RegisterNetCounters(reg, true, func() int64 { return int64(len(tr.Conns())) }, func() time.Duration { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	// Every DNS lookup fails at once: the resolver cannot reach a server.
	res := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no DNS in this test")
	}}
	r := netRouter{router: newRouter(2), k: k}
	tr, err = New(Config{Log: klog.New(nil, klog.Text), Resolver: res,
		Listen: []Listen{{Proto: sipmsg.ProtoTCP, Host: "127.0.0.1"}}}, r)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{}, 4)
	r.on(ast.Request, func(*event.Context) int { got <- struct{}{}; return 1 })
	if err := tr.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = tr.Stop(ctx)
	})
	at := tr.Sockets()[0]
	addr := netip.AddrPortFrom(netip.MustParseAddr(at.IP), uint16(at.Port))

	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, options(9, "n1")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(wait):
		t.Fatal("not routed")
	}
	// kamgo dials its own socket: a second, outgoing connection.
	if _, err := tr.dial(nil, addr); err != nil {
		t.Fatal(err)
	}
	// A closed port refuses the connect.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAt := netip.MustParseAddrPort(closed.Addr().String())
	closed.Close()
	if _, err := tr.dial(nil, closedAt); err == nil {
		t.Fatal("connected to a closed port")
	}
	if _, _, err := tr.resolve(Dest{Host: "nowhere.invalid", Proto: sipmsg.ProtoUDP}); err == nil {
		t.Fatal("resolved a name without DNS")
	}
	value := func(g, n string) int64 {
		c, ok := reg.Lookup(g, n)
		if !ok {
			t.Fatalf("no counter %s:%s", g, n)
		}
		return c.Value()
	}
	// The dialled connection is accepted too: 3 open, 2 passive, once
	// the listener has taken it.
	for i := 0; len(tr.Conns()) < 3; i++ {
		if i == 500 {
			t.Fatalf("connections %+v", tr.Conns())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, tc := range []struct {
		name string
		want int64
	}{
		{"established", 3}, {"passive_open", 2}, {"connect_success", 1}, {"connect_failed", 1},
		{"current_opened_connections", 3}, {"local_reject", 0}, {"sendq_full", 0}, {"current_write_queue_size", 0},
	} {
		if got := value("tcp", tc.name); got != tc.want {
			t.Errorf("tcp:%s = %d, want %d", tc.name, got, tc.want)
		}
	}
	// SRV, then the address: two failed lookups.
	if got := value("dns", "failed_dns_request"); got != 2 {
		t.Errorf("dns:failed_dns_request = %d, want 2", got)
	}
	// A lifetime that is over at once: the next read of every
	// connection times out, each closes and counts.
	o := tr.TCPOptions()
	o.Lifetime = time.Nanosecond
	tr.SetTCPOptions(o)
	if _, err := io.WriteString(c, "\r\n"); err != nil {
		t.Fatal(err)
	}
	for i := 0; value("tcp", "con_timeout") < 1; i++ {
		if i == 500 {
			t.Fatal("no connection timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
