package corex_test

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/catalog"
)

// serveNewest is serve for the newest Kamailio release, where the
// functions Kamailio added after 5.6 exist.
func serveNewest(t *testing.T, cfg string) (*siptest.Server, *siptest.ScriptLog) {
	t.Helper()
	logs := siptest.NewScriptLog()
	return siptest.Start(t, cfg, siptest.Options{Hook: logs.Hook, Release: catalog.NewestRelease()}), logs
}

// viaLines are the Via header lines of a message's text, in order.
func viaLines(msg string) []string {
	var out []string
	for _, l := range strings.Split(msg, "\r\n") {
		if strings.HasPrefix(strings.ToLower(l), "via:") {
			out = append(out, l)
		}
	}
	return out
}

// twoVias is a request that came through a proxy (its Via first) from a
// phone.
const twoVias = "OPTIONS sip:bob@b.test SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-px1;rport\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-ph1\r\n" +
	"From: <sip:alice@a.test>;tag=ft1\r\n" +
	"To: <sip:bob@b.test>\r\n" +
	"Call-ID: fwd-uac@a.test\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Max-Forwards: 70\r\n" +
	"Content-Length: 0\r\n\r\n"

// TestForwardUAC: forward_uac() sends the request with kamgo's Via as
// its only one, where the received ones were, and writes nothing into
// them (no rport although the top one asks for it); the request keeps
// its Vias, so a forward() after it relays it as usual, with the same
// stateless branch. forward_uac_uri goes to its URI; a bad one fails
// with the core's line.
func TestForwardUAC(t *testing.T) {
	peer := siptest.NewUA(t, "peer")
	pp := strconv.Itoa(peer.Port())
	srv, logs := serveNewest(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
request_route {
	$du = "sip:127.0.0.1:`+pp+`";
	forward_uac();
	xlog("L_INFO", "forward_uac $rc\n");
	if (forward()) { xlog("L_INFO", "forward 1\n"); }
	$du = $null;
	forward_uac_uri("sip:127.0.0.1:`+pp+`;transport=udp");
	xlog("L_INFO", "forward_uac_uri $rc\n");
	forward_uac_uri("tel:+1234");
	xlog("L_INFO", "bad uri $rc\n");
}
`)
	phone := siptest.Dial(t, "phone", srv.Addr)
	phone.Send(strings.ReplaceAll(twoVias, "%PORT%", strconv.Itoa(phone.Port())))
	uac, relayed, uac2 := peer.RecvText(), peer.RecvText(), peer.RecvText()
	got := viaLines(uac)
	want := "Via: SIP/2.0/UDP " + srv.Addr + ";branch=z9hG4bK"
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Fatalf("forward_uac Vias %q, want one starting %q", got, want)
	}
	if !strings.HasPrefix(uac, "OPTIONS sip:bob@b.test SIP/2.0\r\n"+got[0]+"\r\nFrom: ") {
		t.Errorf("forward_uac sent:\n%s", uac)
	}
	rv := viaLines(relayed)
	wantRelayed := []string{got[0],
		// rport in the Via asks for received too (RFC 3581).
		"Via: SIP/2.0/UDP 127.0.0.1:" + strconv.Itoa(phone.Port()) + ";received=127.0.0.1;branch=z9hG4bK-px1;rport=" + strconv.Itoa(phone.Port()),
		"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-ph1"}
	if !slices.Equal(rv, wantRelayed) {
		t.Errorf("forward() after forward_uac: Vias\n got  %q\n want %q", rv, wantRelayed)
	}
	if v := viaLines(uac2); len(v) != 1 || v[0] != got[0] {
		t.Errorf("forward_uac_uri Vias %q, want [%q]", v, got[0])
	}
	lines := waitLines(t, logs, 4)
	if w := []string{"INFO: forward_uac 1", "INFO: forward 1", "INFO: forward_uac_uri 1", "INFO: bad uri -1"}; !slices.Equal(lines, w) {
		t.Errorf("script log %q, want %q", lines, w)
	}
	if !slices.ContainsFunc(srv.Log.Lines(), func(l string) bool {
		return strings.Contains(l, "forward_uac_uri(): forward - bad uri dropping packet")
	}) {
		t.Errorf("no bad-uri line in\n%s", srv.Log.Text())
	}
}

// TestVBFlags: msg_vbflag_parse reads the kvf parameter of the top Via
// (any case, hexadecimal); msg_vbflag_is_set tests the flag's own bit
// (Kamailio 6.1 tests the flag number shifted by one:
// spec/deviations.md); flags beyond 31 fail; the Via kamgo adds when it
// forwards the request ends with the flags as ";kvf=<hex>".
func TestVBFlags(t *testing.T) {
	peer := siptest.NewUA(t, "peer")
	pp := strconv.Itoa(peer.Port())
	srv, logs := serveNewest(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
request_route {
	msg_vbflag_is_set("1");
	xlog("L_INFO", "before parse: 1 $rc\n");
	msg_vbflag_parse("x");
	xlog("L_INFO", "parse $rc\n");
	msg_vbflag_is_set("0"); $var(a) = $rc;
	msg_vbflag_is_set("1"); $var(b) = $rc;
	msg_vbflag_is_set("3"); $var(c) = $rc;
	xlog("L_INFO", "0 $var(a) 1 $var(b) 3 $var(c)\n");
	$var(f) = 31;
	msg_vbflag_set("$var(f)");
	msg_vbflag_reset("3");
	msg_vbflag_set("32");
	xlog("L_INFO", "set 32 $rc\n");
	msg_vbflag_is_set("31");
	xlog("L_INFO", "31 $rc\n");
	forward("127.0.0.1", `+pp+`);
}
`)
	phone := siptest.Dial(t, "phone", srv.Addr)
	req := strings.ReplaceAll(twoVias, "%PORT%", strconv.Itoa(phone.Port()))
	req = strings.Replace(req, ";rport\r\n", ";KVF=A\r\n", 1)
	phone.Send(req)
	got := viaLines(peer.RecvText())
	if len(got) != 3 || !strings.HasSuffix(got[0], ";kvf=80000002") {
		t.Errorf("Vias %q, want kamgo's ending ;kvf=80000002", got)
	}
	lines := waitLines(t, logs, 5)
	want := []string{"INFO: before parse: 1 -1", "INFO: parse 1", "INFO: 0 -1 1 1 3 1", "INFO: set 32 -1", "INFO: 31 1"}
	if !slices.Equal(lines, want) {
		t.Errorf("script log\n got  %q\n want %q", lines, want)
	}
}

// TestViaReplyParams: with via_reply_add_xavp_params(1) the members of
// the XAVP xavp_via_reply_params names go, newest first, after received
// and rport in the top Via of sl's reply; in onreply_route they go at
// the end of the Via the reply is relayed back to.
func TestViaReplyParams(t *testing.T) {
	peer := siptest.NewUA(t, "peer")
	pp := strconv.Itoa(peer.Port())
	srv, _ := serveNewest(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
xavp_via_reply_params="xr"
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "corex.so"
request_route {
	if ($rU == "local") {
		$xavp(xr=>srvid) = "1";
		$xavp(xr[0]=>myval) = "xyz";
		$xavp(xr[0]=>flag) = "";
		via_reply_add_xavp_params("1");
		sl_send_reply("200", "OK");
		exit;
	}
	forward("127.0.0.1", `+pp+`);
}
onreply_route {
	$xavp(xr=>n) = 5;
	via_reply_add_xavp_params(1);
}
`)
	phone := siptest.Dial(t, "phone", srv.Addr)
	port := strconv.Itoa(phone.Port())
	req := strings.ReplaceAll(twoVias, "%PORT%", port)
	phone.Send(strings.Replace(req, "sip:bob@", "sip:local@", 1))
	got := viaLines(phone.RecvText())
	want := []string{"Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-px1;rport=" + port + ";received=127.0.0.1;flag;myval=xyz;srvid=1",
		"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-ph1"}
	if !slices.Equal(got, want) {
		t.Errorf("local reply Vias\n got  %q\n want %q", got, want)
	}

	phone.Send(strings.Replace(req, "fwd-uac@", "fwd-uac-2@", 1))
	fwd := peer.Recv()
	vias := viaLines(fwd.Buf)
	rpl := "SIP/2.0 200 OK\r\n" + strings.Join(vias, "\r\n") + "\r\n" +
		"From: <sip:alice@a.test>;tag=ft1\r\nTo: <sip:bob@b.test>;tag=tt1\r\n" +
		"Call-ID: fwd-uac-2@a.test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	peer.SendTo(srv.Addr, rpl)
	got = viaLines(phone.RecvText())
	want = []string{vias[1] + ";n=5", vias[2]}
	if !slices.Equal(got, want) {
		t.Errorf("relayed reply Vias\n got  %q\n want %q", got, want)
	}
}

// TestDNSFile: dns_file's records answer the transport's lookups as
// dns_cache's do (an SRV record gives the target and port of a name
// without a port); blank lines, white space and '#' lines are skipped. A
// file that cannot be read, or a line that is not a record, stops the
// start, naming it.
func TestDNSFile(t *testing.T) {
	peer := siptest.NewUA(t, "peer")
	dir := t.TempDir()
	file := filepath.Join(dir, "cache.dns")
	text := "# records for the test\n\n  type=A;name=peer-host.test;addr=127.0.0.1;ttl=3600  \n" +
		"\t\n# SRV\ntype=SRV;name=_sip._udp.peer.test;addr=peer-host.test;port=" + strconv.Itoa(peer.Port()) + ";priority=1;weight=1;ttl=3600\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := func(files ...string) string {
		s := `#!KAMAILIO
listen=udp:127.0.0.1:` + siptest.SIPPort + `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "corex.so"
`
		for _, f := range files {
			s += `modparam("corex", "dns_file", "` + f + `")` + "\n"
		}
		return s + `request_route {
	$du = "sip:peer.test";
	if (forward()) { xlog("L_INFO", "forwarded\n"); }
}
`
	}
	srv, logs := serveNewest(t, cfg(file))
	siptest.Dial(t, "phone", srv.Addr).Send(strings.ReplaceAll(options, "%HOST%", "x.test"))
	if got := peer.RecvText(); !strings.HasPrefix(got, "OPTIONS sip:bob@x.test SIP/2.0\r\n") {
		t.Errorf("peer got %q", got)
	}
	if got := waitLines(t, logs, 1); got[0] != "INFO: forwarded" {
		t.Errorf("script log %q", got)
	}

	bad := filepath.Join(dir, "bad.dns")
	if err := os.WriteFile(bad, []byte("# fine\ntype=A;name=x.test;addr=127.0.0.1\ntype=MX;name=y.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(dir, "none.dns"), "failed to open file '" + filepath.Join(dir, "none.dns") + "'"},
		{bad, "failed to add record: 'type=MX;name=y.test' (" + bad + ")"},
	} {
		refusal, _ := siptest.Refusal(t, cfg(tc.file), siptest.Options{Release: catalog.NewestRelease()})
		if !strings.Contains(refusal, tc.want) {
			t.Errorf("%s: refusal %q, want it to contain %q", tc.file, refusal, tc.want)
		}
	}
}

// TestAddTCPAlias: corex's add_tcp_alias with a variable (0: the top
// Via's port) makes the TCP connection the request came over the one to
// its source address at that port, so a request forwarded there goes
// back over it; over UDP, or with a port beyond 65535, it returns -1.
func TestAddTCPAlias(t *testing.T) {
	srv, logs := serveNewest(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
listen=tcp:127.0.0.1:`+siptest.SIPPort+`
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "corex.so"
request_route {
	$var(p) = 0;
	add_tcp_alias("$var(p)");
	xlog("L_INFO", "$pr alias $rc\n");
	add_tcp_alias("70000");
	xlog("L_INFO", "$pr 70000 $rc\n");
	if ($pr == "tcp") {
		append_hf("X-Back: 1\r\n");
		forward_tcp("127.0.0.1", 5999);
	}
}
`)
	siptest.Dial(t, "phone", srv.Addr).Send(strings.ReplaceAll(options, "%HOST%", "x.test"))
	if got := waitLines(t, logs, 2); !slices.Equal(got, []string{"INFO: udp alias -1", "INFO: udp 70000 -1"}) {
		t.Errorf("over UDP: %q", got)
	}
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := strings.ReplaceAll(options, "%HOST%", "x.test")
	req = strings.Replace(req, "SIP/2.0/UDP 127.0.0.1:5999", "SIP/2.0/TCP 127.0.0.1:5999", 1)
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(siptest.Wait)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("nothing came back over the connection: %v", err)
	}
	if got := string(buf[:n]); !strings.HasPrefix(got, "OPTIONS sip:bob@x.test SIP/2.0\r\n") || !strings.Contains(got, "X-Back: 1\r\n") {
		t.Errorf("came back: %q", got)
	}
	if got := waitLines(t, logs, 4)[2:]; !slices.Equal(got, []string{"INFO: tcp alias 1", "INFO: tcp 70000 -1"}) {
		t.Errorf("over TCP: %q", got)
	}
}
