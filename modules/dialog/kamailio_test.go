//go:build kamailio

package dialog_test

// Differential test against Kamailio 5.6.3: each scenario runs on
// Kamailio and on kamgo with the same configuration and the same
// messages from the same peers; what they observed (Record-Route, the
// script's lines, dlg.* replies as kamcmd prints them, the BYEs of a
// timeout, masked for times, ports and ids) must agree, and agree with
// the recording in testdata (rewritten with -update). Needs kamailio,
// kamcmd and their modules:
//
//	go test -tags kamailio ./modules/dialog

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

// kamailioPrelude makes StartKamailio see Kamailio up (evapi) and gives
// kamcmd a ctl socket.
const kamailioPrelude = `loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
` + siptest.Ctl

// kamailioTarget is Kamailio with kamcmd on its ctl socket.
type kamailioTarget struct{ *siptest.Kamailio }

func startKamailio(t *testing.T, cfg string, peers ...*siptest.UA) target {
	t.Helper()
	return kamailioTarget{siptest.StartKamailio(t, header+kamailioPrelude+cfg, siptest.Placeholders(peers...)...)}
}

// Advance does nothing: Kamailio's dialog timer runs on its own; the
// scenario's reads (bounded) wait for what it sends.
func (k kamailioTarget) Advance(time.Duration) {}

// rpc runs kamcmd and flattens its output as kamgo's replies are.
func (k kamailioTarget) rpc(t *testing.T, cmd ...string) []string {
	t.Helper()
	return siptest.FlattenKamcmd(k.Kamcmd(t, cmd...))
}

// update rewrites the recordings from Kamailio's observations.
var update = flag.Bool("update", false, "record Kamailio's observations in testdata")

func TestDifferential(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
			kl := sc.run(t, startKamailio(t, sc.config(), b), a, b)
			a2, b2 := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
			gl := sc.run(t, startKamgo(t, sc.config(), b2), a2, b2)
			if strings.Join(kl, "\n") != strings.Join(gl, "\n") {
				t.Errorf("observations differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
			}
			if *update {
				if err := os.WriteFile(sc.golden(), []byte(strings.Join(kl, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if want := sc.want(t); strings.Join(kl, "\n") != strings.Join(want, "\n") {
				t.Errorf("Kamailio's observations are not the recorded ones\nkamailio:\n  %s\nrecorded:\n  %s", strings.Join(kl, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// TestKamailioLoad checks loadCases against Kamailio: it refuses to
// start with the configurations kamgo refuses and starts with the others.
func TestKamailioLoad(t *testing.T) {
	for _, tc := range loadCases {
		t.Run(tc.name, func(t *testing.T) {
			text := header + strings.ReplaceAll(kamailioPrelude, siptest.CtlPath, filepath.Join(t.TempDir(), "ctl.sock")) + tc.cfg
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			in, err := kamref.Start(ctx, text, kamref.Options{})
			if err == nil {
				in.Stop()
			}
			if refused := err != nil; refused != (tc.err != "") {
				t.Fatalf("Kamailio refused: %v (%v), kamgo refuses: %v", refused, err, tc.err != "")
			}
		})
	}
}

// TestKamailioKEMI runs the Lua scenario on Kamailio and kamgo.
func TestKamailioKEMI(t *testing.T) {
	sc := scenario{name: "kemi"}
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	kl := kemiScenario(t, startKamailio(t, kemiConfigFor(t, b), b), a, b)
	a2, b2 := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	gl := kemiScenario(t, startKamgo(t, kemiConfigFor(t, b2), b2), a2, b2)
	if strings.Join(kl, "\n") != strings.Join(gl, "\n") {
		t.Errorf("observations differ\nkamailio:\n  %s\nkamgo:\n  %s", strings.Join(kl, "\n  "), strings.Join(gl, "\n  "))
	}
	if *update {
		if err := os.WriteFile(sc.golden(), []byte(strings.Join(kl, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKamailioRouteMatching runs the loose_route and dlg_manage-after-
// t_newtran checks of route_test.go on Kamailio: their expectations are
// Kamailio's behaviour.
func TestKamailioRouteMatching(t *testing.T) {
	t.Run("loose_route", func(t *testing.T) { matchOnLooseRoute(t, startKamailio) })
	t.Run("manage after t_newtran", func(t *testing.T) { manageAfterNewtran(t, startKamailio) })
}
