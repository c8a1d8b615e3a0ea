package nathelper_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/modules/nathelper"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// spreadRoutes ping every contact (ping_nated_only 0) with the UDP ping
// every 3 seconds.
const spreadRoutes = `
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
modparam("nathelper", "natping_interval", 3)
request_route {
	save("location");
	exit;
}
`

// TestPingSpread: the pinger spreads the contacts over the seconds of
// natping_interval (by usrloc slot) and pings each once per interval;
// nathelper.enable_ping stops and resumes it.
func TestPingSpread(t *testing.T) {
	clock := fakeclock.New()
	addr, _, srv := startKamgoClock(t, spreadRoutes, func(ul *usrloc.Module, nh *nathelper.Module) {
		ul.SetClock(clock)
		nh.SetClock(clock)
	})
	to, _ := net.ResolveUDPAddr("udp", addr)
	marker := listen(t)
	var phones []net.PacketConn
	buf := make([]byte, 65535)
	for i := range 6 {
		pc := listen(t)
		port := pc.LocalAddr().(*net.UDPAddr).Port
		user := "u" + strconv.Itoa(i)
		msg := strings.Join([]string{
			"REGISTER sip:example.com SIP/2.0",
			fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s", port, user),
			"From: <sip:" + user + "@example.com>;tag=f", "To: <sip:" + user + "@example.com>",
			"Call-ID: r-" + user, "CSeq: 1 REGISTER",
			fmt.Sprintf("Contact: <sip:%s@127.0.0.1:%d>", user, port), "Content-Length: 0",
		}, "\r\n") + "\r\n\r\n"
		if _, err := pc.WriteTo([]byte(msg), to); err != nil {
			t.Fatal(err)
		}
		_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, _, err := pc.ReadFrom(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
			t.Fatalf("REGISTER %s: %v %q", user, err, buf[:n])
		}
		phones = append(phones, pc)
	}
	// pings returns how many pings each phone got since the last call:
	// the marker sent after the clock moved comes after them.
	pings := func() []int {
		out := make([]int, len(phones))
		for i, pc := range phones {
			if _, err := marker.WriteTo([]byte("MARK"), pc.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			for range 10 {
				_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, _, err := pc.ReadFrom(buf)
				if err != nil {
					t.Fatalf("phone %d: %v", i, err)
				}
				if string(buf[:n]) == "MARK" {
					break
				}
				if string(buf[:n]) != "\x00\x00\x00\x00" {
					t.Fatalf("phone %d got %q", i, buf[:n])
				}
				out[i]++
			}
		}
		return out
	}
	total := make([]int, len(phones))
	for range 3 {
		clock.Advance(time.Second)
		for i, n := range pings() {
			total[i] += n
		}
	}
	for i, n := range total {
		if n != 1 {
			t.Errorf("phone %d pinged %d times in one interval, want 1", i, n)
		}
	}
	enable := func(on int64) {
		c := &rpc.Call{Method: "nathelper.enable_ping", Params: []*rpc.Value{rpc.NewInt(on)}}
		srv.RPC().Run(context.Background(), c)
		if _, f := c.Reply(); f != nil {
			t.Fatalf("enable_ping %d: %v", on, f)
		}
	}
	enable(0)
	clock.Advance(3 * time.Second)
	for i, n := range pings() {
		if n != 0 {
			t.Errorf("phone %d pinged %d times with pinging disabled", i, n)
		}
	}
	enable(1)
	clock.Advance(3 * time.Second)
	for i, n := range pings() {
		if n != 1 {
			t.Errorf("phone %d pinged %d times after enabling, want 1", i, n)
		}
	}
}

// TestEnablePingDisabled: without a pinger the RPC command faults, as in
// Kamailio.
func TestEnablePingDisabled(t *testing.T) {
	_, _, srv := startKamgo(t, "loadmodule \"nathelper.so\"\nrequest_route { exit; }\n")
	for _, tc := range []struct {
		params []*rpc.Value
		want   string
	}{{[]*rpc.Value{rpc.NewInt(1)}, "500 NATping disabled"}} {
		c := &rpc.Call{Method: "nathelper.enable_ping", Params: tc.params}
		srv.RPC().Run(context.Background(), c)
		if _, f := c.Reply(); f == nil || f.Error() != tc.want {
			t.Errorf("fault %v, want %s", f, tc.want)
		}
	}
}
