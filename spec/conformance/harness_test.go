package conformance_test

// What the in-process and the socket runners share to run a case: the
// environment the cases run with, loading a config the way `kamgo run`
// does, the script log in the recorded shape and the comparison with the
// recording. verdict_test.go judges the results.

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/spec/conformance"

	_ "github.com/kamgo/kamgo/modules/all"
)

// loadCases reads every case of this directory.
func loadCases(t *testing.T) []conformance.Case {
	t.Helper()
	cases, err := conformance.Load(".")
	if err != nil {
		t.Fatalf("loading cases: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("no conformance cases found")
	}
	return cases
}

// setCaseEnv gives the process the environment of conformance.Env and
// removes the variables of conformance.Unset, for the whole test: $env
// reads the process environment.
func setCaseEnv(t *testing.T) {
	for _, kv := range conformance.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, name := range conformance.Unset {
		if v, ok := os.LookupEnv(name); ok {
			t.Setenv(name, v) // restored afterwards
			if err := os.Unsetenv(name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// loadConfig analyzes and loads text as `kamgo run` does, with the modules
// of reg. Modules of the prelude that kamgo does not implement (tm, sl,
// textops...) are allowed as missing, as with `kamgo run --allow-missing`.
// srv is nil when the diagnostics have errors.
func loadConfig(text string, reg *module.Registry) (*server.Server, *logCapture, diag.List) {
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, reg.Catalog())
	if diags.HasErrors() {
		return nil, nil, diags
	}
	var missing []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			if _, ok := reg.Lookup(lm.Module()); !ok {
				missing = append(missing, lm.Module())
			}
		}
	}
	logs := &logCapture{}
	lg := klog.New(nil, klog.Text)
	lg.SetHook(logs.hook)
	srv, ld := server.Load(cfg, server.Options{Log: lg, Registry: reg, AllowMissing: missing})
	diags = append(diags, ld...)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	return srv, logs, diags
}

// compare lists where the script log and the relays differ from the case's
// recording, leaving out the sections whose Kamailio output varies.
func compare(c conformance.Case, log, relays []string) []string {
	var why []string
	if _, v := c.Varies["log"]; !v && !slices.Equal(log, c.Log) && len(log)+len(c.Log) > 0 {
		why = append(why, fmt.Sprintf("log:\n   got  %q\n   want %q", log, c.Log))
	}
	if _, v := c.Varies["relay"]; !v && !slices.Equal(relays, c.Relay) && len(relays)+len(c.Relay) > 0 {
		why = append(why, fmt.Sprintf("relay:\n   got  %q\n   want %q", relays, c.Relay))
	}
	return why
}

// logCapture collects the script log lines in the recorded shape, and the
// other errors and warnings for failure reports.
type logCapture struct {
	mu     sync.Mutex
	lines  []string
	others []string
}

func (l *logCapture) hook(lv klog.Level, origin, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if origin != "script" {
		if lv <= klog.Warn {
			l.others = append(l.others, lv.String()+": "+origin+" "+msg)
		}
		return
	}
	parts := strings.Split(msg, "\n")
	l.lines = append(l.lines, lv.String()+": "+parts[0])
	l.lines = append(l.lines, parts[1:]...)
}

func (l *logCapture) script() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// other formats the non-script errors and warnings for a failure report.
func (l *logCapture) other() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.others) == 0 {
		return ""
	}
	return fmt.Sprintf("\n other log lines: %q", l.others)
}
