//go:build kamailio

package rtpproxy_test

import (
	"context"
	"flag"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

var update = flag.Bool("update", false, "record testdata from Kamailio")

// TestKamailioScenario records (-update) or checks what Kamailio 5.6.3
// forwards and sends the RTP proxy in the scenario.
func TestKamailioScenario(t *testing.T) {
	phone, sink, rtpp := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink"), fakeProxy(t)
	k := siptest.StartKamailio(t, siptest.KamailioHeader+config(rtpp.Port(), sink.Port()))
	got := runScenario(t, k.SIPAddr(), phone, sink, rtpp)
	siptest.Golden(t, golden, "Kamailio", got, *update)
}

// TestKamailioNoProxy records (-update) or checks what Kamailio does with
// a proxy that does not answer: it starts, and rtpproxy_manage fails.
func TestKamailioNoProxy(t *testing.T) {
	phone, sink := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink")
	rtpp := closedPort(t)
	k := siptest.StartKamailio(t, siptest.KamailioHeader+noProxyConfig(rtpp, sink.Port()))
	fwd := noProxyExchange(t, k.SIPAddr(), phone, sink)
	k.Stop()
	got := fwd + "-- log\n" + strings.Join(moduleLines(k.Lines(), rtpp), "\n") + "\n"
	siptest.Golden(t, goldenNoProxy, "Kamailio", got, *update)
}

// TestKamailioDefaultConfigRTPProxy records (-update) or checks Debian's
// configuration with WITH_NAT and the fake RTP proxy on Kamailio 5.6.3.
func TestKamailioDefaultConfigRTPProxy(t *testing.T) {
	rtpp := defcfgProxy(t)
	port, err := kamref.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	a := "127.0.0.1:" + strconv.Itoa(port)
	in, err := kamref.StartSIPFile(context.Background(), defaultConfig, kamref.Options{SIPPort: port,
		Args: []string{"-A", "WITH_NAT", "-l", "udp:" + a, "-l", "tcp:" + a}})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := defcfgCall(t, port, rtpp)
	siptest.Golden(t, goldenDefcfg, "Kamailio", got, *update)
}
