package corex_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// serve runs cfg (siptest.SIPPort filled with a free port it listens on)
// with its SIP socket open until the test ends, the script's lines
// collected.
func serve(t *testing.T, cfg string) (*siptest.Server, *siptest.ScriptLog) {
	t.Helper()
	logs := siptest.NewScriptLog()
	return siptest.Start(t, cfg, siptest.Options{Hook: logs.Hook}), logs
}

// waitLines waits (Wait at most) for the script to log n lines.
func waitLines(t *testing.T, logs *siptest.ScriptLog, n int) []string {
	t.Helper()
	got := logs.WaitLines(n)
	if len(got) < n {
		t.Fatalf("script logged %q, want %d lines", got, n)
	}
	return got
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
	peer := siptest.NewUA(t, "peer")
	peerPort := peer.Port()
	srv, logs := serve(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
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
	siptest.Dial(t, "phone", srv.Addr).Send(strings.ReplaceAll(options, "%HOST%", "x.test"))
	got := peer.RecvText()
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
	srv, logs := serve(t, `#!KAMAILIO
listen=udp:127.0.0.1:`+siptest.SIPPort+`
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
	c := siptest.Dial(t, "phone", srv.Addr)
	from := c.Port()
	for i, host := range []string{"sip.example.org", "example.org.evil.test"} {
		req := strings.ReplaceAll(options, "%HOST%", host)
		req = strings.Replace(req, "127.0.0.1:5999", "127.0.0.1:"+strconv.Itoa(from), 1)
		req = strings.Replace(req, "corex-hooks@", "corex-hooks-"+strconv.Itoa(i)+"@", 1)
		c.Send(req)
		if got := c.RecvText(); !strings.HasPrefix(got, "SIP/2.0 200 OK\r\n") {
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
