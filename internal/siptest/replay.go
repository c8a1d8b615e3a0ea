package siptest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kamgo/kamgo/spec/conformance"
)

// Replay serves cfg (a recorded case's configuration, its placeholders
// SIPPort and EvapiPort kept) with the modules kamgo does not register
// allowed, sends msg to it from a UA and returns the script's log lines
// (as ScriptLog has them) once there are want of them, or those there
// are after Wait. The server stops with the test.
func Replay(t testing.TB, cfg, msg string, want int) []string {
	t.Helper()
	logs := NewScriptLog()
	srv := Start(t, cfg, Options{AllowMissing: true, Hook: logs.Hook})
	Dial(t, "replay", srv.Addr).Send(msg)
	return logs.WaitLines(want)
}

// ReplayCases replays each recorded case (spec/conformance's txtar
// format) matched by pattern, one subtest each named for its file, and
// compares the script's log lines with the recorded ones. deviations
// names the cases kamgo answers differently, with why: they must
// differ (so that a fixed one is noticed). A case without a SIP message
// is skipped.
func ReplayCases(t *testing.T, pattern string, deviations map[string]string) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := conformance.Parse(filepath.Base(f), data)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			if c.SIP == nil {
				t.Skip("no SIP message: this runner sends SIP only")
			}
			got := Replay(t, c.ConfigTemplate(), c.SIPMessage(), len(c.Log))
			why, dev := deviations[filepath.Base(f)]
			switch {
			case dev && slices.Equal(got, c.Log):
				t.Errorf("listed as a deviation (%s) but matches Kamailio", why)
			case !dev && !slices.Equal(got, c.Log):
				t.Errorf("log:\n got  %q\n want %q", got, c.Log)
			}
		})
	}
}
