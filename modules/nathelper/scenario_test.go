package nathelper_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/nathelper"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/usrloc"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// The forwarding scenario: requests from a user agent behind a NAT (the
// Via and Contact name 10.0.0.5, the packets come from 127.0.0.1) to a
// proxy that runs one nathelper function per request (X-Case), writes
// the results in X-* headers and forwards the request to the test's
// sink. Kamailio 5.6.3's forwarded requests are recorded in
// testdata/forwarded.txt by the kamailio-tagged test; kamgo's must be
// the same after normalize.

// routes is the configuration both servers run after their header; SINK
// is the sink's port.
var routes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "nathelper.so"
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
request_route {
	$var(rc) = "none";
	$var(c) = $hdr(X-Case);
` + siptest.Switch("$var(c)",
	siptest.Case{Name: "uac", Body: []string{
		`$var(i) = 1;`,
		`while ($var(i) <= 512) {`,
		`	if (nat_uac_test("$var(i)")) {`,
		`		append_hf("X-T-$var(i): 1\r\n");`,
		`	} else {`,
		`		append_hf("X-T-$var(i): -1\r\n");`,
		`	}`,
		`	$var(i) = $var(i) * 2;`,
		`}`,
	}},
	siptest.Case{Name: "fix_nated_contact", Body: []string{`fix_nated_contact();`, `$var(rc) = $rc;`,
		`if (nat_uac_test("1")) { append_hf("X-After: private\r\n"); }`}},
	rc("fix_twice", `fix_nated_contact();`, `fix_nated_contact();`),
	rc("set_contact_alias", `set_contact_alias();`),
	rc("set_contact_alias_trim", `set_contact_alias("1");`),
	rc("add_contact_alias", `add_contact_alias();`),
	rc("add_contact_alias3", `add_contact_alias("192.0.2.7", "5080", "tcp");`),
	rc("add_contact_alias3_bad", `add_contact_alias("192.0.2.7", "0", "tcp");`),
	rc("add_rcv_param", `add_rcv_param();`),
	rc("add_rcv_param_uri", `add_rcv_param("1");`),
	after(rc("fix_nated_register", `fix_nated_register();`), `append_hf("X-Received: $avp(RECEIVED)\r\n");`),
	rc("sdp3", `fix_nated_sdp("3");`),
	rc("sdp15", `fix_nated_sdp("15", "198.51.100.1");`),
	rc("sdp_same", `fix_nated_sdp("2", "10.0.0.5");`),
	after(rc("alias", `handle_ruri_alias();`), `append_hf("X-Du: $du\r\n");`),
	rc("alias_none", `handle_ruri_alias();`),
	after(rc("alias_last", `handle_ruri_alias("1");`), `append_hf("X-Du: $du\r\n");`),
	after(rc("alias_to_pv", `set_alias_to_pv("$var(a)");`), `append_hf("X-Alias: $var(a)\r\n");`),
	siptest.Case{Name: "rfc1918", Body: []string{
		`if (is_rfc1918("10.1.2.3")) { append_hf("X-A: 1\r\n"); }`,
		`if (is_rfc1918("100.64.0.1")) { append_hf("X-B: 1\r\n"); }`,
		`if (is_rfc1918("192.0.0.9")) { append_hf("X-C: 1\r\n"); }`,
		`if (is_rfc1918("8.8.8.8")) { append_hf("X-D: 1\r\n"); }`,
		`if (is_rfc1918("172.31.255.255")) { append_hf("X-E: 1\r\n"); }`,
		`append_hf("X-RR: $rr_count $rr_top_count\r\n");`,
	}},
) + `	append_hf("X-RC: $var(rc)\r\n");
	if ($du == $null) {
		$du = "sip:127.0.0.1:SINK";
	}
	forward();
	exit;
}
`

// rc is a case that runs the statements and keeps the last one's return
// code in $var(rc).
func rc(name string, stmts ...string) siptest.Case {
	return siptest.Case{Name: name, Body: append(stmts, "$var(rc) = $rc;")}
}

// after is c with more statements at its end.
func after(c siptest.Case, stmts ...string) siptest.Case {
	c.Body = append(c.Body, stmts...)
	return c
}

// request is one request of the scenario.
type request struct {
	name    string
	ruri    string // "" for sip:bob@example.com
	method  string
	headers []string // besides Via, From, To, Call-ID, CSeq, Contact
	contact string   // the Contact value, "-" for none
	body    string
}

const sdpBody = "v=0\r\n" +
	"o=alice 2890844526 2890844526 IN IP4 10.0.0.5\r\n" +
	"s=-\r\n" +
	"c=IN IP4 10.0.0.5\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8 101\r\n" +
	"a=rtcp:49171 IN IP4 10.0.0.5\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"m=video 51372 RTP/AVP 31\r\n" +
	"c=IN IP4 10.0.0.6\r\n"

var scenario = []request{
	{name: "uac", contact: "<sip:alice@10.0.0.5:5060>", body: sdpBody},
	{name: "uac", headers: []string{"X-Note: public contact"}, contact: "<sip:alice@127.0.0.1:PHONE>"},
	{name: "fix_nated_contact", contact: `"Alice" <sip:alice@10.0.0.5:5060;transport=udp>;expires=60`},
	{name: "fix_nated_contact", headers: []string{"X-Note: maddr"}, contact: "<sip:alice@10.0.0.5;maddr=10.0.0.1;lr>"},
	{name: "fix_twice", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "set_contact_alias", contact: "<sip:alice@10.0.0.5:5060;ob>;+sip.instance=\"<urn:x>\""},
	{name: "set_contact_alias", headers: []string{"X-Note: no brackets"}, contact: "sip:alice@10.0.0.5:5060;expires=30"},
	{name: "set_contact_alias_trim", contact: "<sip:alice@10.0.0.5:5060;alias=10.9.9.9~5070~1>"},
	{name: "add_contact_alias", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_contact_alias", headers: []string{"X-Note: no brackets"}, contact: "sip:alice@10.0.0.5;transport=udp"},
	{name: "add_contact_alias", headers: []string{"X-Note: same address"}, contact: "<sip:alice@127.0.0.1:PHONE;transport=udp>"},
	{name: "add_contact_alias", headers: []string{"X-Note: no contact"}, contact: "-"},
	{name: "add_contact_alias3", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_contact_alias3_bad", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "add_rcv_param", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>;q=0.5, sip:alice2@10.0.0.5"},
	{name: "add_rcv_param_uri", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>;q=0.5"},
	{name: "fix_nated_register", method: "REGISTER", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp3", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp15", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "sdp_same", body: sdpBody, contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias", ruri: "sip:bob@192.0.2.10:5060;alias=127.0.0.1~SINK~1;lr", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_none", ruri: "sip:bob@192.0.2.10:5060;lr", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_last", ruri: "sip:bob@192.0.2.10;alias=192.0.2.99~5999~1;alias=127.0.0.1~SINK~1", contact: "<sip:alice@10.0.0.5:5060>"},
	{name: "alias_to_pv", contact: "<sip:alice@10.0.0.5:5060;alias=192.0.2.44~5062~2>"},
	{name: "rfc1918", headers: []string{"Record-Route: <sip:p1.example.com;lr;r2=on>, <sip:p2.example.com;lr>", "Record-Route: <sip:p3.example.com;lr>"}, contact: "<sip:alice@10.0.0.5:5060>"},
}

// text is the request as the phone at port phone sends it; sink is the
// port requests are forwarded to.
func (r request) text(phone, sink int, n int) string {
	method := r.method
	if method == "" {
		method = "INVITE"
	}
	ruri := r.ruri
	if ruri == "" {
		ruri = "sip:bob@example.com"
	}
	ruri = strings.ReplaceAll(ruri, "SINK", strconv.Itoa(sink))
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-%d;rport", n),
		"Max-Forwards: 70",
		"From: <sip:alice@example.com>;tag=a1",
		"To: <sip:bob@example.com>",
		fmt.Sprintf("Call-ID: call-%d@10.0.0.5", n),
		fmt.Sprintf("CSeq: %d %s", n, method),
		"X-Case: " + r.name,
	}
	h = append(h, r.headers...)
	if r.contact != "-" {
		h = append(h, "Contact: "+strings.ReplaceAll(r.contact, "PHONE", strconv.Itoa(phone)))
	}
	if r.body != "" {
		h = append(h, "Content-Type: application/sdp")
	}
	return siptest.Build(h, r.body)
}

// runScenario sends every request to the proxy at addr from phone and
// returns what the sink received, normalized, one block per request.
func runScenario(t *testing.T, addr string, phone, sink *siptest.UA) string {
	t.Helper()
	var b strings.Builder
	for i, r := range scenario {
		phone.SendTo(addr, r.text(phone.Port(), sink.Port(), i+1))
		fmt.Fprintf(&b, "== %d %s\n%s\n", i+1, r.name, normalize(sink.RecvText(), phone.Port(), sink.Port(), siptest.PortOf(addr)))
	}
	return b.String()
}

var reProxyBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f.]+`)

// normalize makes two proxies' forwarded requests comparable: the
// ports, and the branch of the proxy's Via (Kamailio hashes its own
// address into it).
func normalize(s string, phone, sink, proxy int) string {
	s = siptest.MaskPorts(s, siptest.Port{Port: phone, Name: "<phone>"}, siptest.Port{Port: sink, Name: "<sink>"}, siptest.Port{Port: proxy, Name: "<proxy>"})
	s = reProxyBranch.ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	return siptest.LF(s)
}

const golden = "testdata/forwarded.txt"

// startKamgo runs cfg (routes with SINK replaced) in kamgo on a free UDP
// port.
func startKamgo(t *testing.T, cfgText string) *siptest.Server {
	t.Helper()
	return startKamgoClock(t, cfgText, nil)
}

// startKamgoClock is startKamgo with usrloc and nathelper (when loaded)
// on clock.
func startKamgoClock(t *testing.T, cfgText string, clock *fakeclock.Clock) *siptest.Server {
	t.Helper()
	return siptest.Start(t, "children=2\n"+siptest.ListenUDP+cfgText, siptest.Options{Name: "nathelper.cfg", Clock: clock,
		Setup: func(srv *server.Server) {
			if clock == nil {
				return
			}
			if ul, ok := srv.Module("usrloc"); ok {
				ul.(*usrloc.Module).SetClock(clock)
			}
			if nh, ok := srv.Module("nathelper"); ok {
				nh.(*nathelper.Module).SetClock(clock)
			}
		}})
}

// TestForwarded: kamgo forwards the scenario's requests as Kamailio
// does.
func TestForwarded(t *testing.T) {
	phone, sink := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink")
	cfg := strings.ReplaceAll(routes, "SINK", strconv.Itoa(sink.Port()))
	srv := startKamgo(t, cfg)
	got := siptest.Blocks(runScenario(t, srv.Addr, phone, sink))
	want := siptest.Blocks(siptest.ReadGolden(t, golden))
	if len(got) != len(want) {
		t.Fatalf("%d requests forwarded, Kamailio forwarded %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %s differs from Kamailio's (%s):\n%s", want[i].Name, golden, siptest.Diff(want[i].Text, got[i].Text))
		}
	}
}
