package corex_test

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// serve runs cfg (with %PORT% replaced by a free port it listens on) with
// its SIP socket open until the test ends.
func serve(t *testing.T, cfg string) (*net.UDPAddr, *scriptLog) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(cfg, "%PORT%", strconv.Itoa(port))
	tree, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	logs := &scriptLog{more: make(chan struct{}, 1)}
	lg := klog.New(nil, klog.Text)
	lg.SetHook(logs.hook)
	srv, ld := server.Load(tree, server.Options{Log: lg})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(stop)
		_ = srv.Stop(stop)
	})
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, logs
}

// waitLines waits (a few seconds at most) for the script to log n lines.
func waitLines(t *testing.T, logs *scriptLog, n int) []string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for len(logs.get()) < n {
		select {
		case <-logs.more:
		case <-timeout:
			t.Fatalf("script logged %q, want %d lines", logs.get(), n)
		}
	}
	return logs.get()
}

// recv reads one datagram from pc (a few seconds at most).
func recv(t *testing.T, pc net.PacketConn, logs *scriptLog) string {
	t.Helper()
	buf := make([]byte, 65535)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("nothing received: %v (script log %q)", err, logs.get())
	}
	return string(buf[:n])
}

const options = "OPTIONS sip:bob@%HOST% SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-hk1\r\n" +
	"From: <sip:alice@a.org>;tag=ft1\r\n" +
	"To: <sip:bob@b.org>\r\n" +
	"Call-ID: corex-hooks@a.org\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Max-Forwards: 70\r\n" +
	"Content-Length: 0\r\n\r\n"

// TestViaAndDNSCache forwards a request to a name only dns_cache knows
// (an SRV record whose target is this test's socket) with the via_*
// flags set: the Via kamgo adds takes its host and port from
// xavp_via_fields' XAVP and ends with ;srvid and xavp_via_params' members.
// Kamailio 5.6.3 sends the same Via parameters and the same SRV target,
// but never reads xavp_via_fields (spec/deviations.md).
func TestViaAndDNSCache(t *testing.T) {
	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	peerPort := peer.LocalAddr().(*net.UDPAddr).Port
	addr, logs := serve(t, `#!KAMAILIO
listen=udp:127.0.0.1:%PORT%
server_id=7
xavp_via_fields="vf"
xavp_via_params="vp"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
modparam("corex", "dns_cache", "type=SRV;name=_sip._udp.peer.test;addr=127.0.0.1;port=`+strconv.Itoa(peerPort)+`;priority=1;weight=1;ttl=3600")
request_route {
	$xavp(vf=>address) = "edge.example.com";
	$xavp(vf[0]=>port) = "5099";
	$xavp(vp=>a) = "1";
	$xavp(vp[0]=>b) = "";
	$xavp(vp[0]=>n) = 3;
	via_add_srvid(1);
	via_add_xavp_params(1);
	via_use_xavp_fields(1);
	$du = "sip:peer.test";
	forward();
	xlog("L_INFO", "forwarded $rc\n");
}
`)
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(strings.ReplaceAll(options, "%HOST%", "x.test"))); err != nil {
		t.Fatal(err)
	}
	got := recv(t, peer, logs)
	first := got[strings.Index(got, "\r\n")+2:]
	first = first[:strings.Index(first, "\r\n")]
	// XAVP members come newest first, as Kamailio keeps them.
	want := "Via: SIP/2.0/UDP edge.example.com:5099;branch=z9hG4bK"
	if !strings.HasPrefix(first, want) || !strings.HasSuffix(first, ";srvid=7;n=3;b;a=1") {
		t.Errorf("added Via:\n got  %q\n want %q...;srvid=7;n=3;b;a=1", first, want)
	}
	waitLines(t, logs, 1)
}

// TestAliasSubdomainsAndReplyOut: a Request-URI host under an
// alias_subdomains domain is myself; event_route[corex:reply-out] runs
// after sl's reply with the reply as its message and $snd set.
func TestAliasSubdomainsAndReplyOut(t *testing.T) {
	addr, logs := serve(t, `#!KAMAILIO
listen=udp:127.0.0.1:%PORT%
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
loadmodule "corex.so"
modparam("corex", "alias_subdomains", "example.org")
request_route {
	if (uri == myself) { xlog("L_INFO", "$rd is myself\n"); } else { xlog("L_INFO", "$rd is not myself\n"); }
	sl_send_reply("200", "OK");
}
event_route[corex:reply-out] {
	xlog("L_INFO", "reply-out $rs $rr to $snd(ip):$snd(port)\n");
}
`)
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	from := c.LocalAddr().(*net.UDPAddr).Port
	for i, host := range []string{"sip.example.org", "example.org.evil.test"} {
		req := strings.ReplaceAll(options, "%HOST%", host)
		req = strings.Replace(req, "127.0.0.1:5999", "127.0.0.1:"+strconv.Itoa(from), 1)
		req = strings.Replace(req, "corex-hooks@", "corex-hooks-"+strconv.Itoa(i)+"@", 1)
		if _, err := c.WriteTo([]byte(req), addr); err != nil {
			t.Fatal(err)
		}
		if got := recv(t, c, logs); !strings.HasPrefix(got, "SIP/2.0 200 OK\r\n") {
			t.Fatalf("reply %q", got)
		}
	}
	got := waitLines(t, logs, 4)
	port := strconv.Itoa(from)
	want := []string{
		"INFO: sip.example.org is myself",
		"INFO: reply-out 200 OK to 127.0.0.1:" + port,
		"INFO: example.org.evil.test is not myself",
		"INFO: reply-out 200 OK to 127.0.0.1:" + port,
	}
	// The second request may be routed before the first one's reply-out
	// route has logged (its reply has left already): compare as sets.
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("log:\n got  %q\n want %q", got, want)
	}
}
