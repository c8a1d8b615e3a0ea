//go:build kamailio

package htable_test

import (
	"context"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

var update = flag.Bool("update", false, "record testdata/scenario.txt from Kamailio")

// kamailioHeader starts Kamailio as the conformance prelude does.
const kamailioHeader = siptest.KamailioHeader

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
	siptest.Golden(t, scenarioGolden, "Kamailio's log", got, *update)
}
