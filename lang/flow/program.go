package flow

import (
	"regexp"
	"sort"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// CallKind tells how a route names another.
type CallKind uint8

// Call kinds.
const (
	CallRoute    CallKind = iota // route(NAME): runs NAME now and comes back
	CallDynamic                  // route(expr): a name computed at run time
	CallArm                      // t_on_failure, t_on_reply, t_on_branch, t_on_branch_failure
	CallContinue                 // t_continue: resumes a suspended transaction in NAME
)

// Call is one place where a route names another route.
type Call struct {
	Kind CallKind
	From *ast.Route
	// Name is the route named; for an event route armed by
	// t_on_branch_failure, the whole event name (tm:branch-failure:NAME).
	// Empty when the name is computed at run time.
	Name string
	// RouteKind is the kind of block named.
	RouteKind ast.RouteKind
	// Pattern matches every name a computed name may take (literal parts
	// kept, pseudo-variables as .*); nil for constant names.
	Pattern *regexp.Regexp
	// Target is the block named, nil when it is not defined or the name is
	// computed.
	Target *ast.Route
	// Node is the *ast.RouteCall or *ast.Call; Arg the argument naming the
	// route (nil for route()).
	Node ast.Node
	Arg  ast.Expr
	// Stmt is the statement holding the call (nil in a condition's
	// sub-expression is never the case: a condition's statement is its
	// if, while or switch).
	Stmt ast.Stmt
}

// Key identifies a route block: its kind and name. The main request route
// has kind Request and name "".
type Key struct {
	Kind ast.RouteKind
	Name string
}

// KeyOf returns the key of a route block as Kamailio files it: route[0]
// and route {} are the main request route.
func KeyOf(r *ast.Route) Key {
	if r.Kind == ast.Named && (r.Name == "0" || r.Name == "") {
		return Key{ast.Request, ""}
	}
	if r.Kind == ast.Request {
		return Key{ast.Request, ""}
	}
	return Key{r.Kind, r.Name}
}

// Program is the control flow of a whole configuration: every route block,
// its graph, and the calls between blocks.
type Program struct {
	Routes []*ast.Route
	Graphs map[*ast.Route]*Graph
	Out    map[*ast.Route][]*Call
	In     map[*ast.Route][]*Call
	Calls  []*Call // every call, in source order

	byKey  map[Key]*ast.Route
	stops  map[*ast.Route]bool
	reach  map[*ast.Route][]bool
	stmtOf map[ast.Node]ast.Stmt
	entry  map[*ast.Route][]*ast.Route
}

// branchFailurePrefix starts the event route t_on_branch_failure arms; the
// catalog's fixup facts give the route arguments of the other t_on_*
// functions and of t_continue.
const branchFailurePrefix = "tm:branch-failure:"

// New builds the program of cfg. cat supplies which function arguments
// name routes (nil: catalog.Load()).
func New(cfg *ast.Config, cat *catalog.Catalog) *Program {
	if cat == nil {
		cat = catalog.Load()
	}
	p := &Program{Graphs: map[*ast.Route]*Graph{}, Out: map[*ast.Route][]*Call{}, In: map[*ast.Route][]*Call{},
		byKey: map[Key]*ast.Route{}, stmtOf: map[ast.Node]ast.Stmt{}}
	for _, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok {
			continue
		}
		p.Routes = append(p.Routes, r)
		k := KeyOf(r)
		if _, dup := p.byKey[k]; !dup || k.Kind == ast.Request {
			// Kamailio keeps the last main request route and refuses
			// other duplicates.
			p.byKey[k] = r
		}
	}
	for _, r := range p.Routes {
		p.Graphs[r] = Build(r)
		p.collect(r, cat)
	}
	for _, c := range p.Calls {
		if c.Name != "" {
			c.Target = p.byKey[Key{c.RouteKind, c.Name}]
			if c.RouteKind == ast.Named && c.Target == nil && c.Name == "0" {
				c.Target = p.byKey[Key{ast.Request, ""}]
			}
		}
		p.Out[c.From] = append(p.Out[c.From], c)
		if c.Target != nil {
			p.In[c.Target] = append(p.In[c.Target], c)
		}
	}
	p.computeStops()
	return p
}

// Route returns the block of a kind and name, or nil.
func (p *Program) Route(kind ast.RouteKind, name string) *ast.Route {
	if kind == ast.Named && (name == "0" || name == "") {
		kind, name = ast.Request, ""
	}
	return p.byKey[Key{kind, name}]
}

// StmtOf returns the statement holding a node of an expression (a call, a
// pseudo-variable), as collected while building; nil when unknown.
func (p *Program) StmtOf(n ast.Node) ast.Stmt { return p.stmtOf[n] }

// collect records the calls of one route and which statement holds each
// node of interest.
func (p *Program) collect(r *ast.Route, cat *catalog.Catalog) {
	g := p.Graphs[r]
	for _, n := range g.Nodes {
		var roots []ast.Node
		switch s := n.Stmt.(type) {
		case nil:
			continue
		case *ast.If:
			roots = append(roots, s.Cond)
		case *ast.While:
			roots = append(roots, s.Cond)
		case *ast.Switch:
			roots = append(roots, s.Tag)
			for _, c := range s.Cases {
				if c.Value != nil {
					roots = append(roots, c.Value)
				}
			}
		default:
			roots = append(roots, s)
		}
		for _, root := range roots {
			if root == nil {
				continue
			}
			stmt := n.Stmt
			ast.Inspect(root, func(x ast.Node) bool {
				switch x := x.(type) {
				case *ast.RouteCall:
					p.stmtOf[x] = stmt
					c := &Call{Kind: CallRoute, From: r, Name: x.Name, RouteKind: ast.Named, Node: x, Stmt: stmt}
					if x.Dyn != nil {
						c.Kind, c.Name, c.Pattern = CallDynamic, "", exprPattern(x.Dyn)
					}
					p.Calls = append(p.Calls, c)
				case *ast.Call:
					p.stmtOf[x] = stmt
					p.routeArgs(r, x, stmt, cat)
				case *ast.PVar:
					p.stmtOf[x] = stmt
				}
				return true
			})
		}
	}
}

// routeArgs records the route names a function call's arguments give.
func (p *Program) routeArgs(r *ast.Route, x *ast.Call, stmt ast.Stmt, cat *catalog.Catalog) {
	if x.Name == "t_on_branch_failure" && len(x.Args) == 1 {
		c := &Call{Kind: CallArm, From: r, RouteKind: ast.Event, Node: x, Arg: x.Args[0], Stmt: stmt}
		if s, ok := x.Args[0].(*ast.StrLit); ok {
			if strings.Contains(s.Value, "$") {
				c.Pattern = formatPattern(branchFailurePrefix, s)
			} else {
				c.Name = branchFailurePrefix + s.Value
			}
		} else {
			c.Pattern = regexp.MustCompile("^" + regexp.QuoteMeta(branchFailurePrefix))
		}
		p.Calls = append(p.Calls, c)
		return
	}
	for _, f := range cat.Func(x.Name) {
		kinds := f.Kinds(len(x.Args))
		if kinds == nil {
			continue
		}
		for i, k := range kinds {
			if k.Kind != catalog.ArgRoute || i >= len(x.Args) {
				continue
			}
			kind := CallArm
			if k.Route == ast.Named {
				kind = CallContinue
			}
			c := &Call{Kind: kind, From: r, RouteKind: k.Route, Node: x, Arg: x.Args[i], Stmt: stmt}
			if s, ok := x.Args[i].(*ast.StrLit); ok {
				if strings.Contains(s.Value, "$") {
					c.Pattern = formatPattern("", s)
				} else {
					c.Name = s.Value
				}
			} else {
				c.Pattern = regexp.MustCompile("")
			}
			p.Calls = append(p.Calls, c)
		}
		return
	}
}

// exprPattern returns the names a computed route name may take: string
// literals joined by + stay, anything else matches any text.
func exprPattern(e ast.Expr) *regexp.Regexp {
	var b strings.Builder
	var walk func(ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Paren:
			walk(e.X)
		case *ast.StrLit:
			if strings.Contains(e.Value, "$") {
				b.WriteString(".*")
				return
			}
			b.WriteString(regexp.QuoteMeta(e.Value))
		case *ast.Binary:
			if e.Op == "+" {
				walk(e.X)
				walk(e.Y)
				return
			}
			b.WriteString(".*")
		default:
			b.WriteString(".*")
		}
	}
	walk(e)
	re, err := regexp.Compile("^" + b.String() + "$")
	if err != nil {
		return regexp.MustCompile("")
	}
	return re
}

// formatPattern is exprPattern for a format string argument.
func formatPattern(prefix string, s *ast.StrLit) *regexp.Regexp {
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	var b strings.Builder
	b.WriteString("^" + regexp.QuoteMeta(prefix))
	if f != nil {
		for _, part := range f.Parts {
			if part.PV != nil {
				b.WriteString(".*")
			} else {
				b.WriteString(regexp.QuoteMeta(part.Lit))
			}
		}
	}
	re, err := regexp.Compile(b.String() + "$")
	if err != nil {
		return regexp.MustCompile("")
	}
	return re
}

// computeStops finds the routes that never return to their caller: every
// path through them ends in exit or drop, or in a route() call to such a
// route. It starts from "every route returns" and grows, so recursion
// never makes a route look like it stops.
func (p *Program) computeStops() {
	p.stops = map[*ast.Route]bool{}
	for changed := true; changed; {
		changed = false
		for _, r := range p.Routes {
			if p.stops[r] {
				continue
			}
			g := p.Graphs[r]
			if !g.Reachable(p.StopsAt)[g.Return.Index] {
				p.stops[r] = true
				changed = true
			}
		}
	}
	p.reach = map[*ast.Route][]bool{}
}

// NeverReturns reports whether r always stops the script: no path through
// it comes back to a caller.
func (p *Program) NeverReturns(r *ast.Route) bool { return p.stops[r] }

// StopsAt reports whether a statement node is a route() call to a route
// that never returns, so that the caller never goes on after it.
func (p *Program) StopsAt(n *Node) bool {
	es, ok := n.Stmt.(*ast.ExprStmt)
	if !ok {
		return false
	}
	rc, ok := es.X.(*ast.RouteCall)
	if !ok || rc.Dyn != nil {
		return false
	}
	t := p.Route(ast.Named, rc.Name)
	return t != nil && p.stops[t]
}

// Reachable returns, per node of r's graph, whether it can run (taking
// route() calls to routes that never return into account).
func (p *Program) Reachable(r *ast.Route) []bool {
	if v, ok := p.reach[r]; ok {
		return v
	}
	v := p.Graphs[r].Reachable(p.StopsAt)
	p.reach[r] = v
	return v
}

// IsEntry reports whether Kamailio runs r on its own: every block but
// route[X], and a route[X] that t_continue resumes a transaction in.
func (p *Program) IsEntry(r *ast.Route) bool {
	if KeyOf(r).Kind != ast.Named {
		return true
	}
	for _, c := range p.In[r] {
		if c.Kind == CallContinue {
			return true
		}
	}
	return false
}

// Entries returns the blocks Kamailio runs on their own (IsEntry) that
// reach r through route() calls, r itself when it is one, in source order.
// A route[X] reached from nowhere has none.
func (p *Program) Entries(r *ast.Route) []*ast.Route {
	if p.entry == nil {
		p.entry = map[*ast.Route][]*ast.Route{}
		for _, e := range p.Routes {
			if !p.IsEntry(e) {
				continue
			}
			seen := map[*ast.Route]bool{e: true}
			work := []*ast.Route{e}
			for len(work) > 0 {
				x := work[len(work)-1]
				work = work[:len(work)-1]
				p.entry[x] = append(p.entry[x], e)
				for _, c := range p.Out[x] {
					if c.Kind == CallRoute && c.Target != nil && !seen[c.Target] {
						seen[c.Target] = true
						work = append(work, c.Target)
					}
				}
			}
		}
	}
	return p.entry[r]
}

// Sorted returns routes ordered by their position.
func Sorted(rs []*ast.Route) []*ast.Route {
	out := append([]*ast.Route(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool { return before(out[i].Rng, out[j].Rng) })
	return out
}

func before(a, b diag.Range) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Start.Before(b.Start)
}
