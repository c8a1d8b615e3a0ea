//go:build kamailio

package nathelper_test

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

// TestKamailioForwarded records (-update) or checks the requests
// Kamailio 5.6.3 forwards in the scenario.
func TestKamailioForwarded(t *testing.T) {
	phone, sink := siptest.NewUA(t, "phone"), siptest.NewUA(t, "sink")
	cfg := strings.ReplaceAll(routes, "SINK", strconv.Itoa(sink.Port()))
	k := siptest.StartKamailio(t, siptest.KamailioHeader+cfg)
	got := runScenario(t, k.SIPAddr(), phone, sink)
	siptest.Golden(t, golden, "Kamailio's requests", got, *update)
}

// TestKamailioPing records (-update) or checks the pings Kamailio's
// pinger sends, its natping_interval 1 second.
func TestKamailioPing(t *testing.T) {
	k := siptest.StartKamailio(t, siptest.KamailioHeader+pingRoutes)
	got := pingExchange(t, k.SIPAddr(), func() {})
	siptest.Golden(t, goldenPing, "Kamailio's pings", got, *update)
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
	siptest.Golden(t, goldenDefcfg, "Kamailio", got, *update)
}
