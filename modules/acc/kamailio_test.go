//go:build kamailio

package acc_test

// Differential test against Kamailio 5.6.3: every scenario runs on
// Kamailio and on kamgo with the same configuration and the same
// messages; the accounting lines (timestamps masked) and the script's
// lines must agree, and agree with what the scenario recorded. Needs the
// kamailio binary and its modules:
//
//	go test -tags kamailio ./modules/acc

import (
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

func startKamailio(t *testing.T, cfg string, peers ...*siptest.UA) siptest.Target {
	t.Helper()
	return siptest.StartKamailio(t, header+siptest.EvapiProbe+cfg, siptest.Placeholders(peers...)...)
}

// update rewrites the recorded lines from Kamailio's.
var update = flag.Bool("update", false, "record Kamailio's lines in testdata")

func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			kl := run(t, sc, startKamailio)
			gl := run(t, sc, startKamgo)
			if !slices.Equal(kl, gl) {
				t.Errorf("lines differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
			}
			if *update {
				if err := os.WriteFile(sc.golden(), []byte(strings.Join(kl, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := sc.want(t); !slices.Equal(kl, want) {
				t.Errorf("Kamailio's lines are not the recorded ones\nkamailio:\n  %s\nrecorded:\n  %s", strings.Join(kl, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}
