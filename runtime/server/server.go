// Package server owns the lifecycle of a running configuration: it
// resolves every loadmodule to a registered kamgo module, applies core
// parameters and modparams (type-checked against the module's exports),
// builds the pseudo-variable table, provisions the modules, compiles the
// routes with runtime/interp, starts and stops the modules, and is the
// module.Host through which modules dispatch events into the current
// program.
//
// Reload rule: Reload compiles a new configuration against the SAME module
// instances and swaps the program atomically (events already running finish
// on the old program). It is refused, and the old program keeps running,
// when the new configuration changes anything modules were set up with: the
// ordered list of loadmodule names, any modparam (module, name or value),
// or the core parameters that are fixed at start (listen, children, mpath
// and the like — every core parameter except debug, log_prefix,
// max_while_loops and max_recursive_level). Such changes need a restart.
package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/value"
)

// Options configures Load.
type Options struct {
	// Log receives every line; nil means a logger writing nowhere.
	Log *klog.Logger
	// Registry supplies the modules; nil means module.Default.
	Registry *module.Registry
	// Catalog is the facts the configuration was checked against (a
	// release joined with Registry); nil means Registry.Catalog().
	Catalog *catalog.Catalog
	// AllowMissing lists modules that may be loaded although kamgo does
	// not implement them: their functions become logged no-ops returning
	// 1 and their modparams are ignored.
	AllowMissing []string
	// Version is the version core.version reports ("kamgo 0.1.0 ...").
	Version string
	// Listen adds listen addresses to the configuration's, as Kamailio's
	// -l; RunDir sets the runtime directory, as -Y (cmdline.go).
	Listen []string
	RunDir string
	// Now is the clock core.uptime reads; nil means time.Now.
	Now func() time.Time
}

// Server is a loaded configuration with its module instances.
type Server struct {
	log     *klog.Logger
	opts    Options
	mods    []*loaded
	byName  map[string]*loaded
	table   *pv.Table
	funcs   map[string]*module.Func
	missing map[string]interp.Missing
	sig     string

	core   atomic.Pointer[map[string]value.Value]
	events atomic.Pointer[map[string]bool]
	prog   atomic.Pointer[interp.Program]
	prefix atomic.Pointer[pv.Format] // log_prefix (logprefix.go)
	// prefixEach is log_prefix_mode=1: the prefix is expanded again
	// before and after every action (logprefix.go).
	prefixEach atomic.Bool
	kemi       atomic.Pointer[kemiState] // cfgengine's engine (kemi.go)
	mu         sync.Mutex                // serialises Reload, Start, Stop
	start      []module.Starter
	ctxs       sync.Pool
	host       *host
	// workers are the core's workers, `children` of them.
	workers *event.Pool
	// sipConf is the SIP transport's configuration; sip the transport
	// StartSIP started (sip.go).
	sipConf sip.Config
	sip     atomic.Pointer[sip.Transport]
	// rpc holds the RPC commands of the core and the modules (rpc.go).
	rpc *rpc.Registry
	// cfg holds the configuration groups (cfgvars.go), counters the
	// statistics (counters.go); both are made on first use.
	cfg          *cfgvars.Store
	cfgOnce      sync.Once
	counters     *counterSet
	countersOnce sync.Once
	defines      atomic.Pointer[[]Define] // the configuration's (rpc_ppdefines.go)
	loaded       time.Time                // when Load ran
	started      time.Time                // when Start first ran
	// aborted carries the reason of the first Abort.
	aborted   chan string
	abortOnce sync.Once
}

// DefaultChildren is the number of core workers without a `children` core
// parameter, as in Kamailio.
const DefaultChildren = 8

// Load resolves, configures, provisions and compiles cfg, which must be a
// checked tree (check.Analyze without errors): names Kamailio does not
// know are the checker's to report. Load reports what kamgo cannot run. It
// does not start the modules (see Start).
func Load(cfg *ast.Config, opts Options) (*Server, diag.List) {
	if opts.Log == nil {
		opts.Log = klog.New(nil, klog.Text)
	}
	if opts.Registry == nil {
		opts.Registry = module.Default
	}
	s := &Server{log: opts.Log, opts: opts, byName: map[string]*loaded{},
		funcs: map[string]*module.Func{}, missing: map[string]interp.Missing{}}
	s.host = &host{s: s}
	s.aborted = make(chan string, 1)
	s.ctxs.New = func() any { return &event.Context{} }
	var diags diag.List
	sc := scan(cfg)
	core := sc.core
	s.overrideCore(core)
	s.core.Store(&core)
	s.storeDefines(cfg)
	ev := sc.events
	s.events.Store(&ev)
	s.applyCore(core, &diags)
	s.sig = sc.signature()
	children := DefaultChildren
	if v, ok := core["children"]; ok && v.K == value.Int && v.I > 0 {
		children = int(v.I)
	}
	s.workers = event.NewPool(children, 1)
	s.sipConf = sipConfig(cfg, core, children, opts.Listen, opts.Log, &diags)

	// Resolution and parameter errors do not stop the load: the program
	// is still compiled so that one run lists everything kamgo cannot run.
	r := s.resolve(cfg, sc, &diags)
	s.applyModParams(sc.params, r, &diags)
	s.buildTable(r, &diags)
	s.compileLogPrefix(core, &diags)
	s.kemi.Store(s.selectKEMI(cfg, &diags))
	for _, l := range s.mods {
		if p, ok := l.inst.(module.Provisioner); ok {
			if err := p.Provision(s.host); err != nil {
				diags.Errorf(CodeProvision, diag.Range{}, "%s: %v", l.name, err)
				return nil, diags
			}
		}
	}
	s.loadCfg(cfg, &diags)
	s.registerCounters(&diags)
	s.loaded = s.now()
	s.registerRPC(&diags)
	prog, cd := interp.Compile(cfg, s.env(core))
	diags = append(diags, cd...)
	if prog == nil || diags.HasErrors() {
		return nil, diags
	}
	s.prog.Store(prog)
	return s, diags
}

func (s *Server) env(core map[string]value.Value) *interp.Env {
	e := &interp.Env{Table: s.table, Host: s.host, Funcs: s.funcs, Missing: s.missing}
	if v, ok := core["max_while_loops"]; ok {
		e.MaxWhileLoops = int(v.I)
		if v.I <= 0 {
			e.MaxWhileLoops = -1
		}
	}
	if v, ok := core["max_recursive_level"]; ok {
		e.MaxRecursiveLevel = int(v.I)
	}
	return e
}

// Start starts the modules that run something, in load order. When one
// fails, those already started are stopped again.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started.IsZero() {
		s.started = s.now()
	}
	for _, l := range s.mods {
		st, ok := l.inst.(module.Starter)
		if !ok {
			continue
		}
		if err := st.Start(ctx); err != nil {
			s.stopLocked(ctx)
			return fmt.Errorf("%s: start: %w", l.name, err)
		}
		s.start = append(s.start, st)
	}
	return nil
}

// Stop stops the started modules in reverse order and returns the first
// error.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked(ctx)
}

func (s *Server) stopLocked(ctx context.Context) error {
	var first error
	for i := len(s.start) - 1; i >= 0; i-- {
		if err := s.start[i].Stop(ctx); err != nil && first == nil {
			first = err
		}
	}
	s.start = nil
	return first
}

// Abort records that a module asked to stop the whole server (cfgutils'
// abort()). The first reason is delivered on Aborted; the server itself
// keeps running until its owner stops it.
func (s *Server) Abort(reason string) {
	s.abortOnce.Do(func() {
		s.log.Log(klog.Crit, "core", "stopping: "+reason)
		s.aborted <- reason
	})
}

// Aborted delivers the reason when a module asked to stop the server; the
// process running it should stop it and exit with a failure status.
func (s *Server) Aborted() <-chan string { return s.aborted }

// Workers returns the core's pool of workers.
func (s *Server) Workers() *event.Pool { return s.workers }

// Program returns the current program.
func (s *Server) Program() *interp.Program { return s.prog.Load() }

// Host returns the module.Host the modules see.
func (s *Server) Host() module.Host { return s.host }

// Log returns the server's logger.
func (s *Server) Log() *klog.Logger { return s.log }

// Module returns a loaded module instance.
func (s *Server) Module(name string) (module.Module, bool) {
	l := s.byName[name]
	if l == nil || l.inst == nil {
		return nil, false
	}
	return l.inst, true
}
