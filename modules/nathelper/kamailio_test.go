//go:build kamailio

package nathelper_test

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

// TestKamailioForwarded records (-update) or checks the requests
// Kamailio 5.6.3 forwards in the scenario.
func TestKamailioForwarded(t *testing.T) {
	phone, sink := listen(t), listen(t)
	cfg := strings.ReplaceAll(routes, "SINK", strconv.Itoa(sink.LocalAddr().(*net.UDPAddr).Port))
	in, err := kamref.Start(context.Background(), kamailioHeader+cfg, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := runScenario(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), phone, sink)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, golden); got != want {
		t.Errorf("Kamailio's requests differ from %s:\n%s", golden, diff(want, got))
	}
}

// TestKamailioPing records (-update) or checks the pings Kamailio's
// pinger sends, its natping_interval 1 second.
func TestKamailioPing(t *testing.T) {
	in, err := kamref.Start(context.Background(), kamailioHeader+pingRoutes, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	got := pingExchange(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), func() {})
	if *update {
		if err := os.WriteFile(goldenPing, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, goldenPing); got != want {
		t.Errorf("Kamailio's pings differ from %s:\n%s", goldenPing, diff(want, got))
	}
}

// TestKamailioDefaultConfigNAT records (-update) or checks Debian's
// configuration with WITH_NAT on Kamailio 5.6.3.
func TestKamailioDefaultConfigNAT(t *testing.T) {
	defcfgTools(t)
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
	ex := defcfgExchange(t, port, in.Dir)
	in.Stop()
	got := ex + "-- rtpproxy log\n" + strings.Join(rtpproxyLines(in.Lines()), "\n") + "\n"
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
