package pike_test

import (
	"context"
	"fmt"
	"net"
	"os"
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
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/htable"
	"github.com/kamgo/kamgo/modules/pike"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
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
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	cfg, diags, _ := check.Analyze(debianConfig, preproc.Options{Defines: []string{"WITH_ANTIFLOOD"}}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{
		Log:    klog.New(ll, klog.Text),
		Listen: []string{"udp:127.0.0.1:" + strconv.Itoa(port)},
		RunDir: t.TempDir(),
	})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	clock := fakeclock.New()
	ht, _ := srv.Module("htable")
	ht.(*htable.Module).SetClock(clock)
	pk, _ := srv.Module("pike")
	pk.(*pike.Module).SetClock(clock)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	}()
	proxy := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	flood := dial(t, "127.0.0.2")
	other := dial(t, "127.0.0.3")
	reg := srv.Host().(rpc.Host).RPC()
	banned := func() string {
		c := &rpc.Call{Method: "htable.get", Params: []*rpc.Value{rpc.NewStr("ipban"), rpc.NewStr("127.0.0.2")}}
		reg.Run(context.Background(), c)
		return kamcmdText(c.Reply())
	}

	for i := 1; i <= 21; i++ {
		if got := ask(t, flood, proxy, i, true); got != "SIP/2.0 200 Keepalive" {
			t.Fatalf("request %d: %q", i, got)
		}
	}
	ask(t, flood, proxy, 22, false)
	alert := regexp.MustCompile(`ALERT: .*<script>: ALERT: pike blocking OPTIONS from sip:flood@127.0.0.2 \(IP:127.0.0.2:\d+\)$`)
	if err := ll.Wait(alert, 1, 5*time.Second); err != nil {
		t.Fatalf("no ALERT line: %v\n%s", err, ll.Text())
	}
	// The route sets the ban right after the ALERT line.
	for n := 0; n < 500 && strings.HasPrefix(banned(), "error"); n++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := banned(); !strings.Contains(got, "name: 127.0.0.2\n\t\tvalue: 1\n") {
		t.Fatalf("htable.get ipban 127.0.0.2:\n%s", got)
	}
	for i := 23; i <= 30; i++ {
		ask(t, flood, proxy, i, false)
	}
	if got := ask(t, other, proxy, 1, true); got != "SIP/2.0 200 Keepalive" {
		t.Errorf("another source: %q", got)
	}
	// None of the flood after the 21st was answered.
	_ = flood.SetReadDeadline(time.Now())
	if n, _, err := flood.ReadFrom(make([]byte, 65535)); err == nil {
		t.Errorf("a banned request was answered (%d bytes)", n)
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
	if got := ask(t, flood, proxy, 31, true); got != "SIP/2.0 200 Keepalive" {
		t.Errorf("after the ban: %q", got)
	}
}

// dial opens a UDP socket on the loopback address ip.
func dial(t *testing.T, ip string) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// ask sends OPTIONS number i from pc to the proxy and, when wait is set,
// returns the reply's status line (waiting at most 5 s).
func ask(t *testing.T, pc net.PacketConn, proxy *net.UDPAddr, i int, wait bool) string {
	t.Helper()
	local := pc.LocalAddr().(*net.UDPAddr)
	msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-deb-%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:flood@%s>;tag=d%d\r\nTo: <sip:%s>\r\nCall-ID: deb-%s-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
		proxy, local, i, local.IP, i, proxy, local.IP, i)
	if _, err := pc.WriteTo([]byte(msg), proxy); err != nil {
		t.Fatal(err)
	}
	if !wait {
		return ""
	}
	buf := make([]byte, 65535)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("request %d from %s: no reply: %v", i, local.IP, err)
	}
	status, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return status
}
