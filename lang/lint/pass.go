package lint

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// Pass is what one rule sees of one configuration.
type Pass struct {
	Rule    *Rule
	Config  *ast.Config
	Catalog *catalog.Catalog
	Sources diag.Sources
	// Flow is the control flow of every route and the calls between them.
	Flow *flow.Program
	// Pre holds the preprocessor directives and identifier uses read from
	// the raw sources (the token stream no longer has them).
	Pre *Directives
	// Check holds check's findings. Rules do not repeat them; a rule may
	// add a hint to one (Detail, when it has none).
	Check diag.List

	facts *facts
	sev   diag.Severity
	out   *diag.List
}

// Reportf records a finding of the pass's rule at r, in route (nil when
// outside any route).
func (p *Pass) Reportf(route *ast.Route, r diag.Range, format string, args ...any) *diag.Diagnostic {
	d := p.out.Add(p.sev, p.Rule.ID, r, fmt.Sprintf(format, args...), "")
	if route != nil {
		d.Context = route.Title()
	}
	return d
}

// Loaded reports whether a module is loaded (by its declared name: "tm",
// "evapi").
func (p *Pass) Loaded(module string) bool {
	return p.facts.loaded(p)[module]
}

// facts are computed once per configuration, on first use, and shared by
// the rules.
type facts struct {
	loadedMods map[string]bool
	strs       []*ast.StrLit
	strsDone   bool
	dead       *[]deadRun
}

func (f *facts) loaded(p *Pass) map[string]bool {
	if f.loadedMods != nil {
		return f.loadedMods
	}
	f.loadedMods = map[string]bool{}
	for _, it := range p.Config.Items {
		lm, ok := it.(*ast.LoadModule)
		if !ok {
			continue
		}
		file := lm.Module()
		if m := p.Catalog.ModuleByFile(file); m != nil {
			f.loadedMods[m.Name] = true
		} else {
			f.loadedMods[file] = true
		}
	}
	return f.loadedMods
}

// Strings returns every string literal of the configuration (module
// parameters and route bodies), in source order.
func (p *Pass) Strings() []*ast.StrLit {
	f := p.facts
	if f.strsDone {
		return f.strs
	}
	f.strsDone = true
	for _, it := range p.Config.Items {
		ast.Inspect(it, func(n ast.Node) bool {
			if s, ok := n.(*ast.StrLit); ok {
				f.strs = append(f.strs, s)
			}
			return true
		})
	}
	return f.strs
}

// Routes returns the route blocks in source order.
func (p *Pass) Routes() []*ast.Route { return p.Flow.Routes }

// EachStmt calls fn for every statement of every route, outer statements
// first, with the route it is in.
func (p *Pass) EachStmt(fn func(r *ast.Route, s ast.Stmt)) {
	for _, r := range p.Flow.Routes {
		if r.Body == nil {
			continue
		}
		var walk func(ast.Stmt)
		walk = func(s ast.Stmt) {
			if s == nil {
				return
			}
			fn(r, s)
			switch s := s.(type) {
			case *ast.Block:
				for _, x := range s.Stmts {
					walk(x)
				}
			case *ast.If:
				walk(s.Then)
				walk(s.Else)
			case *ast.While:
				walk(s.Body)
			case *ast.Switch:
				for _, c := range s.Cases {
					for _, x := range c.Body {
						walk(x)
					}
				}
			}
		}
		for _, s := range r.Body.Stmts {
			walk(s)
		}
	}
}

// EachExpr calls fn for every expression node of every route (conditions,
// values, arguments, case labels), with the route and the statement it is
// in.
func (p *Pass) EachExpr(fn func(r *ast.Route, s ast.Stmt, e ast.Node)) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		var roots []ast.Node
		switch s := s.(type) {
		case *ast.Block:
			return
		case *ast.If:
			roots = []ast.Node{s.Cond}
		case *ast.While:
			roots = []ast.Node{s.Cond}
		case *ast.Switch:
			roots = []ast.Node{s.Tag}
			for _, c := range s.Cases {
				if c.Value != nil {
					roots = append(roots, c.Value)
				}
			}
		default:
			roots = []ast.Node{s}
		}
		for _, root := range roots {
			if root == nil {
				continue
			}
			ast.Inspect(root, func(n ast.Node) bool {
				if _, isStmt := n.(ast.Stmt); isStmt {
					return true
				}
				fn(r, s, n)
				return true
			})
		}
	})
}

// EachCall calls fn for every function call (not route()) in every route.
func (p *Pass) EachCall(fn func(r *ast.Route, s ast.Stmt, c *ast.Call)) {
	p.EachExpr(func(r *ast.Route, s ast.Stmt, n ast.Node) {
		if c, ok := n.(*ast.Call); ok {
			fn(r, s, c)
		}
	})
}
