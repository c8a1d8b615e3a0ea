package rtpproxy_test

import (
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
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
func noProxyExchange(t *testing.T, addr string, phone, sink net.PacketConn) string {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp", addr)
	m := message{name: "manage", body: offerSDP}
	pport := phone.LocalAddr().(*net.UDPAddr).Port
	sport := sink.LocalAddr().(*net.UDPAddr).Port
	if _, err := phone.WriteTo([]byte(m.text(pport, to.Port, sport, 1)), to); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	_ = sink.SetReadDeadline(time.Now().Add(15 * time.Second))
	n, _, err := sink.ReadFrom(buf)
	if err != nil {
		t.Fatalf("nothing forwarded: %v", err)
	}
	return normalize(string(buf[:n]), pport, sport, to.Port, -1)
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
	phone, sink := listen(t), listen(t)
	rtpp := closedPort(t)
	addr, log, _ := startKamgo(t, noProxyConfig(rtpp, sink.LocalAddr().(*net.UDPAddr).Port))
	fwd := noProxyExchange(t, addr, phone, sink)
	got := fwd + "-- log\n" + strings.Join(moduleLines(log.Lines(), rtpp), "\n") + "\n"
	if want := readGolden(t, goldenNoProxy); got != want {
		t.Errorf("differs from Kamailio's (%s):\n%s", goldenNoProxy, diff(want, got))
	}
}
