// Package supervise owns a running configuration's life from start to
// stop, the part of `kamgo run` that is not flag parsing: it checks and
// loads the configuration and refuses it before any socket opens when it
// has errors, starts the modules and then the SIP sockets (runtime/sip),
// serves the modules' counters over HTTP, reloads on SIGHUP and (with
// Watch) when the configuration or a file it includes changes, and stops
// the SIP sockets, then the modules, on SIGTERM or SIGINT, when the
// context ends, or when a module aborts.
//
// Reload rule: a reload re-reads and re-checks the configuration; one with
// errors, or one that runtime/server refuses (a change that needs a
// restart), is logged with its diagnostics and the running configuration
// is kept. A good one is swapped in without dropping connections. The
// watch follows the files the newest configuration reads, refused or not,
// so fixing a broken include is noticed: its own and included files, and
// the files its modules read (app_lua's scripts; see ConfigFiler).
package supervise

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/watch"
)

// Options configures Start.
type Options struct {
	// File is the configuration to run.
	File string
	// Analyze preprocesses, parses and checks a file, as `kamgo check`
	// does; it is called at start and on every reload.
	Analyze func(file string) (*ast.Config, diag.List, diag.Sources)
	// AllowMissing lists modules kamgo does not implement whose calls
	// become logged no-ops (server.Options.AllowMissing).
	AllowMissing []string
	// Catalog is the module facts Analyze checks against, for the server
	// to resolve modules with the same facts (server.Options.Catalog);
	// nil means the registry's default.
	Catalog *catalog.Catalog
	// Log receives every log line. It must not be nil.
	Log *klog.Logger
	// Diag receives the diagnostics of a configuration refused at start.
	Diag io.Writer
	// Signals delivers SIGHUP to reload and SIGTERM or SIGINT to stop. The
	// caller registers it (signal.Notify) before Start, so that a signal
	// sent during start-up is handled once serving. nil means none.
	Signals <-chan os.Signal
	// Watch reloads when the configuration or an included file changes.
	Watch bool
	// WatchDebounce is how long a burst of file changes must stay quiet
	// before the reload; 0 means watch.DefaultDebounce.
	WatchDebounce time.Duration
	// Metrics is an address to serve the modules' counters on at
	// /metrics, in the Prometheus text format; "" serves none. Port 0
	// picks a free port (see MetricsAddr).
	Metrics string
	// Version is printed in the line that says kamgo is running.
	Version string
	// Listen and RunDir are Kamailio's -l and -Y (server.Options).
	Listen []string
	RunDir string
	// StopTimeout bounds stopping the modules; 10s when 0.
	StopTimeout time.Duration
}

// ErrRefused reports a configuration refused at start; its diagnostics
// were written to Options.Diag.
var ErrRefused = errors.New("supervise: configuration refused")

// Supervisor is a started configuration. Serve runs it until it stops.
type Supervisor struct {
	o       Options
	srv     *server.Server
	cancel  context.CancelFunc
	watcher *watch.Watcher
	changed chan struct{}
	metrics *http.Server
	maddr   net.Addr
}

// Start checks and loads the configuration, starts the modules, the file
// watch and the metrics endpoint, and logs that kamgo is running. Every
// failure is reported (as diagnostics on Options.Diag, or on the log)
// before Start returns it, and nothing is left running.
func Start(o Options) (*Supervisor, error) {
	if o.StopTimeout <= 0 {
		o.StopTimeout = 10 * time.Second
	}
	log := o.Log
	// Everything is checked before any socket opens.
	cfg, diags, src := o.Analyze(o.File)
	if diags.HasErrors() {
		_ = diag.WriteText(o.Diag, diags, src)
		return nil, ErrRefused
	}
	srv, ld := server.Load(cfg, server.Options{Log: log, AllowMissing: o.AllowMissing, Catalog: o.Catalog, Version: o.Version,
		Listen: o.Listen, RunDir: o.RunDir})
	if ld.HasErrors() {
		_ = diag.WriteText(o.Diag, ld, src)
		return nil, ErrRefused
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Supervisor{o: o, srv: srv, cancel: cancel, changed: make(chan struct{}, 1)}
	if err := srv.Start(ctx); err != nil {
		cancel()
		log.Logf(klog.Crit, "core", "cannot start: %v", err)
		return nil, err
	}
	if err := srv.StartSIP(ctx); err != nil {
		cancel()
		log.Logf(klog.Crit, "core", "cannot start: %v", err)
		_ = srv.Stop(context.Background())
		return nil, err
	}
	if o.Watch {
		s.watch(ctx, s.watched(cfg))
	}
	if o.Metrics != "" {
		if err := s.serveMetrics(); err != nil {
			log.Logf(klog.Crit, "core", "metrics: %v", err)
			cancel()
			_ = srv.Stop(context.Background())
			return nil, err
		}
		log.Logf(klog.Info, "core", "metrics on http://%s/metrics", s.maddr)
	}
	log.Logf(klog.Info, "core", "kamgo %s running %s", o.Version, o.File)
	return s, nil
}

// watch starts the file watch; a watch that cannot start is logged and
// kamgo runs without it.
func (s *Supervisor) watch(ctx context.Context, files []string) {
	log := s.o.Log
	w, err := watch.New(s.o.WatchDebounce, func(err error) { log.Logf(klog.Warn, "core", "watch: %v", err) })
	if err != nil {
		log.Logf(klog.Err, "core", "cannot watch files: %v", err)
		return
	}
	if err := w.SetFiles(files); err != nil {
		log.Logf(klog.Err, "core", "cannot watch files: %v", err)
		return
	}
	s.watcher = w
	go w.Run(ctx, func() {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	})
}

// Server returns the running server.
func (s *Supervisor) Server() *server.Server { return s.srv }

// MetricsAddr returns the address the metrics endpoint listens on, or nil
// without one.
func (s *Supervisor) MetricsAddr() net.Addr { return s.maddr }

// Serve reloads on SIGHUP and file changes until a stop signal, the end of
// ctx or a module's abort, then stops the modules and the metrics
// endpoint. It returns nil after a requested stop, and an error (already
// logged) when a module aborted or the modules did not stop cleanly.
func (s *Supervisor) Serve(ctx context.Context) error {
	log := s.o.Log
	for {
		select {
		case sig := <-s.o.Signals:
			if sig == syscall.SIGHUP {
				s.reload("SIGHUP")
				continue
			}
			log.Logf(klog.Info, "core", "%v received, stopping", sig)
			return s.stop(nil)
		case <-s.changed:
			if files := s.reload("file changed"); len(files) > 0 {
				if err := s.watcher.SetFiles(files); err != nil {
					log.Logf(klog.Warn, "core", "watch: %v", err)
				}
			}
		case reason := <-s.srv.Aborted():
			// The server has logged the reason.
			return s.stop(fmt.Errorf("aborted: %s", reason))
		case <-ctx.Done():
			log.Logf(klog.Info, "core", "%v, stopping", context.Cause(ctx))
			return s.stop(nil)
		}
	}
}

// stop stops the watch, the modules and the metrics endpoint, and returns
// cause or the modules' stop error.
func (s *Supervisor) stop(cause error) error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), s.o.StopTimeout)
	err := s.srv.StopSIP(ctx)
	if merr := s.srv.Stop(ctx); err == nil {
		err = merr
	}
	cancel()
	if s.metrics != nil {
		_ = s.metrics.Close()
	}
	if err != nil {
		s.o.Log.Logf(klog.Err, "core", "stop: %v", err)
		if cause == nil {
			cause = err
		}
	}
	return cause
}
