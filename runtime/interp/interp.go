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

// route is one compiled route block.
type route struct {
	title string
	kind  ast.RouteKind
	body  []action
	node  *ast.Route
}

// Program is a compiled configuration. It is immutable after Compile and
// safe for concurrent use by many workers, each with its own Context.
type Program struct {
	request  *route
	reply    *route
	named    map[string]*route
	failure  map[string]*route
	branch   map[string]*route
	onreply  map[string]*route
	onsend   *route
	events   map[string]*route
	maxWhile int
	maxRec   int
	flags    map[string]int
}

// Route kinds that carry a name map.
func (p *Program) table(k ast.RouteKind) map[string]*route {
	switch k {
	case ast.Named:
		return p.named
	case ast.Failure:
		return p.failure
	case ast.Branch:
		return p.branch
	case ast.OnReply:
		return p.onreply
	case ast.Event:
		return p.events
	}
	return nil
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
	stack []string
}

var execPool = sync.Pool{New: func() any { return &exec{stack: make([]string, 0, 16)} }}

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

// backtrace renders the route stack, innermost first.
func (x *exec) backtrace() string {
	if x == nil || len(x.stack) == 0 {
		return ""
	}
	parts := make([]string, 0, len(x.stack))
	for i := len(x.stack) - 1; i >= 0; i-- {
		parts = append(parts, x.stack[i])
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
	x.stack = append(x.stack, r.title)
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
	switch t.Kind {
	case ast.Request:
		return p.request
	case ast.Reply:
		return p.reply
	case ast.OnSend:
		return p.onsend
	}
	return p.table(t.Kind)[t.Name]
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
// "event_route[evapi:message-received]", "request_route"), sorted.
func (p *Program) Routes() []string {
	var out []string
	for _, m := range []map[string]*route{p.named, p.failure, p.branch, p.onreply, p.events} {
		for _, r := range m {
			out = append(out, r.title)
		}
	}
	for _, r := range []*route{p.request, p.reply, p.onsend} {
		if r != nil {
			out = append(out, r.title)
		}
	}
	sort.Strings(out)
	return out
}

// Flag returns the bit of a flag declared with `flags NAME[:bit]`.
func (p *Program) Flag(name string) (int, bool) {
	b, ok := p.flags[name]
	return b, ok
}

// Compile compiles every route of cfg to closures. Nothing is run. The
// returned diagnostics hold every problem found; the Program is nil when
// any of them is an error.
func Compile(cfg *ast.Config, env *Env) (*Program, diag.List) {
	if env == nil {
		env = &Env{}
	}
	if env.Table == nil {
		env.Table = pv.NewTable()
	}
	p := &Program{
		named: map[string]*route{}, failure: map[string]*route{}, branch: map[string]*route{},
		onreply: map[string]*route{}, events: map[string]*route{}, flags: map[string]int{},
		maxWhile: env.MaxWhileLoops, maxRec: env.MaxRecursiveLevel,
	}
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
			r := &route{title: n.Title(), kind: n.Kind, node: n}
			if !cp.addRoute(r) {
				continue
			}
			routes = append(routes, r)
		}
	}
	for _, r := range routes {
		cp.route = r
		if r.node.Body != nil {
			r.body = cp.stmts(r.node.Body.Stmts)
		}
	}
	for _, f := range cp.fixups {
		f()
	}
	if cp.diags.HasErrors() {
		return nil, cp.diags
	}
	return p, cp.diags
}

func (cp *compiler) addRoute(r *route) bool {
	n := r.node
	dup := func(old *route) bool {
		if old == nil {
			return false
		}
		d := cp.diags.Errorf(CodeDupRoute, n.NameRange, "%s is defined twice", r.title)
		d.Related = append(d.Related, diag.Related{Message: "first definition", Range: old.node.Rng})
		return true
	}
	switch n.Kind {
	case ast.Request:
		if n.Name != "" && n.Name != "0" && n.Name != "DEFAULT_ROUTE" {
			// route[NAME] written with the request keyword is still named.
			if dup(cp.prog.named[n.Name]) {
				return false
			}
			cp.prog.named[n.Name] = r
			return true
		}
		if dup(cp.prog.request) {
			return false
		}
		cp.prog.request = r
	case ast.Reply:
		if dup(cp.prog.reply) {
			return false
		}
		cp.prog.reply = r
	case ast.OnSend:
		if dup(cp.prog.onsend) {
			return false
		}
		cp.prog.onsend = r
	default:
		m := cp.prog.table(n.Kind)
		if dup(m[n.Name]) {
			return false
		}
		m[n.Name] = r
	}
	return true
}

func (cp *compiler) declareFlags(n *ast.Flags) {
	used := map[int]bool{}
	for _, b := range cp.prog.flags {
		used[b] = true
	}
	for _, f := range n.Flags {
		if _, dup := cp.prog.flags[f.Name]; dup {
			cp.diags.Errorf(CodeBadFlag, f.Rng, "flag %s declared twice", f.Name)
			continue
		}
		bit := f.Bit
		if bit < 0 {
			for bit = 0; bit <= maxFlag && used[bit]; bit++ {
			}
		}
		if bit > maxFlag {
			cp.diags.Errorf(CodeBadFlag, f.Rng, "flag %s: no free flag bit (0..%d)", f.Name, maxFlag)
			continue
		}
		used[bit] = true
		cp.prog.flags[f.Name] = bit
	}
}

// maxFlag is the highest message flag bit (Kamailio's MAX_FLAG).
const maxFlag = 31

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
