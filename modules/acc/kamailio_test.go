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
	"context"
	"flag"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// evapiLines let kamref see that Kamailio is up (it waits for the evapi
// listener).
const evapiLines = `loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

type kamailioTarget struct {
	in *kamref.Instance
}

func startKamailio(t *testing.T, cfg string, peers ...*peer) target {
	t.Helper()
	text := header + evapiLines + cfg
	for i, p := range peers {
		text = strings.ReplaceAll(text, "UAS"+strconv.Itoa(i+1), strconv.Itoa(p.port()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, text, kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	return &kamailioTarget{in: in}
}

func (k *kamailioTarget) addr() string { return "127.0.0.1:" + strconv.Itoa(k.in.SIPPort) }

func (k *kamailioTarget) advance(d time.Duration) { time.Sleep(d) }

func (k *kamailioTarget) waitLog(t *testing.T, re string, n int) {
	t.Helper()
	r := regexp.MustCompile(re)
	deadline := time.Now().Add(wait)
	for {
		got := 0
		for _, l := range k.lines() {
			if r.MatchString(l) {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kamailio never logged %q:\n%s", re, strings.Join(k.lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (k *kamailioTarget) lines() []string {
	var out []string
	for _, l := range k.in.Log() {
		out = append(out, l.Level+": "+strings.Trim(l.Origin, "<>")+": "+l.Text)
	}
	return out
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
