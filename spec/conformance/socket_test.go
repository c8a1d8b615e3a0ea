package conformance_test

// The socket runner: every recorded case without a check section runs
// through the same path as `kamgo run` (check.AnalyzeSource, server.Load
// with every module kamgo has, Start), with the real evapi module bound to a
// free 127.0.0.1 port. A TCP client sends each send line as one netstring
// frame followed by "#sync" and waits for the "#sync" relay, as the
// recorder does against Kamailio. The relayed payloads and the script log
// lines are compared with the recorded ones. Cases whose socket result
// deliberately differs are listed in testdata/socket-deviations.txt.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/spec/conformance"

	_ "github.com/kamgo/kamgo/modules/all"
)

const (
	// socketParallel bounds how many servers run at once.
	socketParallel = 4
	// socketCaseTimeout bounds one case: load, start, every message, stop.
	socketCaseTimeout = 20 * time.Second
	socketDeviations  = "testdata/socket-deviations.txt"
)

// TestSocketConformance runs the recorded cases over real evapi sockets;
// see the file comment.
func TestSocketConformance(t *testing.T) {
	cases, err := conformance.Load(".")
	if err != nil {
		t.Fatalf("loading cases: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("no conformance cases found")
	}
	// $env reads the process environment, so it is set for the whole test;
	// the parallel subtests below all finish before it is restored.
	for _, kv := range conformance.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	if v, ok := os.LookupEnv("KAMGO_CONF_UNSET"); ok {
		t.Setenv("KAMGO_CONF_UNSET", v) // restored afterwards
		if err := os.Unsetenv("KAMGO_CONF_UNSET"); err != nil {
			t.Fatal(err)
		}
	}
	dev, err := readSocketDeviations(socketDeviations)
	if err != nil {
		t.Fatal(err)
	}
	for name := range dev {
		if !slices.ContainsFunc(cases, func(c conformance.Case) bool { return c.Name == name }) {
			t.Errorf("%s: %s names no case", socketDeviations, name)
		}
	}

	type tally struct{ pass, fail, excused, skipped int }
	var mu sync.Mutex
	byArea := map[string]*tally{}
	count := func(name string, f func(*tally)) {
		area, _, _ := strings.Cut(name, "/")
		mu.Lock()
		defer mu.Unlock()
		if byArea[area] == nil {
			byArea[area] = &tally{}
		}
		f(byArea[area])
	}
	sem := make(chan struct{}, socketParallel)
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			if c.Check != "" {
				// The in-process runner covers configs Kamailio refuses.
				count(c.Name, func(x *tally) { x.skipped++ })
				continue
			}
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(context.Background(), socketCaseTimeout)
				defer cancel()
				detail := runSocketCase(ctx, c)
				reason, listed := dev[c.Name]
				switch {
				case detail == "":
					count(c.Name, func(x *tally) { x.pass++ })
					if listed {
						t.Errorf("passes but is listed in %s: remove it", socketDeviations)
					}
				case listed:
					count(c.Name, func(x *tally) { x.excused++ })
					t.Logf("excused (%s):\n %s", reason, detail)
				default:
					count(c.Name, func(x *tally) { x.fail++ })
					t.Errorf("%s:\n %s", c.Comment, detail)
				}
			})
		}
	})

	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	var b strings.Builder
	var total tally
	line := func(name string, x tally) {
		fmt.Fprintf(&b, "  %-10s passed %3d  failed %3d  excused %3d  skipped (check) %3d\n",
			name, x.pass, x.fail, x.excused, x.skipped)
	}
	for _, a := range areas {
		x := *byArea[a]
		line(a, x)
		total.pass += x.pass
		total.fail += x.fail
		total.excused += x.excused
		total.skipped += x.skipped
	}
	line("total", total)
	t.Logf("socket conformance summary (%v):\n%s", time.Since(start).Round(time.Millisecond), b.String())
}

// runSocketCase runs one case and returns "" when it matches, otherwise
// what differs.
func runSocketCase(ctx context.Context, c conformance.Case) string {
	var (
		srv  *server.Server
		port int
		logs *logCapture
	)
	// Another process may take the picked port before the module binds it.
	for attempt := 0; ; attempt++ {
		var err error
		port, err = freeport.Pick()
		if err != nil {
			return err.Error()
		}
		sip, err := freeport.Pick()
		if err != nil {
			return err.Error()
		}
		var msg string
		srv, logs, msg = loadSocketCase(c, sip, port)
		if msg != "" {
			return msg
		}
		err = srv.Start(ctx)
		if err == nil {
			break
		}
		if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		return "start: " + err.Error()
	}
	stopped := false
	stop := func() string {
		if stopped {
			return ""
		}
		stopped = true
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Stop(sctx); err != nil {
			return "stop: " + err.Error()
		}
		return ""
	}
	defer stop()

	fail := func(format string, args ...any) string {
		stop()
		return fmt.Sprintf(format, args...) + logs.other()
	}
	dl, _ := ctx.Deadline()
	conn, err := kamref.Dial(port, time.Until(dl))
	if err != nil {
		return fail("%v", err)
	}
	defer conn.Close()
	var relays []string
	for i, m := range c.Send {
		if err := conn.Send(m); err != nil {
			return fail("message %d %q: %v", i+1, m, err)
		}
		got, err := conn.Sync(time.Until(dl))
		relays = append(relays, got...)
		if err != nil {
			return fail("message %d %q: %v; relays so far %q", i+1, m, err, relays)
		}
	}
	conn.Close()
	if msg := stop(); msg != "" {
		return msg
	}
	script := logs.script()
	var why []string
	if !slices.Equal(script, c.Log) {
		why = append(why, fmt.Sprintf("log:\n   got  %q\n   want %q", script, c.Log))
	}
	if !slices.Equal(relays, c.Relay) {
		why = append(why, fmt.Sprintf("relay:\n   got  %q\n   want %q", relays, c.Relay))
	}
	if len(why) == 0 {
		return ""
	}
	return strings.Join(why, "\n ") + logs.other()
}

// loadSocketCase analyzes and loads the case's config as `kamgo run` does.
// Modules of the prelude that kamgo does not implement (tm, sl, textops...)
// are allowed as missing, as with `kamgo run --allow-missing`.
func loadSocketCase(c conformance.Case, sipPort, evapiPort int) (*server.Server, *logCapture, string) {
	text := c.Config(sipPort, evapiPort)
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		return nil, nil, "analyze: " + diags.Error()
	}
	var missing []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			name := strings.TrimSuffix(filepath.Base(lm.Path), ".so")
			if _, ok := module.Lookup(name); !ok {
				missing = append(missing, name)
			}
		}
	}
	logs := &logCapture{}
	lg := klog.New(nil, klog.Text)
	lg.SetHook(logs.hook)
	srv, ld := server.Load(cfg, server.Options{Log: lg, AllowMissing: missing})
	if ld.HasErrors() {
		return nil, nil, "load: " + ld.Error()
	}
	return srv, logs, ""
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

// readSocketDeviations reads "case-name reason" lines; # starts a comment.
func readSocketDeviations(path string) (map[string]string, error) {
	out := map[string]string{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		name, reason, _ := strings.Cut(l, " ")
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s: %s has no reason", path, name)
		}
		out[name] = strings.TrimSpace(reason)
	}
	return out, sc.Err()
}
