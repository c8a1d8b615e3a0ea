package supervise

import (
	"context"
	"errors"
	"github.com/kamgo/kamgo/internal/freeport"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"

	_ "github.com/kamgo/kamgo/modules/all"
)

// wait bounds every wait for a log line or a reply; reaching it fails the
// test, it never decides an outcome.
const wait = 20 * time.Second

func analyze(file string) (*ast.Config, diag.List, diag.Sources) {
	return check.Analyze(file, preproc.Options{}, module.Catalog())
}

// configs reads testdata/reload.txtar with evapi on 127.0.0.1:0 and the
// given number of workers.
func configs(t *testing.T, workers int) map[string]string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/reload.txtar")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range ar.Files {
		s := strings.ReplaceAll(string(f.Data), "@ADDR@", "127.0.0.1:0")
		m[f.Name] = strings.ReplaceAll(s, "@WORKERS@", strconv.Itoa(workers))
	}
	return m
}

// lockedBuffer collects Options.Diag.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// run is a supervisor serving in the test's process.
type run struct {
	t    *testing.T
	file string
	log  *linelog.Log
	sigs chan os.Signal
	sup  *Supervisor
	done chan error // Serve's result
	stop context.CancelFunc
}

// setup writes cfg as kamailio.cfg in a fresh directory and returns
// options for it, logging into a linelog.
func setup(t *testing.T, cfg string) (Options, *linelog.Log, *lockedBuffer) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kamailio.cfg")
	proctest.WriteFile(t, file, cfg)
	log := &linelog.Log{}
	d := &lockedBuffer{}
	// A configuration without listen= listens on every interface at 5060,
	// as Kamailio; a test listens on a free loopback port instead (-l).
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		File:    file,
		Analyze: analyze,
		Log:     klog.New(log, klog.Text),
		Diag:    d,
		Version: "test",
		Listen:  []string{"udp:127.0.0.1:" + strconv.Itoa(port)},
	}, log, d
}

// serve starts o and serves it until the test ends; signals go to it
// through run.signal.
func serve(t *testing.T, o Options, log *linelog.Log) *run {
	t.Helper()
	sigs := make(chan os.Signal, 4)
	o.Signals = sigs
	sup, err := Start(o)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, log.Text())
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &run{t: t, file: o.File, log: log, sigs: sigs, sup: sup, done: make(chan error, 1), stop: cancel}
	go func() { r.done <- sup.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		r.result()
		if t.Failed() {
			t.Logf("log:\n%s", log.Text())
		}
	})
	return r
}

// signal delivers sig as signal.Notify would.
func (r *run) signal(sig os.Signal) { r.sigs <- sig }

// result waits for Serve to return.
func (r *run) result() error {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.done <- err // later callers see it too
		return err
	case <-time.After(wait):
		r.t.Fatal("Serve did not return")
		return nil
	}
}

// waitFor waits until at least n log lines match re.
func (r *run) waitFor(re *regexp.Regexp, n int) {
	r.t.Helper()
	if err := r.log.Wait(re, n, wait); err != nil {
		r.t.Fatal(err)
	}
}

// evapiAddr is where the running evapi module listens.
func (r *run) evapiAddr() string {
	r.t.Helper()
	m, ok := r.sup.Server().Module("evapi")
	if !ok {
		r.t.Fatal("evapi is not loaded")
	}
	a, ok := m.(interface{ Addr() net.Addr })
	if !ok || a.Addr() == nil {
		r.t.Fatal("evapi has no address")
	}
	return a.Addr().String()
}

// dial connects an evapi client, closed when the test ends.
func (r *run) dial() *netstring.Conn {
	r.t.Helper()
	c, err := netstring.Dial(r.evapiAddr(), wait)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Close() })
	return c
}

// ask sends payload and returns the next frame.
func ask(t *testing.T, c *netstring.Conn, payload string) string {
	t.Helper()
	if err := c.Send(payload); err != nil {
		t.Fatalf("send %q: %v", payload, err)
	}
	got, err := c.Recv(wait)
	if err != nil {
		t.Fatalf("reply to %q: %v", payload, err)
	}
	return got
}

var (
	reRunning    = regexp.MustCompile(`^INFO: <core>: kamgo test running `)
	reConnNew    = regexp.MustCompile(`^INFO: <script>: connection-new `)
	reConnClosed = regexp.MustCompile(`^INFO: <script>: connection-closed `)
	reStats      = regexp.MustCompile(`^INFO: <evapi>: stats: `)
)

func reReloaded(reason string) *regexp.Regexp {
	return regexp.MustCompile(`^INFO: <core>: reloaded \S*kamailio\.cfg \(` + regexp.QuoteMeta(reason) + `\)$`)
}

func reRefused(reason string) *regexp.Regexp {
	return regexp.MustCompile(`^ERROR: <core>: reload \(` + regexp.QuoteMeta(reason) + `\) refused, the running configuration is kept:$`)
}

// TestStartRefuses: a configuration with errors is refused before anything
// starts, with its diagnostics, whether check or the loader finds them.
func TestStartRefuses(t *testing.T) {
	cfgs := configs(t, 1)
	for _, tc := range []struct{ name, cfg, diag string }{
		{"syntax error", cfgs["syntax-error.cfg"], `kamailio.cfg:1[78]:\d+: error: .*\[KC0501\]`},
		{"unknown function", cfgs["unknown-function.cfg"], `kamailio.cfg:17:2: error: unknown function evapi_rely .*\[KC2001\]`},
		{"module not implemented", strings.Replace(cfgs["a.cfg"], `loadmodule "evapi.so"`, "loadmodule \"evapi.so\"\nloadmodule \"ipops.so\"", 1),
			`kamailio.cfg:5:12: error: module ipops is not implemented by kamgo \[KC2101\]`},
		{"missing file", "", `no such file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, log, d := setup(t, tc.cfg)
			if tc.name == "missing file" {
				o.File += ".missing"
			}
			sup, err := Start(o)
			if !errors.Is(err, ErrRefused) || sup != nil {
				t.Fatalf("Start: %v, want ErrRefused", err)
			}
			if !regexp.MustCompile(tc.diag).MatchString(d.String()) {
				t.Errorf("diagnostics lack %q:\n%s", tc.diag, d.String())
			}
			if l := log.Lines(); len(l) != 0 {
				t.Errorf("something ran and logged:\n%s", log.Text())
			}
		})
	}
}

// TestStartFails: a module that cannot start is logged, and what started
// before it is stopped again.
func TestStartFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := strings.Replace(configs(t, 1)["a.cfg"], "127.0.0.1:0", ln.Addr().String(), 1)
	o, log, _ := setup(t, cfg)
	if sup, err := Start(o); err == nil || sup != nil {
		t.Fatalf("Start: %v, want an error", err)
	}
	if n := log.Count(regexp.MustCompile(`^CRITICAL: <core>: cannot start: evapi: start: evapi: cannot bind`)); n != 1 {
		t.Errorf("no start failure logged:\n%s", log.Text())
	}
	if log.Count(reRunning) != 0 {
		t.Errorf("logged running:\n%s", log.Text())
	}
}

// TestAllowMissing: AllowMissing lets a configuration with a module kamgo
// does not implement run, its calls logged once per call site.
func TestAllowMissing(t *testing.T) {
	cfg := strings.Replace(configs(t, 1)["a.cfg"], "evapi_relay(", "is_ip(\"1.2.3.4\");\n\tevapi_relay(", 1)
	cfg = strings.Replace(cfg, `loadmodule "evapi.so"`, "loadmodule \"evapi.so\"\nloadmodule \"ipops.so\"", 1)
	o, log, _ := setup(t, cfg)
	o.AllowMissing = []string{"ipops"}
	r := serve(t, o, log)
	c := r.dial()
	for i := range 3 {
		if got, want := ask(t, c, strconv.Itoa(i)), "A:"+strconv.Itoa(i); got != want {
			t.Errorf("reply %q, want %q", got, want)
		}
	}
	if n := log.Count(regexp.MustCompile(`^WARNING: <core>: is_ip\(\) at \S*kamailio\.cfg:\d+ is a no-op: module ipops is not implemented$`)); n != 1 {
		t.Errorf("%d no-op lines, want 1:\n%s", n, log.Text())
	}
	r.signal(syscall.SIGTERM)
	if err := r.result(); err != nil {
		t.Errorf("Serve: %v", err)
	}
}
