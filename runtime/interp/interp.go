package interp

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
)

// Defaults of the core limits.
const (
	DefaultMaxWhileLoops     = 100 // core param max_while_loops
	DefaultMaxRecursiveLevel = 256 // core param max_recursive_level
)

// Env is what a configuration is compiled against.
type Env struct {
	// Table resolves pseudo-variables (module classes plus core ones; see
	// AddCoreClasses).
	Table *pv.Table
	// Host is passed to module.Func.Compile.
	Host module.Host
	// Funcs are the functions of the loaded modules, by name.
	Funcs map[string]*module.Func
	// Missing holds the functions of loaded modules that the catalog
	// knows and kamgo does not implement, by name. A call to one is a
	// load error naming it, or, when Allowed, a logged no-op returning 1.
	Missing map[string]Missing
	// MaxWhileLoops bounds each while loop (0: DefaultMaxWhileLoops;
	// negative: unbounded, as max_while_loops=0 is in Kamailio).
	MaxWhileLoops int
	// MaxRecursiveLevel bounds nested blocks and route calls (0: default).
	MaxRecursiveLevel int
}

// Missing is a catalogued function kamgo does not run.
type Missing struct {
	Module  string
	Allowed bool // --allow-missing named the module
}

// Program is a compiled configuration. It is immutable after Compile and
// safe for concurrent use by many workers, each with its own Context.
type Program struct {
	routes   map[ast.Slot]*route
	maxWhile int
	maxRec   int
	flags    map[string]int
	// hosts are the forward() destinations written as hosts, in the
	// order Kamailio resolves them (statichost.go).
	hosts []*StaticHost
}

// Run flags, as Kamailio's run_flags.
const (
	exitF   uint8 = 1 << iota // exit, drop, return 0, function rc 0
	returnF                   // return
	breakF                    // break
	dropF                     // drop
)

// exec is the state of one top-level run: control flags, the nesting
// level and the route stack for backtraces. execs are pooled.
type exec struct {
	c     *event.Context
	p     *Program
	flags uint8
	lev   int
	stack []*route
}

var execPool = sync.Pool{New: func() any { return &exec{stack: make([]*route, 0, 16)} }}

// execKey stores the running exec in the Context so that expression
// closures, which only see the Context, can reach it.
var execKey = event.NewKey()

func execOf(c *event.Context) *exec {
	if c == nil {
		return nil
	}
	x, _ := c.Get(execKey).(*exec)
	return x
}

// RouteName is the name Kamailio gives the route block running on c (the
// innermost one): the name in brackets, "DEFAULT" for an unnamed block;
// ok is false outside a route.
func RouteName(c *event.Context) (name string, ok bool) {
	x := execOf(c)
	if x == nil || len(x.stack) == 0 {
		return "", false
	}
	return x.stack[len(x.stack)-1].name, true
}

// backtrace renders the route stack, innermost first.
func (x *exec) backtrace() string {
	if x == nil || len(x.stack) == 0 {
		return ""
	}
	parts := make([]string, 0, len(x.stack))
	for i := len(x.stack) - 1; i >= 0; i-- {
		parts = append(parts, x.stack[i].title)
	}
	return strings.Join(parts, " <- ")
}

// run executes r as a top-level route on c.
func (p *Program) run(c *event.Context, r *route, rt routetype.Mask) int {
	x := execPool.Get().(*exec)
	x.c, x.p, x.flags, x.lev, x.stack = c, p, 0, 0, x.stack[:0]
	prev := c.Get(execKey)
	c.Set(execKey, x)
	c.Route = rt
	c.RC = 0
	x.stack = append(x.stack, r)
	ret := runActions(x, r.body)
	if x.flags&dropF != 0 {
		c.Dropped = true
	}
	c.Set(execKey, prev)
	x.c, x.p = nil, nil
	execPool.Put(x)
	return ret
}

// block returns the route block t names, or nil.
func (p *Program) block(t event.Target) *route {
	return p.routes[ast.SlotOf(t.Kind, t.Name)]
}

// Has reports whether the program defines the block t names.
func (p *Program) Has(t event.Target) bool { return p.block(t) != nil }

// Run runs the block t names on c, with t's route type, and returns its
// return code; ok is false when there is no such block. Every route kind
// is dispatched here: request, reply, onsend, and the named kinds.
func (p *Program) Run(c *event.Context, t event.Target) (rc int, ok bool) {
	r := p.block(t)
	if r == nil {
		return 0, false
	}
	if t.Kind == ast.Event {
		c.Event = t.Name
	}
	return p.run(c, r, t.RouteType()), true
}

// Routes returns the titles of all route blocks ("route[A]",
// "event_route[evapi:message-received]", "request_route"), sorted. Blocks
// Kamailio joins into one route are listed once, by the first one's title.
func (p *Program) Routes() []string {
	out := make([]string, 0, len(p.routes))
	for _, r := range p.routes {
		out = append(out, r.title)
	}
	sort.Strings(out)
	return out
}

// Flag returns the bit of a flag declared with `flags NAME[:bit]`.
func (p *Program) Flag(name string) (int, bool) {
	b, ok := p.flags[name]
	return b, ok
}

// Compile compiles every route of cfg to closures. Nothing is run. cfg
// must be a checked tree (check.Analyze without errors): the interpreter
// does not repeat the checker's rules, and reports a mistake only check
// should see as CodeUnchecked. The returned diagnostics hold every problem
// found; the Program is nil when any of them is an error.
func Compile(cfg *ast.Config, env *Env) (*Program, diag.List) {
	if env == nil {
		env = &Env{}
	}
	if env.Table == nil {
		env.Table = pv.NewTable()
	}
	p := &Program{routes: map[ast.Slot]*route{}, flags: map[string]int{},
		maxWhile: env.MaxWhileLoops, maxRec: env.MaxRecursiveLevel}
	if p.maxWhile == 0 {
		p.maxWhile = DefaultMaxWhileLoops
	}
	if p.maxRec <= 0 {
		p.maxRec = DefaultMaxRecursiveLevel
	}
	cp := &compiler{env: env, prog: p}
	// Declarations first: routes (so calls can be resolved in any order)
	// and flags.
	var routes []*route
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.Flags:
			cp.declareFlags(n)
		case *ast.Route:
			if r := cp.addRoute(n); r != nil {
				routes = append(routes, r)
			}
		}
	}
	named := map[int]int{} // named routes per fixing table so far
	for _, r := range routes {
		cp.route = r
		first := r.nodes[0]
		cp.routeTable, cp.routeIndex = fixTable(first.Kind), 0
		if first.Name != "" {
			named[cp.routeTable]++
			cp.routeIndex = named[cp.routeTable]
		}
		for _, n := range r.nodes {
			if n.Body != nil {
				cp.follow = n.Body.Rng.End
				r.body = append(r.body, cp.stmts(n.Body.Stmts)...)
			}
		}
	}
	p.sortHosts()
	for _, f := range cp.fixups {
		f()
	}
	if cp.diags.HasErrors() {
		return nil, cp.diags
	}
	return p, cp.diags
}

// unchecked reports a mistake that lang/check reports under its own code:
// the tree did not go through check. detail says what was found.
func (cp *compiler) unchecked(r diag.Range, format string, args ...any) {
	d := cp.diags.Errorf(CodeUnchecked, r, "configuration was not checked")
	d.Detail = fmt.Sprintf(format, args...) + "; kamgo check reports it"
	if cp.route != nil {
		d.Context = cp.route.title
	}
}

// coreLog logs a core (non-script) line on c's logger, with the route
// backtrace appended for errors.
func coreLog(c *event.Context, lv klog.Level, format string, args ...any) {
	if c == nil || c.Log == nil || !c.Log.Enabled(lv) {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if lv <= klog.Err {
		if bt := execOf(c).backtrace(); bt != "" {
			msg += " [in " + bt + "]"
		}
	}
	c.Log.Log(lv, "core", msg)
}

// pos renders a range as Kamailio prints expression positions.
func pos(r diag.Range) string {
	return fmt.Sprintf("(%d,%d-%d,%d)", r.Start.Line, r.Start.Col, r.End.Line, r.End.Col)
}

// where renders a range as Kamailio prints action positions.
func where(r diag.Range) string {
	return fmt.Sprintf("%s:%d", r.File, r.Start.Line)
}
