//go:build kamailio

package auth

import (
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/internal/siptest"
)

var update = flag.Bool("update", false, "record testdata/replies-*.txt from Kamailio")

// kamailioHeader starts Kamailio as the other differentials do.
const kamailioHeader = siptest.KamailioHeader

// TestKamailioScenarios sends the scenarios to Kamailio 5.6.3: the
// client's responses to its nonces are accepted, its nonces are the
// client's builder's (scenario a), and its replies are the recorded ones
// (-update records them).
func TestKamailioScenarios(t *testing.T) {
	for _, sc := range scenarios {
		in, err := kamref.Start(context.Background(), kamailioHeader+sc.routes, kamref.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := runScenario(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), sc.steps, sc.exact)
		in.Stop()
		var lines []string
		for _, l := range in.Log() {
			origin := l.Origin
			if !strings.HasPrefix(origin, "<") {
				origin = "<" + origin + ">"
			}
			if line := l.Level + ": " + origin + ": " + l.Text; authLine(line) {
				lines = append(lines, line)
			}
		}
		logText := strings.Join(lines, "\n") + "\n"
		if *update {
			if err := os.WriteFile(golden(sc.name), []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(goldenLog(sc.name), []byte(logText), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want, err := os.ReadFile(goldenLog(sc.name)); err != nil || string(want) != logText {
			t.Errorf("scenario %s: Kamailio's log lines differ from %s (%v):\n%s", sc.name, goldenLog(sc.name), err, siptest.Diff(string(want), logText))
		}
		want, err := os.ReadFile(golden(sc.name))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("scenario %s: Kamailio's replies differ from %s:\n%s", sc.name, golden(sc.name), siptest.Diff(string(want), got))
		}
	}
}

// TestKamailioAuthIntRejected documents a difference: Kamailio 5.6.3
// computes auth-int responses over an uninitialised buffer instead of
// H(entity-body), so a correct auth-int response is an invalid password
// (-2) there; kamgo accepts it (the README says so).
func TestKamailioAuthIntRejected(t *testing.T) {
	in, err := kamref.Start(context.Background(), kamailioHeader+routesA, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()
	steps := []step{scenarioA[0], {name: "register auth-int", method: "REGISTER", cred: cred(func(s *run, c *client) {
		withQOP("00000001")(s, c)
		c.qop = "auth-int"
	})}}
	got := runScenario(t, "127.0.0.1:"+strconv.Itoa(in.SIPPort), steps, true)
	if !strings.Contains(got, "== register auth-int\nSIP/2.0 401 Unauthorized\n") || !strings.Contains(got, "X-RC: -2\n") {
		t.Errorf("Kamailio's answer to a correct auth-int response:\n%s", got)
	}
}

// TestKamailioStartup records (-update) or checks Kamailio's start-up
// verdict and auth log lines for each startupCases entry.
func TestKamailioStartup(t *testing.T) {
	var b strings.Builder
	for _, sc := range startupCases {
		text := kamailioHeader + "loadmodule \"sl.so\"\nloadmodule \"pv.so\"\nloadmodule \"auth.so\"\n"
		for _, p := range sc.params {
			text += "modparam(\"auth\", \"" + p[0] + "\", " + p[1] + ")\n"
		}
		text += "request_route {\n\tdrop;\n}\n"
		in, err := kamref.Start(context.Background(), text, kamref.Options{})
		var raw []string
		refused := false
		if err != nil {
			se, ok := err.(*kamref.StartError)
			if !ok {
				t.Fatal(err)
			}
			refused, raw = true, se.Log
		} else {
			raw = in.Lines()
			in.Stop()
		}
		var lines []string
		for _, l := range kamref.ParseLog(raw) {
			origin := l.Origin
			if !strings.HasPrefix(origin, "<") {
				origin = "<" + origin + ">"
			}
			lines = append(lines, l.Level+": "+origin+": "+l.Text)
		}
		b.WriteString(startupRecord(sc.name, refused, lines))
	}
	if *update {
		if err := os.WriteFile(goldenStartup, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenStartup)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("Kamailio's start-up differs from %s:\n%s", goldenStartup, siptest.Diff(string(want), got))
	}
}
