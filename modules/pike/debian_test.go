package pike_test

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/htable"
	"github.com/kamgo/kamgo/modules/pike"
	"github.com/kamgo/kamgo/runtime/server"
)

// debianConfig is where Debian's kamailio package installs its default
// configuration.
const debianConfig = "/etc/kamailio/kamailio.cfg"

// TestDebianAntiflood runs Debian's kamailio.cfg with WITH_ANTIFLOOD,
// unchanged, on fake clocks, and floods it with OPTIONS from 127.0.0.2
// (not the proxy's own address, which the configuration exempts). Its
// REQINIT route answers the first 21 (the keepalive reply), pike blocks
// the 22nd, the route logs the ALERT and bans the address in
// $sht(ipban=>$si) for 300 s, and every request from it is then dropped
// without a reply while another source is still served. Once the ban
// expired (htable's timer) and pike forgot the address, it is served
// again.
func TestDebianAntiflood(t *testing.T) {
	if st, err := os.Stat(debianConfig); err != nil || !st.Mode().IsRegular() {
		t.Skip(debianConfig + " is not installed (Debian package kamailio)")
	}
	clock := fakeclock.New()
	srv := siptest.StartFile(t, debianConfig, siptest.Options{Defines: []string{"WITH_ANTIFLOOD"}, Clock: clock,
		Load: server.Options{Listen: []string{"udp:127.0.0.1:" + siptest.SIPPort}, RunDir: t.TempDir()},
		Setup: func(srv *server.Server) {
			siptest.Module[*htable.Module](t, srv, "htable").SetClock(clock)
			siptest.Module[*pike.Module](t, srv, "pike").SetClock(clock)
		}})
	ll := srv.Log
	flood := siptest.NewUAOn(t, "flood", "127.0.0.2")
	other := siptest.NewUAOn(t, "other", "127.0.0.3")
	flood.To, other.To = srv.Addr, srv.Addr
	banned := func() string {
		vals, fault, _ := siptest.RPC(srv.Srv, "htable.get", siptest.Strs("ipban", "127.0.0.2")...)
		return siptest.Kamcmd(vals, fault)
	}

	for i := 1; i <= 21; i++ {
		if got := ask(t, flood, i, true); got != "SIP/2.0 200 Keepalive" {
			t.Fatalf("request %d: %q", i, got)
		}
	}
	ask(t, flood, 22, false)
	alert := regexp.MustCompile(`ALERT: .*<script>: ALERT: pike blocking OPTIONS from sip:flood@127.0.0.2 \(IP:127.0.0.2:\d+\)$`)
	if err := ll.Wait(alert, 1, 5*time.Second); err != nil {
		t.Fatalf("no ALERT line: %v\n%s", err, ll.Text())
	}
	// The route sets the ban right after the ALERT line.
	siptest.Poll(func() bool { return !strings.HasPrefix(banned(), "error") })
	if got := banned(); !strings.Contains(got, "name: 127.0.0.2\n\t\tvalue: 1\n") {
		t.Fatalf("htable.get ipban 127.0.0.2:\n%s", got)
	}
	for i := 23; i <= 30; i++ {
		ask(t, flood, i, false)
	}
	if got := ask(t, other, 1, true); got != "SIP/2.0 200 Keepalive" {
		t.Errorf("another source: %q", got)
	}
	// None of the flood after the 21st was answered.
	if s, ok := flood.ReadText(0); ok {
		t.Errorf("a banned request was answered (%d bytes)", len(s))
	}
	if n := ll.Count(alert); n != 1 {
		t.Errorf("%d ALERT lines, want 1", n)
	}
	if n := ll.Count(regexp.MustCompile(`WARNING: \{\d+ \d+ OPTIONS [^}]*\} <pike>: pike_check_ipaddr\(\): PIKE - BLOCKing ip 127.0.0.2, node=0x`)); n != 1 {
		t.Errorf("%d BLOCKing lines, want 1", n)
	}

	// The ban lasts 300 s: the item expires then, and htable's timer
	// (every 20 s) removes it; pike has long forgotten the address.
	clock.Advance(299 * time.Second)
	if got := banned(); strings.HasPrefix(got, "error") {
		t.Errorf("ban gone before 300 s: %s", got)
	}
	clock.Advance(21 * time.Second)
	if got := banned(); got != "error: 500 - Key name doesn't exist in htable.\n" {
		t.Errorf("ban after 320 s:\n%s", got)
	}
	if got := ask(t, flood, 31, true); got != "SIP/2.0 200 Keepalive" {
		t.Errorf("after the ban: %q", got)
	}
}

// ask sends OPTIONS number i from ua to the proxy and, when wait is set,
// returns the reply's status line.
func ask(t *testing.T, ua *siptest.UA, i int, wait bool) string {
	t.Helper()
	local := ua.Conn().LocalAddr().(*net.UDPAddr)
	msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-deb-%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:flood@%s>;tag=d%d\r\nTo: <sip:%s>\r\nCall-ID: deb-%s-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		ua.To, local, i, local.IP, i, ua.To, local.IP, i)
	ua.Send(msg)
	if !wait {
		return ""
	}
	status, _, _ := strings.Cut(ua.RecvText(), "\r\n")
	return status
}
