package nathelper_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
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
	srv := startKamgoClock(t, spreadRoutes, clock)
	marker := siptest.NewUA(t, "marker")
	var phones []*siptest.UA
	for i := range 6 {
		user := "u" + strconv.Itoa(i)
		ua := siptest.Dial(t, user, srv.Addr)
		msg := siptest.Build([]string{
			"REGISTER sip:example.com SIP/2.0",
			fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s", ua.Port(), user),
			"From: <sip:" + user + "@example.com>;tag=f", "To: <sip:" + user + "@example.com>",
			"Call-ID: r-" + user, "CSeq: 1 REGISTER",
			fmt.Sprintf("Contact: <sip:%s@127.0.0.1:%d>", user, ua.Port()),
		}, "")
		if r := ua.Ask(msg); !strings.HasPrefix(r, "SIP/2.0 200") {
			t.Fatalf("REGISTER %s: %q", user, r)
		}
		phones = append(phones, ua)
	}
	// pings returns how many pings each phone got since the last call:
	// the marker sent after the clock moved comes after them.
	pings := func() []int {
		out := make([]int, len(phones))
		for i, ua := range phones {
			marker.SendTo(ua.Addr(), "MARK")
			for range 10 {
				s := ua.RecvText()
				if s == "MARK" {
					break
				}
				if s != "\x00\x00\x00\x00" {
					t.Fatalf("phone %d got %q", i, s)
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
		if _, f, _ := siptest.RPC(srv.Srv, "nathelper.enable_ping", rpc.NewInt(on)); f != nil {
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
	srv := startKamgo(t, "loadmodule \"nathelper.so\"\nrequest_route { exit; }\n")
	for _, tc := range []struct {
		params []*rpc.Value
		want   string
	}{{[]*rpc.Value{rpc.NewInt(1)}, "500 NATping disabled"}} {
		if _, f, _ := siptest.RPC(srv.Srv, "nathelper.enable_ping", tc.params...); f == nil || f.Error() != tc.want {
			t.Errorf("fault %v, want %s", f, tc.want)
		}
	}
}
