package rtpproxy_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/modules/rtpproxy/internal/fakertpp"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/xlog"
)

// The scenario: requests (and a reply) with SDP to a proxy that runs one
// rtpproxy function per message (X-Case), writes its result in X-RC and
// forwards the message to the test's sink; a fake RTP proxy answers the
// commands. Kamailio 5.6.3's forwarded messages and the commands it sent
// are recorded in testdata/scenario.txt by the kamailio-tagged test;
// kamgo's must be the same after normalize.

// routes is the configuration both servers run; RTPP is the fake RTP
// proxy's port and SINK the sink's.
var routes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "rtpproxy.so"
modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:RTPP")
modparam("rtpproxy", "rtpproxy_sock", "1 == udp:127.0.0.1:RTPP=2")
request_route {
	$var(rc) = "none";
	$var(c) = $hdr(X-Case);
` + siptest.Switch("$var(c)",
	rc("offer", `rtpproxy_offer();`),
	rc("manage", `rtpproxy_manage("co");`),
	rc("answer", `rtpproxy_answer();`),
	rc("offer_flags", `rtpproxy_offer("1ie");`),
	rc("offer_ip", `rtpproxy_offer("r", "203.0.113.77");`),
	rc("offer_force", `rtpproxy_offer("f");`),
	rc("destroy_t", `rtpproxy_destroy("t");`),
	rc("record", `start_recording();`),
	siptest.Case{Name: "stat", Body: []string{`append_hf("X-Stat: $rtpstat\r\n");`}},
	siptest.Case{Name: "stream", Body: []string{`rtpproxy_stream2uac("prompt-$ci", "3");`, `$var(rc) = $rc;`,
		`rtpproxy_stop_stream2uac();`, `$var(rc) = $var(rc) + $rc;`}},
	rc("stream_uas", `rtpproxy_stream2uas("x", "-1");`),
	rc("bad_flag", `rtpproxy_offer("q");`),
	rc("set", `set_rtp_proxy_set("1");`, `rtpproxy_offer("w");`),
) + `	append_hf("X-RC: $var(rc)\r\n");
	$du = "sip:127.0.0.1:SINK";
	forward();
	exit;
}
onreply_route {
	if ($hdr(X-Case) == "reply") {
		rtpproxy_manage("co");
	}
}
`

// rc is a case that runs the statements and keeps the last one's return
// code in $var(rc).
func rc(name string, stmts ...string) siptest.Case {
	return siptest.Case{Name: name, Body: append(stmts, "$var(rc) = $rc;")}
}

const offerSDP = "v=0\r\n" +
	"o=alice 2890844526 2890844526 IN IP4 10.0.0.5\r\n" +
	"s=-\r\n" +
	"c=IN IP4 10.0.0.5\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8 101\r\n" +
	"a=rtcp:49171 IN IP4 10.0.0.5\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"m=video 51372 RTP/AVP 31\r\n"

const answerSDP = "v=0\r\n" +
	"o=bob 1 1 IN IP4 10.0.0.9\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0\r\n" +
	"c=IN IP4 10.0.0.9\r\n"

const v6SDP = "v=0\r\n" +
	"o=alice 1 1 IN IP6 fd00::5\r\n" +
	"s=-\r\n" +
	"c=IN IP6 fd00::5\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0\r\n"

// message is one message of the scenario.
type message struct {
	name   string
	method string // "" for INVITE, "200" for a reply
	toTag  bool
	body   string
}

var scenario = []message{
	{name: "offer", body: offerSDP},
	{name: "manage", body: offerSDP},
	{name: "manage", method: "ACK", toTag: true, body: answerSDP},
	{name: "answer", body: answerSDP},
	{name: "offer_flags", body: offerSDP},
	{name: "offer_ip", body: offerSDP},
	{name: "offer", body: v6SDP},
	{name: "offer", body: offerSDP + "a=nortpproxy:yes\r\n"},
	{name: "offer_force", body: offerSDP + "a=nortpproxy:yes\r\n"},
	{name: "manage", method: "BYE", toTag: true},
	{name: "destroy_t", method: "BYE", toTag: true},
	{name: "record", toTag: true},
	{name: "stat", toTag: true},
	{name: "stream", toTag: true},
	{name: "stream_uas"},
	{name: "bad_flag", body: offerSDP},
	{name: "set", body: answerSDP},
	{name: "offer"},
	{name: "reply", method: "200", toTag: true, body: answerSDP},
}

// text is the message as the phone at port phone sends it to the proxy
// at port proxy; n numbers it.
func (m message) text(phone, proxy, sink, n int) string {
	method := m.method
	if method == "" {
		method = "INVITE"
	}
	to := "To: <sip:bob@example.com>"
	if m.toTag {
		to += ";tag=b2"
	}
	var h []string
	if method == "200" {
		h = []string{
			"SIP/2.0 200 OK",
			fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-proxy-%d", proxy, n),
			fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d", sink, n),
		}
		method = "INVITE"
	} else {
		h = []string{
			method + " sip:bob@example.com SIP/2.0",
			fmt.Sprintf("Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-%d;rport", n),
			"Max-Forwards: 70",
		}
	}
	h = append(h,
		"From: <sip:alice@example.com>;tag=a1",
		to,
		fmt.Sprintf("Call-ID: call-%d@10.0.0.5", n),
		fmt.Sprintf("CSeq: %d %s", n, method),
		"X-Case: "+m.name,
		"Contact: <sip:alice@10.0.0.5:5060>",
	)
	if m.body != "" {
		h = append(h, "Content-Type: application/sdp")
	}
	return siptest.Build(h, m.body)
}

// runScenario sends every message to the proxy at addr and returns what
// the sink received and the commands the RTP proxy got, normalized, one
// block per message.
func runScenario(t *testing.T, addr string, phone, sink *siptest.UA, rtpp *fakertpp.Proxy) string {
	t.Helper()
	proxy := siptest.PortOf(addr)
	rtpp.Commands(true)
	var b strings.Builder
	for i, m := range scenario {
		phone.SendTo(addr, m.text(phone.Port(), proxy, sink.Port(), i+1))
		fmt.Fprintf(&b, "== %d %s\n%s\n-- commands\n", i+1, m.name, normalize(sink.RecvText(), phone.Port(), sink.Port(), proxy, rtpp.Port()))
		for _, c := range rtpp.Commands(true) {
			b.WriteString(c + "\n")
		}
	}
	return b.String()
}

var reProxyBranch = regexp.MustCompile(`branch=z9hG4bK[0-9a-f.]+`)

// normalize makes two proxies' messages comparable: the ports and the
// branch of the proxy's Via.
func normalize(s string, phone, sink, proxy, rtpp int) string {
	s = siptest.MaskPorts(s, siptest.Port{Port: phone, Name: "<phone>"}, siptest.Port{Port: sink, Name: "<sink>"},
		siptest.Port{Port: proxy, Name: "<proxy>"}, siptest.Port{Port: rtpp, Name: "<rtpp>"})
	s = reProxyBranch.ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	return siptest.LF(s)
}

const golden = "testdata/scenario.txt"

// fakeProxy starts a fake RTP proxy on a port from freeport.
func fakeProxy(t *testing.T) *fakertpp.Proxy {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	p, err := fakertpp.ListenUDP(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// config is routes with the ports filled in.
func config(rtpp, sink int) string {
	return strings.NewReplacer("RTPP", strconv.Itoa(rtpp), "SINK", strconv.Itoa(sink)).Replace(routes)
}

// startKamgo runs cfgText in kamgo on a free UDP port.
func startKamgo(t *testing.T, cfgText string) *siptest.Server {
	t.Helper()
	return siptest.Start(t, "children=2\n"+siptest.ListenUDP+cfgText, siptest.Options{Name: "rtpproxy.cfg"})
}

// TestScenario: kamgo sends the RTP proxy Kamailio's commands and
// forwards the SDP Kamailio forwards.
func TestScenario(t *testing.T) {
	phone, sink, rtpp := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink"), fakeProxy(t)
	srv := startKamgo(t, config(rtpp.Port(), sink.Port()))
	got := siptest.Blocks(runScenario(t, srv.Addr, phone, sink, rtpp))
	want := siptest.Blocks(siptest.ReadGolden(t, golden))
	if len(got) != len(want) {
		t.Fatalf("%d messages, Kamailio %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s differs from Kamailio's (%s):\n%s", want[i].Name, golden, siptest.Diff(want[i].Text, got[i].Text))
		}
	}
}
