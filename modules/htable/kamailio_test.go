//go:build kamailio

package htable_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "record testdata/scenario.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does (evapi
// is there because kamref waits for its port).
const kamailioHeader = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:` + kamref.SIPPortPlaceholder + `
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:` + kamref.EvapiPortPlaceholder + `")
`

// expiredLines is how many lines event_route[htable:expired:x] logs.
const expiredLines = 2

// TestKamailioScenario runs the scenario on Kamailio 5.6.3 and checks its
// log against testdata/scenario.txt (-update records it).
func TestKamailioScenario(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in, err := kamref.Start(ctx, kamailioHeader+scenarioRoutes, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	// Kamailio's timer removes the items of x about two seconds after the
	// start; wait (bounded) for their events.
	var got string
	for range 100 {
		var lines []string
		for _, l := range in.Log() {
			lines = append(lines, l.Level+": "+l.Origin+": "+l.Text)
		}
		got = scenarioLog(lines)
		if strings.Count(got, "script: expired ") >= expiredLines {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if *update {
		if err := os.WriteFile(scenarioGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(scenarioGolden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Kamailio's log differs from %s:\n%s", scenarioGolden, lineDiff(string(want), got))
	}
}
