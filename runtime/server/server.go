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
	"io"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Diagnostic codes of this package (KC2100-KC2199; never reused).
const (
	CodeUnknownModule = "KC2101" // loadmodule names a module kamgo does not implement
	CodeUnknownParam  = "KC2102" // modparam names a parameter the module does not have
	CodeParamType     = "KC2103" // modparam value of the wrong type
	CodeNotLoaded     = "KC2104" // modparam for a module that is not loaded
	CodeParamRefused  = "KC2105" // the module refused a parameter value
	CodeProvision     = "KC2106" // the module failed to provision
	CodeReload        = "KC2107" // reload refused: needs a restart
	CodeCoreParam     = "KC2108" // bad core parameter value
	CodePVTable       = "KC2109" // two modules register the same class
)

// Codes maps each code of this package to a one-line title.
var Codes = map[string]string{
	CodeUnknownModule: "loadmodule names a module kamgo does not implement",
	CodeUnknownParam:  "modparam names a parameter the module does not have",
	CodeParamType:     "modparam value of the wrong type",
	CodeNotLoaded:     "modparam for a module that is not loaded",
	CodeParamRefused:  "the module refused a parameter value",
	CodeProvision:     "the module failed to provision",
	CodeReload:        "reload refused: the change needs a restart",
	CodeCoreParam:     "bad core parameter value",
	CodePVTable:       "two modules register the same pseudo-variable class",
}

// Options configures Load.
type Options struct {
	// Log receives every line; nil means a logger writing nowhere.
	Log *klog.Logger
	// AllowMissing lists modules that may be loaded although kamgo does
	// not implement them: their functions become logged no-ops returning
	// 1 and their modparams are ignored.
	AllowMissing []string
}

type loaded struct {
	name    string
	inst    module.Module
	exports module.Exports
	missing bool
}

// Server is a loaded configuration with its module instances.
type Server struct {
	log     *klog.Logger
	opts    Options
	mods    []*loaded
	byName  map[string]*loaded
	table   *pv.Table
	funcs   map[string]*module.Func
	missing map[string]string
	sig     string

	core   atomic.Pointer[map[string]value.Value]
	events atomic.Pointer[map[string]bool]
	prog   atomic.Pointer[interp.Program]
	prefix atomic.Pointer[pv.Format] // log_prefix with pseudo-variables
	mu     sync.Mutex                // serialises Reload, Start, Stop
	start  []module.Starter
	ctxs   sync.Pool
	host   *host
}

// Load resolves, configures, provisions and compiles cfg. It does not
// start the modules (see Start).
func Load(cfg *ast.Config, opts Options) (*Server, diag.List) {
	if opts.Log == nil {
		opts.Log = klog.New(nil, klog.Text)
	}
	s := &Server{log: opts.Log, opts: opts, byName: map[string]*loaded{},
		funcs: map[string]*module.Func{}, missing: map[string]string{}}
	s.host = &host{s: s}
	s.ctxs.New = func() any { return &event.Context{} }
	var diags diag.List
	sc := scan(cfg)
	core := sc.core
	s.core.Store(&core)
	ev := sc.events
	s.events.Store(&ev)
	s.applyCore(core, &diags)
	s.sig = sc.signature()

	allow := map[string]bool{}
	for _, m := range opts.AllowMissing {
		allow[m] = true
	}
	var missingUse []*ast.LoadModule
	for _, lm := range sc.loads {
		name := moduleName(lm.Path)
		if _, dup := s.byName[name]; dup {
			continue
		}
		info, ok := module.Lookup(name)
		if !ok {
			l := &loaded{name: name, missing: true}
			s.byName[name] = l
			s.mods = append(s.mods, l)
			if !allow[name] {
				missingUse = append(missingUse, lm)
			}
			continue
		}
		inst := info.New()
		l := &loaded{name: name, inst: inst}
		if ex, ok := inst.(module.Exporter); ok {
			l.exports = ex.Exports()
		}
		s.byName[name] = l
		s.mods = append(s.mods, l)
	}
	cat := catalog.Load()
	for _, l := range s.mods {
		if !l.missing {
			for i := range l.exports.Funcs {
				f := &l.exports.Funcs[i]
				if _, dup := s.funcs[f.Name]; !dup {
					s.funcs[f.Name] = f
				}
			}
			continue
		}
		if cm := catalogModule(cat, l.name); cm != nil {
			for _, f := range cm.Funcs {
				if _, impl := s.funcs[f.Name]; !impl {
					s.missing[f.Name] = l.name
				}
			}
		}
	}
	for _, lm := range missingUse {
		name := moduleName(lm.Path)
		d := diags.Errorf(CodeUnknownModule, lm.PathRange, "module %s is not implemented by kamgo", name)
		d.Detail = "kamgo implements: " + strings.Join(module.Registered(), ", ")
		for _, use := range usesOf(cfg, name, s.missing) {
			d.Related = append(d.Related, diag.Related{Message: use.Name + "() used here", Range: use.NameRange})
		}
	}
	s.applyModParams(sc.params, &diags)

	s.table = pv.NewTable()
	for _, l := range s.mods {
		for _, c := range l.exports.Classes {
			if err := s.table.AddClass(c); err != nil {
				diags.Errorf(CodePVTable, diag.Range{}, "%v", err)
			}
		}
		for _, t := range l.exports.Trans {
			if err := s.table.AddTrans(t); err != nil {
				diags.Errorf(CodePVTable, diag.Range{}, "%v", err)
			}
		}
	}
	interp.AddCoreClasses(s.table)
	s.compileLogPrefix(core, &diags)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, l := range s.mods {
		if p, ok := l.inst.(module.Provisioner); ok {
			if err := p.Provision(s.host); err != nil {
				diags.Errorf(CodeProvision, diag.Range{}, "%s: %v", l.name, err)
				return nil, diags
			}
		}
	}
	prog, cd := interp.Compile(cfg, s.env(core))
	diags = append(diags, cd...)
	if prog == nil || diags.HasErrors() {
		return nil, diags
	}
	s.prog.Store(prog)
	return s, diags
}

// catalogModule finds a module in the catalog by the name loadmodule uses.
func catalogModule(cat *catalog.Catalog, name string) *catalog.Module {
	if cat == nil {
		return nil
	}
	if m := cat.ModuleByFile(name); m != nil {
		return m
	}
	return cat.Module(name)
}

// usesOf returns the calls in cfg of functions that belong to module mod.
func usesOf(cfg *ast.Config, mod string, owner map[string]string) []*ast.Call {
	var out []*ast.Call
	for _, it := range cfg.Items {
		ast.Inspect(it, func(n ast.Node) bool {
			if c, ok := n.(*ast.Call); ok && owner[c.Name] == mod {
				out = append(out, c)
			}
			return true
		})
	}
	return out
}

// moduleName maps "evapi.so", "/path/evapi.so" and "evapi" to "evapi".
func moduleName(p string) string {
	return strings.TrimSuffix(path.Base(p), ".so")
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

// reloadable are the core parameters a reload may change.
var reloadable = map[string]bool{"debug": true, "log_prefix": true, "max_while_loops": true, "max_recursive_level": true}

func (s *Server) applyCore(core map[string]value.Value, diags *diag.List) {
	if v, ok := core["debug"]; ok {
		if v.K != value.Int {
			diags.Errorf(CodeCoreParam, diag.Range{}, "debug must be an integer")
		} else {
			s.log.SetThreshold(klog.Level(v.I))
		}
	}
	if s.table != nil {
		s.compileLogPrefix(core, diags)
	}
}

// compileLogPrefix applies log_prefix: static text goes to the logger; a
// prefix with pseudo-variables is compiled once and expanded per event for
// script log lines, as Kamailio expands it per message.
func (s *Server) compileLogPrefix(core map[string]value.Value, diags *diag.List) {
	v, ok := core["log_prefix"]
	if !ok {
		s.log.SetPrefix("")
		s.prefix.Store(nil)
		return
	}
	text := value.ToStr(v)
	f, err := s.host.CompileFormat(text, diag.Range{})
	if err != nil {
		diags.Errorf(CodeCoreParam, diag.Range{}, "log_prefix %q: %v", text, err)
		return
	}
	if f.Const {
		s.log.SetPrefix(text)
		s.prefix.Store(nil)
		return
	}
	s.log.SetPrefix("")
	s.prefix.Store(f)
}

func (s *Server) applyModParams(params []*ast.ModParam, diags *diag.List) {
	for _, mp := range params {
		l := s.byName[mp.Module]
		if l == nil {
			diags.Errorf(CodeNotLoaded, mp.ModuleRange, "modparam for module %s, which is not loaded", mp.Module)
			continue
		}
		if l.missing {
			continue
		}
		var v value.Value
		var t module.ParamType
		switch e := mp.Value.(type) {
		case *ast.IntLit:
			v, t = value.MakeInt(e.Value), module.ParamInt
		case *ast.StrLit:
			v, t = value.MakeStr(e.Value), module.ParamStr
		default:
			diags.Errorf(CodeParamType, mp.Rng, "modparam value must be an integer or a string")
			continue
		}
		var decl *module.Param
		names := make([]string, 0, len(l.exports.Params))
		for i := range l.exports.Params {
			p := &l.exports.Params[i]
			names = append(names, p.Name)
			if p.Name == mp.Param {
				decl = p
			}
		}
		if decl == nil {
			d := diags.Errorf(CodeUnknownParam, mp.ParamRange, "parameter <%s> not found in module <%s>", mp.Param, mp.Module)
			if sg := diag.Suggest(mp.Param, names); sg != "" {
				d.Detail = "did you mean " + sg + "?"
			}
			continue
		}
		if decl.Type&t == 0 {
			tn := "int"
			if t == module.ParamStr {
				tn = "string"
			}
			diags.Errorf(CodeParamType, mp.ParamRange, "parameter <%s> of module <%s> does not take a %s value", mp.Param, mp.Module, tn)
			continue
		}
		ps, ok := l.inst.(module.ParamSetter)
		if !ok {
			diags.Errorf(CodeParamRefused, mp.Rng, "module %s takes no parameters", mp.Module)
			continue
		}
		if err := ps.SetParam(mp.Param, v); err != nil {
			diags.Errorf(CodeParamRefused, mp.Rng, "%s: %v", mp.Module, err)
		}
	}
}

// scanned is what the loader needs from a configuration besides routes.
type scanned struct {
	core   map[string]value.Value
	loads  []*ast.LoadModule
	paths  []string
	params []*ast.ModParam
	events map[string]bool
}

func scan(cfg *ast.Config) *scanned {
	sc := &scanned{core: map[string]value.Value{}, events: map[string]bool{}}
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.CoreParam:
			if len(n.Values) > 0 {
				sc.core[n.Name] = coreValue(n.Values[0])
			} else {
				sc.core[n.Name] = value.NullValue
			}
		case *ast.LoadPath:
			sc.paths = append(sc.paths, n.Path)
		case *ast.LoadModule:
			sc.loads = append(sc.loads, n)
		case *ast.ModParam:
			sc.params = append(sc.params, n)
		case *ast.Route:
			if n.Kind == ast.Event {
				sc.events[n.Name] = true
			}
		}
	}
	return sc
}

func coreValue(v ast.Value) value.Value {
	if v.Kind == ast.ValInt {
		return value.MakeInt(v.Int)
	}
	return value.MakeStr(v.Text)
}

// signature renders everything a reload must not change.
func (sc *scanned) signature() string {
	var b strings.Builder
	for _, l := range sc.loads {
		fmt.Fprintf(&b, "loadmodule %s\n", moduleName(l.Path))
	}
	for _, p := range sc.params {
		fmt.Fprintf(&b, "modparam %s %s %s\n", p.Module, p.Param, exprText(p.Value))
	}
	var names []string
	for k := range sc.core {
		if !reloadable[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		v := sc.core[k]
		fmt.Fprintf(&b, "core %s %d %q\n", k, v.K, value.ToStr(v))
	}
	return b.String()
}

func exprText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.IntLit:
		return fmt.Sprintf("int:%d", e.Value)
	case *ast.StrLit:
		return fmt.Sprintf("str:%q", e.Value)
	case *ast.PVar:
		return "pv:" + e.Text
	}
	return "?"
}

// Reload compiles cfg against the running modules and swaps it in. When
// cfg changes the module set, a modparam or a start-time core parameter,
// or does not compile, nothing changes and the diagnostics say why.
func (s *Server) Reload(cfg *ast.Config) diag.List {
	s.mu.Lock()
	defer s.mu.Unlock()
	var diags diag.List
	sc := scan(cfg)
	if sig := sc.signature(); sig != s.sig {
		at := diag.Range{}
		if len(cfg.Files) > 0 {
			at.File = cfg.Files[0]
		}
		d := diags.Errorf(CodeReload, at, "configuration changes need a restart; the running configuration is kept")
		d.Detail = "changed: " + diffLines(s.sig, sig)
		return diags
	}
	prog, cd := interp.Compile(cfg, s.env(sc.core))
	diags = append(diags, cd...)
	if prog == nil || diags.HasErrors() {
		return diags
	}
	core := sc.core
	s.applyCore(core, &diags)
	s.core.Store(&core)
	ev := sc.events
	s.events.Store(&ev)
	s.prog.Store(prog)
	return diags
}

// diffLines names the lines present in only one of a and b.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			if l != "" {
				m[l] = true
			}
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for l := range ma {
		if !mb[l] {
			out = append(out, "-"+l)
		}
	}
	for l := range mb {
		if !ma[l] {
			out = append(out, "+"+l)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "the order of loadmodule or modparam statements"
	}
	return strings.Join(out, "; ")
}

// Start starts the modules that run something, in load order. When one
// fails, those already started are stopped again.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
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

// AcquireContext returns a reset Context for one event on worker w, from
// a pool; give it back with ReleaseContext once the event is done.
func (s *Server) AcquireContext(w *event.Worker) *event.Context {
	c := s.ctxs.Get().(*event.Context)
	c.Reset()
	c.Worker = w
	c.Log = s.log
	return c
}

// ReleaseContext returns c to the pool.
func (s *Server) ReleaseContext(c *event.Context) {
	c.Reset()
	c.Worker = nil
	s.ctxs.Put(c)
}

// Dispatch runs event_route[event] on worker w with a pooled Context that
// init prepares (module data such as the received message).
func (s *Server) Dispatch(event string, w *event.Worker, init func(*event.Context)) (rc int, ok bool) {
	c := s.AcquireContext(w)
	if init != nil {
		init(c)
	}
	rc, ok = s.host.RunEvent(c, event)
	s.ReleaseContext(c)
	return rc, ok
}

// host is the module.Host implementation.
type host struct{ s *Server }

var (
	_ module.Host         = (*host)(nil)
	_ module.RouteChecker = (*host)(nil)
)

func (h *host) Log() *klog.Logger { return h.s.log }
func (h *host) PV() *pv.Table     { return h.s.table }

func (h *host) CompilePV(text string, r diag.Range) (*pv.Ref, error) {
	p, d := pvsyntax.ParsePV(text, r)
	if d != nil {
		return nil, d
	}
	return h.s.table.Compile(p)
}

func (h *host) CompileFormat(text string, r diag.Range) (*pv.Format, error) {
	f, l := pvsyntax.ParseFormat(text, r)
	if l.HasErrors() {
		return nil, l
	}
	return h.s.table.CompileFormat(f)
}

func (h *host) HasEvent(name string) bool {
	if p := h.s.prog.Load(); p != nil {
		return p.HasEvent(name)
	}
	return (*h.s.events.Load())[name]
}

func (h *host) RunEvent(c *event.Context, name string) (int, bool) {
	p := h.s.prog.Load()
	if p == nil {
		return 0, false
	}
	if c.Log == nil {
		c.Log = h.s.log
	}
	if f := h.s.prefix.Load(); f != nil {
		c.LogPrefix = f.String(c)
	}
	return p.RunEvent(c, name)
}

func (h *host) HasRoute(name string) bool {
	if p := h.s.prog.Load(); p != nil {
		return p.HasRoute(name)
	}
	return false
}

func (h *host) RunRoute(c *event.Context, name string, rt routetype.Mask) (int, bool) {
	p := h.s.prog.Load()
	if p == nil {
		return 0, false
	}
	if c.Log == nil {
		c.Log = h.s.log
	}
	if f := h.s.prefix.Load(); f != nil {
		c.LogPrefix = f.String(c)
	}
	return p.RunRoute(c, name, rt)
}

func (h *host) Module(name string) (module.Module, bool) { return h.s.Module(name) }

func (h *host) CoreParam(name string) (value.Value, bool) {
	v, ok := (*h.s.core.Load())[name]
	return v, ok
}

// WriteMetrics writes the counters of every loaded module that exports
// any, in the Prometheus text format.
func (s *Server) WriteMetrics(w io.Writer) error {
	for _, l := range s.mods {
		if m, ok := l.inst.(module.MetricsWriter); ok {
			if err := m.WriteMetrics(w); err != nil {
				return err
			}
		}
	}
	return nil
}
