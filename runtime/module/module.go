// Package module owns kamgo's plug-in API: how a module registers itself,
// what it exports (parameters, functions, pseudo-variable classes,
// transformations, event routes) and the lifecycle the server drives
// (set params, provision, start, stop). A module is named as Kamailio names
// it, so `loadmodule "evapi.so"` finds the registered "evapi".
package module

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Info describes a registered module. New returns a fresh instance with
// default parameters and no side effects.
type Info struct {
	Name string
	New  func() Module
}

// Module is a kamgo module instance.
type Module interface {
	ModuleInfo() Info
}

// Registry is a set of modules by name. Default holds the modules kamgo
// ships (each registers itself from init); tests that need a module of
// their own make a registry with NewRegistry instead of adding to Default.
type Registry struct {
	mu   sync.RWMutex
	mods map[string]Info
	gen  int // incremented by each Register

	joinMu   sync.Mutex
	joinGen  int
	cat      *catalog.Catalog
	problems []string
	releases map[string]joinedRelease // CatalogFor's joins
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{mods: map[string]Info{}} }

// Default is the registry of the modules kamgo ships.
var Default = NewRegistry()

// Register adds a module to the registry. It panics on a duplicate name:
// that is a programming error, not user input.
func (r *Registry) Register(m Module) {
	info := m.ModuleInfo()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.mods[info.Name]; dup {
		panic(fmt.Sprintf("module %q registered twice", info.Name))
	}
	r.mods[info.Name] = info
	r.gen++
}

// Lookup returns a registered module by name.
func (r *Registry) Lookup(name string) (Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	i, ok := r.mods[name]
	return i, ok
}

// Registered returns the names of all registered modules, sorted.
func (r *Registry) Registered() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.mods))
	for n := range r.mods {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Register adds a module to Default. Call it from init.
func Register(m Module) { Default.Register(m) }

// Lookup returns a module of Default by name.
func Lookup(name string) (Info, bool) { return Default.Lookup(name) }

// Registered returns the names of the modules of Default, sorted.
func Registered() []string { return Default.Registered() }

// ParamType is the type a module parameter accepts.
type ParamType uint8

// Parameter types, as modparam values: an int literal or a string.
const (
	ParamInt ParamType = 1 << iota
	ParamStr
	ParamAny = ParamInt | ParamStr
)

// Param declares a module parameter. Multi parameters may be set more than
// once (each modparam adds a value). Ext is empty for a parameter Kamailio
// 5.6 exports; otherwise it says where the parameter comes from: a newer
// Kamailio release ("Kamailio 5.7") or kamgo itself ("kamgo"). The catalog
// join (Catalog) checks that only Ext parameters are missing from the
// catalog.
type Param struct {
	Name    string
	Type    ParamType
	Default value.Value
	Multi   bool
	Ext     string
}

// Takes reports whether the function takes n arguments.
func (f *Func) Takes(n int) bool {
	if f.Arities != nil {
		return slices.Contains(f.Arities, n)
	}
	return n >= f.MinArgs && (f.MaxArgs < 0 || n <= f.MaxArgs)
}

// Call is a compiled module function call. It returns a Kamailio return
// code: >0 true, <0 false, 0 ends the script.
type Call func(c *event.Context) int

// Func declares a module function. MaxArgs -1 means any number; Arities,
// when set, lists the argument counts instead, for a function whose forms
// are not a range (t_relay takes 0 or 2). One Func per name: its Compile
// sees the call's arguments. Compile runs once per call site at load time.
// The route types a function may run in are the catalog's (Kamailio's
// export table), not declared here; a function Kamailio 5.6 does not
// export sets Ext (as Param.Ext does) and Routes.
type Func struct {
	Name             string
	MinArgs, MaxArgs int
	Arities          []int
	Compile          func(h Host, args []*Arg) (Call, error)
	Ext              string
	Routes           routetype.Mask // only with Ext
}

// Exports is what a module offers to configurations. It is static: the
// checker reads it without starting the module.
type Exports struct {
	Params  []Param
	Funcs   []Func
	Classes []*pv.Class
	Trans   []*pv.TransClass
	Events  []string // event_route names the module raises
}

// Exporter is implemented by modules that export anything.
type Exporter interface {
	Exports() Exports
}

// ParamSetter receives modparam values, once per modparam statement, before
// Provision.
type ParamSetter interface {
	SetParam(name string, v value.Value) error
}

// Provisioner validates parameters and prepares the module once all
// modparams are set. It must not open sockets or start goroutines.
type Provisioner interface {
	Provision(h Host) error
}

// Starter is implemented by modules that run something (listeners,
// timers). Start must return once the module serves; Stop must return once
// it has stopped.
type Starter interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// MetricsWriter is implemented by modules that export counters, in the
// Prometheus text format.
type MetricsWriter interface {
	WriteMetrics(w io.Writer) error
}

// Host is what a module sees of the server: logging, the pseudo-variable
// table, event dispatch into the current configuration, and other loaded
// modules.
type Host interface {
	// Log returns the server's logger. A line a module prints through it
	// while its goroutine handles a SIP message carries that message's
	// log_prefix, as in Kamailio; the module needs no event to print it.
	Log() *klog.Logger
	PV() *pv.Table
	// CompilePV compiles a pseudo-variable written as text ("$var(x)").
	CompilePV(text string, r diag.Range) (*pv.Ref, error)
	// CompileFormat compiles a format string ("id=$var(x)\n").
	CompileFormat(text string, r diag.Range) (*pv.Format, error)
	// Has reports whether the current configuration defines the route
	// block t names.
	Has(t event.Target) bool
	// Run runs the block t names, of the current configuration, on c
	// (c.Worker must be set) and returns the route's return code; ok is
	// false when there is no such block. Events, t_continue and
	// route_if_exists all run routes this way.
	Run(c *event.Context, t event.Target) (rc int, ok bool)
	// Workers is the core's pool of workers (the `children` core
	// parameter: Kamailio's SIP worker processes). Events a module raises
	// for the core's listeners run on one of them.
	Workers() *event.Pool
	// Module returns another loaded module instance by name.
	Module(name string) (Module, bool)
	// CoreParam returns a core parameter's value.
	CoreParam(name string) (value.Value, bool)
}

// Aborter is implemented by hosts that can stop the whole server from
// inside an event, as Kamailio's abort() ends its process and with it the
// server (cfgutils' abort). runtime/server's host implements it.
type Aborter interface {
	Abort(reason string)
}

// Arg is one argument at a call site, as written, with its generic
// evaluator compiled by the interpreter.
type Arg struct {
	Expr ast.Expr
	Eval func(c *event.Context) value.Value
	// Fix is the configuration the call is compiled in, for the work
	// Kamailio's fixups do once at startup; nil when the call is compiled
	// alone.
	Fix Fixups
}

// Fixups is what a function's compilation may ask of the configuration
// it is compiled in (Arg.Fix).
type Fixups interface {
	// StaticHost files a host written in the function's arguments, to be
	// resolved once before the configuration serves SIP, as Kamailio's
	// fixups resolve theirs (mk_proxy). The returned function gives its
	// address once resolved.
	StaticHost(h StaticHost) func() (netip.AddrPort, bool)
}

// StaticHost is a host a function's fixup resolves, and how a host that
// does not resolve refuses the configuration.
type StaticHost struct {
	Host string
	Port int // 0 when not written
	// Proto is the transport the lookup is for (an SRV record's),
	// sipmsg.ProtoNone for UDP's.
	Proto int
	// Origin logs Refusal at ERROR when the host does not resolve, and
	// the fixup fails with Code.
	Origin, Refusal string
	Code            int
}

// Literal returns the argument's value when it is a string literal.
func (a *Arg) Literal() (string, bool) {
	if s, ok := a.Expr.(*ast.StrLit); ok {
		return s.Value, true
	}
	return "", false
}

// IntLiteral returns the argument's value when it is an integer literal.
func (a *Arg) IntLiteral() (int64, bool) {
	if n, ok := a.Expr.(*ast.IntLit); ok {
		return n.Value, true
	}
	return 0, false
}

// StrFunc evaluates an argument to a string.
type StrFunc func(c *event.Context) string

// Str compiles the argument the way Kamailio's string fixups do: a string
// literal is a format string whose pseudo-variables are expanded per call;
// anything else is evaluated and converted to a string.
func (a *Arg) Str(h Host) (StrFunc, error) {
	if s, ok := a.Expr.(*ast.StrLit); ok {
		f, err := h.CompileFormat(s.Value, s.Rng)
		if err != nil {
			return nil, err
		}
		if f.Const {
			lit := f.String(nil)
			return func(*event.Context) string { return lit }, nil
		}
		return f.String, nil
	}
	eval := a.Eval
	return func(c *event.Context) string {
		v := eval(c)
		if v.K == value.Str {
			return v.S
		}
		if v.IsNull() {
			return ""
		}
		return v.String()
	}, nil
}

// PV compiles an argument that names a pseudo-variable, written either bare
// ($var(x)) or as a string ("$var(x)"), as output parameters are.
func (a *Arg) PV(h Host) (*pv.Ref, error) {
	switch e := a.Expr.(type) {
	case *ast.PVar:
		return h.PV().Compile(e)
	case *ast.StrLit:
		return h.CompilePV(e.Value, e.Rng)
	}
	return nil, fmt.Errorf("expected a pseudo-variable")
}

// OutPV compiles an output argument: it must name a writable
// pseudo-variable, as the fixups of functions that store a result require.
func (a *Arg) OutPV(h Host) (*pv.Ref, error) {
	r, err := a.PV(h)
	if err != nil {
		return nil, err
	}
	if !r.Writable() {
		return nil, fmt.Errorf("%s is read-only", r.Node.Text)
	}
	return r, nil
}

// IntFunc evaluates an integer argument; ok is false when the value is
// not an integer.
type IntFunc func(c *event.Context) (n int64, ok bool)

// NotInt logs the core's line for an integer parameter whose
// pseudo-variable holds no integer (Kamailio's get_int_fparam); what the
// function does then is its own.
func NotInt(c *event.Context) {
	if c.Log != nil {
		c.Log.Log(klog.Err, "core", "get_int_fparam(): Could not convert PV to int")
	}
}

// Int compiles an argument Kamailio fixes up as "int or pseudo-variable"
// (fixup_igp, fixup_var_int): a number, written bare or as a string, is
// fixed at load time; a pseudo-variable must hold an integer when the
// function runs (an AVP holding a string of digits converts, as
// get_int_fparam allows). Anything else is a load-time error.
func (a *Arg) Int(h Host) (IntFunc, error) {
	if n, ok := a.IntLiteral(); ok {
		return func(*event.Context) (int64, bool) { return n, true }, nil
	}
	var p *ast.PVar
	switch e := a.Expr.(type) {
	case *ast.PVar:
		p = e
	case *ast.StrLit:
		s := strings.TrimSpace(e.Value)
		if !strings.HasPrefix(s, "$") {
			n, ok := value.Str2Sint(s)
			if !ok {
				return nil, fmt.Errorf("%q is not an integer", e.Value)
			}
			return func(*event.Context) (int64, bool) { return n, true }, nil
		}
	default:
		eval := a.Eval
		return func(c *event.Context) (int64, bool) {
			v := eval(c)
			return v.I, v.K == value.Int || v.Num
		}, nil
	}
	r, err := a.PV(h)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = r.Node
	}
	avp := p.Class == "avp"
	return func(c *event.Context) (int64, bool) {
		v := r.Get(c)
		switch {
		case v.K == value.Int || v.Num:
			return v.I, true
		case avp && v.K == value.Str:
			return value.Str2Int(v.S)
		}
		return 0, false
	}, nil
}

// Strs compiles each argument with Str, for functions whose arguments are
// all strings.
func Strs(h Host, args ...*Arg) ([]StrFunc, error) {
	out := make([]StrFunc, len(args))
	for i, a := range args {
		f, err := a.Str(h)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}
