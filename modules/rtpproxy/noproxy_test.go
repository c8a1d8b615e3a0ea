package rtpproxy_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/siptest"
)

// noProxyRoutes point the module at a UDP port nobody answers on; the
// request runs rtpproxy_manage, which finds no proxy.
const noProxyRoutes = `
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "rtpproxy.so"
modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:RTPP")
request_route {
	rtpproxy_manage("co");
	append_hf("X-RC: $rc\r\n");
	$du = "sip:127.0.0.1:SINK";
	forward();
	exit;
}
`

const goldenNoProxy = "testdata/noproxy.txt"

var reModLine = regexp.MustCompile(`\b(ERROR|WARNING|INFO|NOTICE|CRITICAL): <?rtpproxy>?(?: \[[^]]*\])?: (.*)$`)

// moduleLines are rtpproxy's log lines of text, as "LEVEL text", each
// once, in order of first appearance (Kamailio tests the proxy in every
// process it forks, kamgo once).
func moduleLines(lines []string, rtpp int) []string {
	var out []string
	for _, l := range lines {
		if m := reModLine.FindStringSubmatch(l); m != nil {
			s := strings.ReplaceAll(m[1]+" "+m[2], ":"+strconv.Itoa(rtpp)+">", ":<rtpp>>")
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// noProxyExchange sends an INVITE with SDP through the proxy at addr and
// returns what was forwarded.
func noProxyExchange(t *testing.T, addr string, phone, sink *siptest.UA) string {
	t.Helper()
	m := message{name: "manage", body: offerSDP}
	phone.SendTo(addr, m.text(phone.Port(), siptest.PortOf(addr), sink.Port(), 1))
	// Kamailio tries the silent proxy before it forwards: longer than
	// Wait.
	fwd, ok := sink.ReadText(15 * time.Second)
	if !ok {
		t.Fatal("nothing forwarded")
	}
	return normalize(fwd, phone.Port(), sink.Port(), siptest.PortOf(addr), -1)
}

// closedPort is a UDP port on 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	p, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func noProxyConfig(rtpp, sink int) string {
	return strings.NewReplacer("RTPP", strconv.Itoa(rtpp), "SINK", strconv.Itoa(sink)).Replace(noProxyRoutes)
}

// TestNoProxy: with a proxy that does not answer, kamgo starts, logs
// what Kamailio logs, and rtpproxy_manage fails with -3 (no proxy) while
// the request is forwarded unchanged.
func TestNoProxy(t *testing.T) {
	phone, sink := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink")
	rtpp := closedPort(t)
	srv := startKamgo(t, noProxyConfig(rtpp, sink.Port()))
	fwd := noProxyExchange(t, srv.Addr, phone, sink)
	got := fwd + "-- log\n" + strings.Join(moduleLines(srv.Log.Lines(), rtpp), "\n") + "\n"
	siptest.Golden(t, goldenNoProxy, "kamgo", got, false)
}
