package acc_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/modules/acc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/rr"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// header is the configuration both servers run before a scenario's
// parameters and routes.
const header = siptest.Prelude + `loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "rr.so"
loadmodule "textops.so"
loadmodule "acc.so"
modparam("tm", "fr_timer", 2000)
`

// startKamgo runs header+cfg in kamgo, the placeholders UAS1 ... replaced
// by the ports of the peers given, its tm on a clock that does not move
// and acc's time fixed.
func startKamgo(t *testing.T, cfg string, peers ...*siptest.UA) siptest.Target {
	t.Helper()
	clock := fakeclock.New()
	return siptest.Start(t, header+cfg, siptest.Options{Name: "acc.cfg", Clock: clock, Subst: siptest.Placeholders(peers...),
		Setup: func(srv *server.Server) {
			siptest.Module[*tm.Module](t, srv, "tm").SetClock(clock)
			siptest.Module[*acc.Module](t, srv, "acc").SetClock(func() time.Time { return time.Unix(1700000000, 123456000) })
		}})
}

var (
	timestampRE = regexp.MustCompile(`timestamp=\d+`)
	usecRE      = regexp.MustCompile(`;usec=\d+`)
	portRE      = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	// localTagRE is tm's to-tag for local replies, which depends on the
	// listening socket.
	localTagRE = regexp.MustCompile(`to_tag=[0-9a-f]{32}-[0-9a-f]+`)
)

// accLines keeps the lines of acc and of the script, timestamps and
// ports masked.
func accLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		_, rest, _ := strings.Cut(l, ": ")
		origin, _, _ := strings.Cut(rest, ": ")
		if origin != "acc" && origin != "script" {
			continue
		}
		l = timestampRE.ReplaceAllString(l, "timestamp=TS")
		l = usecRE.ReplaceAllString(l, ";usec=USEC")
		l = localTagRE.ReplaceAllString(l, "to_tag=LOCALTAG")
		out = append(out, portRE.ReplaceAllString(l, "127.0.0.1:PORT"))
	}
	return out
}
