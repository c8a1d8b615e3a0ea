package siptest

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// The placeholders Start fills in a configuration (kamref's, so that one
// text runs on both servers).
const (
	SIPPort   = "%%SIP_PORT%%"
	EvapiPort = "%%EVAPI_PORT%%"
)

// ListenUDP is the listen line of a configuration served over UDP on
// the port Start picks.
const ListenUDP = "listen=udp:127.0.0.1:" + SIPPort + "\n"

// Options change how Start runs a configuration. The zero value runs it
// as `kamgo run` would, its log kept.
type Options struct {
	// Name is the configuration's file name in diagnostics; "kamailio.cfg"
	// when empty.
	Name string
	// Clock, when set, is the fake clock Advance moves. Setup puts the
	// modules on it.
	Clock *fakeclock.Clock
	// Setup runs on the loaded server before it starts: the place to put
	// modules on a fake clock (see Module).
	Setup func(*server.Server)
	// Hook sees every log record as it is written.
	Hook func(lv klog.Level, origin, msg string)
	// AllowMissing lets the configuration load modules kamgo does not
	// register (a recorded case's prelude); their functions must not be
	// used.
	AllowMissing bool
	// Load holds the other options of server.Load (Listen, RunDir ...);
	// Start sets its Log and AllowMissing, and fills SIPPort in its
	// Listen addresses.
	Load server.Options
	// Defines are the preprocessor's -A names.
	Defines []string
	// Subst are pairs of a placeholder and its text (UAS1 and a port
	// ...), replaced as strings.NewReplacer does before the ports are
	// filled.
	Subst []string
	// Release is the Kamailio release ("6.1") the configuration is
	// checked for; empty is module.Catalog()'s.
	Release string
}

// catalogFor is the catalog a configuration is checked against.
func catalogFor(t testing.TB, opts Options) *catalog.Catalog {
	t.Helper()
	if opts.Release == "" {
		return module.Catalog()
	}
	cat, err := module.CatalogFor(opts.Release)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// Server is kamgo serving a configuration in this process. It stops when
// the test ends; when the test failed, its log is printed first.
type Server struct {
	// Addr is the SIP address, "127.0.0.1:PORT"; Port is its port and
	// EvapiPort the port filled for EvapiPort (0 when the text has none).
	Addr      string
	Port      int
	EvapiPort int
	// Log holds every line the server logged.
	Log *linelog.Log
	// Srv is the running server.
	Srv *server.Server
	// Clock is Options.Clock.
	Clock *fakeclock.Clock
	// Config is the configuration as it was loaded.
	Config string
}

// Start loads cfg with the placeholders SIPPort (and EvapiPort) filled
// with free ports, starts it with its SIP listeners and stops it at the
// end of the test. A configuration that does not check, load or start
// fails the test.
func Start(t testing.TB, cfg string, opts Options) *Server {
	t.Helper()
	s, err := Load(t, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.startSIP(t)
	return s
}

// Load is Start without the SIP listeners: the modules start (their
// timers, event routes and RPC commands run) and their start error is
// returned. The server stops at the end of the test.
func Load(t testing.TB, cfg string, opts Options) (*Server, error) {
	t.Helper()
	s := newServer(t, opts)
	an, diags := s.analyze(t, cfg, opts)
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), s.Config)
	}
	srv, err := s.load(t, an, opts)
	if srv == nil {
		t.Fatalf("load: %v\n%s", err, s.Log.Text())
	}
	return s, err
}

// Refusal is what keeps cfg from running, as text: its check errors,
// its load errors or its modules' start error; "" when it starts (without
// SIP listeners, as Load). A server that loaded stops at the end of the
// test; s.Log has what it logged.
func Refusal(t testing.TB, cfg string, opts Options) (refusal string, s *Server) {
	t.Helper()
	s = newServer(t, opts)
	an, diags := s.analyze(t, cfg, opts)
	if diags.HasErrors() {
		return diags.Error(), s
	}
	if _, err := s.load(t, an, opts); err != nil {
		return err.Error(), s
	}
	return "", s
}

// analyze fills the placeholders of cfg (Options.Subst, then the ports)
// and checks it.
func (s *Server) analyze(t testing.TB, cfg string, opts Options) (*ast.Config, diag.List) {
	t.Helper()
	if len(opts.Subst) > 0 {
		cfg = strings.NewReplacer(opts.Subst...).Replace(cfg)
	}
	if strings.Contains(cfg, EvapiPort) {
		var err error
		if s.EvapiPort, err = freeport.Pick(); err != nil {
			t.Fatal(err)
		}
	}
	cfg = strings.ReplaceAll(cfg, SIPPort, strconv.Itoa(s.Port))
	cfg = strings.ReplaceAll(cfg, EvapiPort, strconv.Itoa(s.EvapiPort))
	s.Config = cfg
	name := opts.Name
	if name == "" {
		name = "kamailio.cfg"
	}
	an, diags, _ := check.AnalyzeSource(name, []byte(cfg), preproc.Options{Defines: opts.Defines}, catalogFor(t, opts))
	return an, diags
}

// StartFile is Start for the configuration file path (its includes read
// where it is); its listeners must come from Options.Load.Listen.
func StartFile(t testing.TB, path string, opts Options) *Server {
	t.Helper()
	s := newServer(t, opts)
	an, diags, _ := check.Analyze(path, preproc.Options{Defines: opts.Defines}, catalogFor(t, opts))
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, err := s.load(t, an, opts)
	if srv == nil {
		t.Fatalf("load: %v\n%s", err, s.Log.Text())
	}
	if err != nil {
		t.Fatal(err)
	}
	s.startSIP(t)
	return s
}

func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return &Server{Port: port, Addr: "127.0.0.1:" + strconv.Itoa(port), Log: &linelog.Log{}, Clock: opts.Clock}
}

// load loads an analysed configuration and starts its modules; the
// server stops at the end of the test. The server is nil when it did not
// load (the error says why), else err is the modules' start error.
func (s *Server) load(t testing.TB, an *ast.Config, opts Options) (*server.Server, error) {
	t.Helper()
	lg := klog.New(s.Log, klog.Text)
	if opts.Hook != nil {
		lg.SetHook(opts.Hook)
	}
	so := opts.Load
	so.Log = lg
	so.Listen = nil
	for _, l := range opts.Load.Listen {
		so.Listen = append(so.Listen, strings.ReplaceAll(l, SIPPort, strconv.Itoa(s.Port)))
	}
	if opts.AllowMissing {
		so.AllowMissing = missing(an)
	}
	srv, ld := server.Load(an, so)
	if ld.HasErrors() {
		return nil, ld
	}
	s.Srv = srv
	if opts.Setup != nil {
		opts.Setup(srv)
	}
	err := srv.Start(context.Background())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("kamgo's log:\n%s", s.Log.Text())
		}
		ctx, cancel := context.WithTimeout(context.Background(), Wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return srv, err
}

// startSIP opens the SIP listeners.
func (s *Server) startSIP(t testing.TB) {
	t.Helper()
	if err := s.Srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// missing lists the modules cfg loads that kamgo does not register.
func missing(cfg *ast.Config) []string {
	var out []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			if _, ok := module.Lookup(lm.Module()); !ok {
				out = append(out, lm.Module())
			}
		}
	}
	return out
}

// Module returns the instance of the loaded module name as T, failing
// the test when it is not loaded or not a T.
func Module[T any](t testing.TB, srv *server.Server, name string) T {
	t.Helper()
	inst, ok := srv.Module(name)
	if !ok {
		t.Fatalf("module %s is not loaded", name)
	}
	m, ok := inst.(T)
	if !ok {
		t.Fatalf("module %s is a %T", name, inst)
	}
	return m
}

// SIPAddr is the server's SIP address.
func (s *Server) SIPAddr() string { return s.Addr }

// Advance moves the fake clock by d; without one it does nothing.
func (s *Server) Advance(d time.Duration) {
	if s.Clock != nil {
		s.Clock.Advance(d)
	}
}

// WaitLog waits until n log lines match re, failing the test with the
// log after Wait.
func (s *Server) WaitLog(t testing.TB, re string, n int) {
	t.Helper()
	if err := s.Log.Wait(regexp.MustCompile(re), n, Wait); err != nil {
		t.Fatalf("log line %q: %v\n%s", re, err, s.Log.Text())
	}
}

// Lines are the log records so far as "LEVEL: origin: text".
func (s *Server) Lines() []string { return Strings(Records(s.Log.Lines())) }

var _ Target = (*Server)(nil)

// Poll reports whether cond became true within Wait, asking every 10ms:
// for state a server changes after the last thing a test can wait for
// (a counter bumped after the reply went out).
func Poll(cond func() bool) bool {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(Wait)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			return cond()
		}
	}
	return true
}
