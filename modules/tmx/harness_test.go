package tmx_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/catalog"
	_ "github.com/kamgo/kamgo/modules/cfgutils"
	_ "github.com/kamgo/kamgo/modules/corex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/textops"
	"github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/server"
)

// header is the configuration both servers run before a scenario's
// routes: Prelude with three children.
var header = strings.Replace(siptest.Prelude, "children=1\n", "children=3\n", 1) + `loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "cfgutils.so"
modparam("cfgutils", "lock_set_size", 4)
modparam("tm", "fr_timer", 1000)
`

// startKamgo runs header+routes in kamgo with tm on a fake clock, the
// placeholders UAS1 ... replaced by the ports of the peers given.
func startKamgo(t *testing.T, routes string, peers ...*siptest.UA) siptest.Target {
	t.Helper()
	clock := fakeclock.New()
	return siptest.Start(t, header+routes, siptest.Options{Name: "tmx.cfg", Clock: clock, Subst: siptest.Placeholders(peers...),
		// The newest release: its tmx has every function kamgo runs.
		Release: catalog.NewestRelease(),
		Setup:   func(srv *server.Server) { siptest.Module[*tm.Module](t, srv, "tm").SetClock(clock) }})
}
