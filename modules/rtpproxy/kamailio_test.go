//go:build kamailio

package rtpproxy_test

import (
	"context"
	"flag"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "record testdata from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does; evapi
// is there because kamref waits for its port.
const kamailioHeader = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// TestKamailioScenario records (-update) or checks what Kamailio 5.6.3
// forwards and sends the RTP proxy in the scenario.
func TestKamailioScenario(t *testing.T) {
	phone, sink, rtpp := listen(t), listen(t), fakeProxy(t)
	in, err := kamref.Start(context.Background(), kamailioHeader+config(rtpp.Port(), sink.LocalAddr().(*net.UDPAddr).Port), kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := runScenario(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), phone, sink, rtpp)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, golden); got != want {
		t.Errorf("Kamailio differs from %s:\n%s", golden, diff(want, got))
	}
}

// TestKamailioNoProxy records (-update) or checks what Kamailio does with
// a proxy that does not answer: it starts, and rtpproxy_manage fails.
func TestKamailioNoProxy(t *testing.T) {
	phone, sink := listen(t), listen(t)
	rtpp := closedPort(t)
	in, err := kamref.Start(context.Background(), kamailioHeader+noProxyConfig(rtpp, sink.LocalAddr().(*net.UDPAddr).Port), kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fwd := noProxyExchange(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), phone, sink)
	in.Stop()
	got := fwd + "-- log\n" + strings.Join(moduleLines(in.Lines(), rtpp), "\n") + "\n"
	if *update {
		if err := os.WriteFile(goldenNoProxy, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, goldenNoProxy); got != want {
		t.Errorf("Kamailio differs from %s:\n%s", goldenNoProxy, diff(want, got))
	}
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
	if *update {
		if err := os.WriteFile(goldenDefcfg, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, goldenDefcfg); got != want {
		t.Errorf("Kamailio differs from %s:\n%s", goldenDefcfg, diff(want, got))
	}
}
