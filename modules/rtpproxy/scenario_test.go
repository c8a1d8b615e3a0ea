package rtpproxy_test

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

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/modules/rtpproxy/internal/fakertpp"
	_ "github.com/kamgo/kamgo/modules/textops"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// The scenario: requests (and a reply) with SDP to a proxy that runs one
// rtpproxy function per message (X-Case), writes its result in X-RC and
// forwards the message to the test's sink; a fake RTP proxy answers the
// commands. Kamailio 5.6.3's forwarded messages and the commands it sent
// are recorded in testdata/scenario.txt by the kamailio-tagged test;
// kamgo's must be the same after normalize.

// routes is the configuration both servers run; RTPP is the fake RTP
// proxy's port and SINK the sink's.
const routes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "rtpproxy.so"
modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:RTPP")
modparam("rtpproxy", "rtpproxy_sock", "1 == udp:127.0.0.1:RTPP=2")
request_route {
	$var(rc) = "none";
	$var(c) = $hdr(X-Case);
	if ($var(c) == "offer") {
		rtpproxy_offer();
		$var(rc) = $rc;
	} else if ($var(c) == "manage") {
		rtpproxy_manage("co");
		$var(rc) = $rc;
	} else if ($var(c) == "answer") {
		rtpproxy_answer();
		$var(rc) = $rc;
	} else if ($var(c) == "offer_flags") {
		rtpproxy_offer("1ie");
		$var(rc) = $rc;
	} else if ($var(c) == "offer_ip") {
		rtpproxy_offer("r", "203.0.113.77");
		$var(rc) = $rc;
	} else if ($var(c) == "offer_force") {
		rtpproxy_offer("f");
		$var(rc) = $rc;
	} else if ($var(c) == "destroy_t") {
		rtpproxy_destroy("t");
		$var(rc) = $rc;
	} else if ($var(c) == "record") {
		start_recording();
		$var(rc) = $rc;
	} else if ($var(c) == "stat") {
		append_hf("X-Stat: $rtpstat\r\n");
	} else if ($var(c) == "stream") {
		rtpproxy_stream2uac("prompt-$ci", "3");
		$var(rc) = $rc;
		rtpproxy_stop_stream2uac();
		$var(rc) = $var(rc) + $rc;
	} else if ($var(c) == "stream_uas") {
		rtpproxy_stream2uas("x", "-1");
		$var(rc) = $rc;
	} else if ($var(c) == "bad_flag") {
		rtpproxy_offer("q");
		$var(rc) = $rc;
	} else if ($var(c) == "set") {
		set_rtp_proxy_set("1");
		rtpproxy_offer("w");
		$var(rc) = $rc;
	}
	append_hf("X-RC: $var(rc)\r\n");
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
	h = append(h, "Content-Length: "+strconv.Itoa(len(m.body)))
	return strings.Join(h, "\r\n") + "\r\n\r\n" + m.body
}

// runScenario sends every message to the proxy at addr and returns what
// the sink received and the commands the RTP proxy got, normalized, one
// block per message.
func runScenario(t *testing.T, addr string, phone, sink net.PacketConn, rtpp *fakertpp.Proxy) string {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	sport := sink.LocalAddr().(*net.UDPAddr).Port
	rtpp.Commands(true)
	var b strings.Builder
	buf := make([]byte, 65535)
	for i, m := range scenario {
		if _, err := phone.WriteTo([]byte(m.text(pport, to.Port, sport, i+1)), to); err != nil {
			t.Fatal(err)
		}
		_ = sink.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := sink.ReadFrom(buf)
		if err != nil {
			t.Fatalf("%s: nothing forwarded: %v", m.name, err)
		}
		fmt.Fprintf(&b, "== %d %s\n%s\n-- commands\n", i+1, m.name, normalize(string(buf[:n]), pport, sport, to.Port, rtpp.Port()))
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
	for _, p := range []struct {
		port int
		name string
	}{{phone, "<phone>"}, {sink, "<sink>"}, {proxy, "<proxy>"}, {rtpp, "<rtpp>"}} {
		s = strings.ReplaceAll(s, ":"+strconv.Itoa(p.port), ":"+p.name)
		s = strings.ReplaceAll(s, "="+strconv.Itoa(p.port), "="+p.name)
	}
	s = reProxyBranch.ReplaceAllString(s, "branch=z9hG4bK<proxy>")
	return strings.ReplaceAll(s, "\r\n", "\n")
}

const golden = "testdata/scenario.txt"

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func listen(t *testing.T) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// fakeProxy starts a fake RTP proxy on a free UDP port.
func fakeProxy(t *testing.T) *fakertpp.Proxy {
	t.Helper()
	p, err := fakertpp.ListenUDP("127.0.0.1:0")
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

// startKamgo runs cfgText in kamgo on a free UDP port and returns its
// address, log and server.
func startKamgo(t *testing.T, cfgText string) (string, *linelog.Log, *server.Server) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("children=2\nlisten=udp:127.0.0.1:%d\n%s", port, cfgText)
	cfg, diags, _ := check.AnalyzeSource("rtpproxy.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return "127.0.0.1:" + strconv.Itoa(port), ll, srv
}

// TestScenario: kamgo sends the RTP proxy Kamailio's commands and
// forwards the SDP Kamailio forwards.
func TestScenario(t *testing.T) {
	phone, sink, rtpp := listen(t), listen(t), fakeProxy(t)
	addr, _, _ := startKamgo(t, config(rtpp.Port(), sink.LocalAddr().(*net.UDPAddr).Port))
	got := blocks(runScenario(t, addr, phone, sink, rtpp))
	want := blocks(readGolden(t, golden))
	if len(got) != len(want) {
		t.Fatalf("%d messages, Kamailio %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("differs from Kamailio's (%s):\n%s", golden, diff(want[i], got[i]))
		}
	}
}

func blocks(s string) []string {
	var out []string
	for _, b := range strings.Split(s, "\n== ") {
		out = append(out, strings.TrimPrefix(b, "== "))
	}
	return out
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}
