package lint

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// Loops, switch arms, break and return: how Kamailio's interpreter leaves
// a block, which is not always how the config reads.
func init() {
	register(
		&Rule{
			ID: "KL1010", Name: "loop-condition-unchanged", Severity: diag.Warning, Default: true,
			Title: "while loop whose condition nothing in the body can change",
			Doc: `No statement of the loop body assigns a variable the condition reads,
passes it to a function or calls a route that could, and the condition
calls nothing: once the loop is entered it never ends by its condition.
Kamailio stops a while loop after max_while_loops iterations (100 by
default), logs an error and goes on after it. A while (1) without break,
return, exit or drop in its body is reported for the same reason.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(i) = 0;
	while ($var(i) < 3) {
		xlog("L_INFO", "branch $var(i)\n");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(i) = 0;
	while ($var(i) < 3) {
		xlog("L_INFO", "branch $var(i)\n");
		$var(i) = $var(i) + 1;
	}
}`,
			Run: runLoopInvariant,
		},
		&Rule{
			ID: "KL1011", Name: "switch-fallthrough", Severity: diag.Warning, Default: true,
			Title: "switch case falls through into a case that ends with its own break",
			Doc: `A case body without break runs on into the next case, as in C. When the
next case ends with a break of its own, the missing break in this one is
almost always an oversight: both bodies run for this value. Empty cases
stacked on one body ("case 1: case 2: ...") are not reported.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	switch ($rU) {
		case "alice":
			xlog("L_INFO", "alice\n");
		case "bob":
			xlog("L_INFO", "bob\n");
			break;
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	switch ($rU) {
		case "alice":
			xlog("L_INFO", "alice\n");
			break;
		case "bob":
			xlog("L_INFO", "bob\n");
			break;
	}
}`,
			Run: runSwitchFallthrough,
		},
		&Rule{
			ID: "KL1012", Name: "break-outside-loop", Severity: diag.Warning, Default: true,
			Title: "break outside switch and while",
			Doc: `Outside a switch or while, break does not leave the if it is written in:
it ends the whole route, as a return with value 0 would (in a route[X]
the caller goes on, with $rc 0). Kamailio accepts it. Write return or exit
for what is meant.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU == "alice") {
		break;
	}
	sl_send_reply("404", "Not Found");
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU == "alice") {
		exit;
	}
	sl_send_reply("404", "Not Found");
}`,
			Run: runBreakOutside,
		},
		&Rule{
			ID: "KL1013", Name: "return-zero", Severity: diag.Warning, Default: true,
			Title: "return 0 in a route[X] stops the whole script",
			Doc: `A route that returns 0 does not just return: Kamailio treats a 0 return
value as exit and stops processing the message, so the caller never goes
on. To signal "false" to the caller, return a negative value; to stop, say
exit.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if (!route(AUTH)) {
		sl_send_reply("403", "Forbidden");
	}
}
route[AUTH] {
	if ($fU == "alice") {
		return 1;
	}
	return 0;
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if (!route(AUTH)) {
		sl_send_reply("403", "Forbidden");
	}
}
route[AUTH] {
	if ($fU == "alice") {
		return 1;
	}
	return -1;
}`,
			Run: runReturnZero,
		},
		&Rule{
			ID: "KL1014", Name: "bitwise-precedence", Severity: diag.Warning, Default: true,
			Title: "& | ^ applied to a comparison or to function results",
			Doc: `As in C, the bitwise operators &, | and ^ bind less tightly than the
comparisons, so $var(flags) & 4 == 4 is $var(flags) & (4 == 4), which is
$var(flags) & 1. Put the bitwise operation in parentheses.

& and | between function calls (or a call and a comparison) are bitwise
too, not logical: a function returns -1 for false, and -1 | 1 is -1, so
is_method("INVITE") | is_method("BYE") is false for an INVITE. Write && and
||.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(flags) = 4;
	if ($var(flags) & 4 == 4) {
		xlog("L_INFO", "flag 4 set\n");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(flags) = 4;
	if (($var(flags) & 4) == 4) {
		xlog("L_INFO", "flag 4 set\n");
	}
}`,
			Run: runPrecedence,
		},
		&Rule{
			ID: "KL1015", Name: "unbounded-recursion", Severity: diag.Warning, Default: true,
			Title: "route calls itself on every path",
			Doc: `The route calls itself, directly or through other routes, with calls that
are not under any condition: once it runs, it recurses until Kamailio's
limit (max_recursive_level, 256), logs an error and gives up on the
message. Recursion under a condition can end and is not reported.`,
			Bad: `loadmodule "xlog.so"
request_route {
	route(LOOP);
}
route[LOOP] {
	xlog("L_INFO", "again\n");
	route(LOOP);
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(n) = 0;
	route(LOOP);
}
route[LOOP] {
	xlog("L_INFO", "again\n");
	$var(n) = $var(n) + 1;
	if ($var(n) < 3) {
		route(LOOP);
	}
}`,
			Run: runRecursion,
		},
	)
}

// pvsIn returns every pseudo-variable of an expression, with those of
// indexes, dynamic names and transformation parameters inside them.
func pvsIn(e ast.Node) []*ast.PVar {
	var out []*ast.PVar
	var add func(p *ast.PVar)
	add = func(p *ast.PVar) {
		out = append(out, p)
		if p.Index != nil && p.Index.PV != nil {
			add(p.Index.PV)
		}
		if p.Name != nil && p.Name.Dyn != nil {
			for _, part := range p.Name.Dyn.Parts {
				if part.PV != nil {
					add(part.PV)
				}
			}
		}
		for _, tr := range p.Trans {
			for _, tp := range tr.Params {
				if tp.PV != nil {
					add(tp.PV)
				}
			}
		}
	}
	if e == nil {
		return nil
	}
	ast.Inspect(e, func(n ast.Node) bool {
		if p, ok := n.(*ast.PVar); ok {
			add(p)
			return false
		}
		return true
	})
	return out
}

// localClasses are pseudo-variables only the script itself changes while
// it runs (no other process, and no function unless named to it).
var localClasses = map[string]bool{"var": true, "vn": true, "avp": true, "xavp": true, "xavu": true, "xavi": true}

func runLoopInvariant(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		w, ok := s.(*ast.While)
		if !ok {
			return
		}
		if v, ok := constValue(w.Cond); ok {
			if v.truth() && !leaves(w.Body) {
				p.Reportf(r, w.Cond.Span(), "while (%s) never ends: its body has no break, return, exit or drop", exprKey(unparen(w.Cond)))
			}
			return
		}
		if hasCall(w.Cond) {
			return
		}
		keys := map[string]bool{}
		local := true
		for _, pv := range pvsIn(w.Cond) {
			keys[pvKey(pv)] = true
			local = local && localClasses[pv.Class]
		}
		if len(keys) == 0 || mayChange(p, w.Body, keys, local, map[*ast.Route]bool{}) {
			return
		}
		p.Reportf(r, w.Cond.Span(), "nothing in the loop body changes %s: the loop runs until Kamailio's max_while_loops limit", firstKey(w.Cond))
	})
}

func firstKey(e ast.Expr) string {
	for _, pv := range pvsIn(e) {
		return pv.Text
	}
	return "the condition"
}

// leaves reports whether a statement holds a break of its own loop, a
// return, exit or drop, or a route call (which may exit).
func leaves(s ast.Stmt) bool {
	found := false
	var walk func(s ast.Stmt, nested bool)
	walk = func(s ast.Stmt, nested bool) {
		if s == nil || found {
			return
		}
		switch s := s.(type) {
		case *ast.Break:
			found = found || !nested
		case *ast.ReturnStmt:
			found = true
		case *ast.Block:
			for _, x := range s.Stmts {
				walk(x, nested)
			}
		case *ast.If:
			walk(s.Then, nested)
			walk(s.Else, nested)
		case *ast.While:
			walk(s.Body, true)
		case *ast.Switch:
			for _, c := range s.Cases {
				for _, x := range c.Body {
					walk(x, true)
				}
			}
		case *ast.ExprStmt:
			if _, ok := s.X.(*ast.RouteCall); ok {
				found = true
			}
		}
	}
	walk(s, false)
	return found
}

// mayChange reports whether running n could change one of the
// pseudo-variables keys names: an assignment to it, a function call that
// names it in an argument (or, when local is false, any call), a route
// that does either.
func mayChange(p *Pass, n ast.Node, keys map[string]bool, local bool, seen map[*ast.Route]bool) bool {
	changed := false
	ast.Inspect(n, func(x ast.Node) bool {
		if changed {
			return false
		}
		switch x := x.(type) {
		case *ast.Assign:
			if x.LHS != nil && keys[pvKey(x.LHS)] {
				changed = true
			}
		case *ast.Call:
			if !local {
				changed = true
				return false
			}
			kinds := argKinds(p, x)
			for i, a := range x.Args {
				if i < len(kinds) && kinds[i].Kind == catalog.ArgFormat {
					continue // read, not written
				}
				for _, pv := range pvsIn(a) {
					if keys[pvKey(pv)] {
						changed = true
					}
				}
				if s, ok := a.(*ast.StrLit); ok {
					for k := range keys {
						if containsWord(s.Value, k) {
							changed = true
						}
					}
				}
			}
		case *ast.RouteCall:
			if x.Dyn != nil {
				changed = true
				return false
			}
			t := p.Flow.Route(ast.Named, x.Name)
			if t != nil && !seen[t] {
				seen[t] = true
				if t.Body != nil && mayChange(p, t.Body, keys, local, seen) {
					changed = true
				}
			}
		}
		return true
	})
	return changed
}

// containsWord reports whether text mentions a pseudo-variable key such
// as var(i) (as "$var(i)" in a format or output argument).
func containsWord(text, key string) bool {
	for i := 0; i+len(key) <= len(text); i++ {
		if text[i:i+len(key)] == key && (i == 0 || text[i-1] == '$' || text[i-1] == '(') {
			return true
		}
	}
	return false
}

func runSwitchFallthrough(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		sw, ok := s.(*ast.Switch)
		if !ok {
			return
		}
		g := p.Flow.Graphs[r]
		reach := p.Flow.Reachable(r)
		for i := 0; i+1 < len(sw.Cases); i++ {
			c, next := sw.Cases[i], sw.Cases[i+1]
			if len(c.Body) == 0 || len(next.Body) == 0 || !endsWithBreak(next.Body) {
				continue
			}
			start := firstNode(g, &ast.Block{Stmts: next.Body})
			if start == nil || !reach[start.Index] {
				continue
			}
			falls := false
			for _, pred := range start.Preds {
				if pred.Stmt != ast.Stmt(sw) && reach[pred.Index] {
					falls = true
				}
			}
			if falls {
				d := p.Reportf(r, c.Rng, "%s falls through into %s, which ends with break", caseText(c), caseText(next))
				d.Detail = "add break at the end of this case if it should not run the next one"
			}
		}
	})
}

func caseText(c *ast.Case) string {
	if c.Value == nil {
		return "default"
	}
	return "case " + exprKey(c.Value)
}

func endsWithBreak(body []ast.Stmt) bool {
	for i := len(body) - 1; i >= 0; i-- {
		switch body[i].(type) {
		case *ast.Empty:
			continue
		case *ast.Break:
			return true
		}
		return false
	}
	return false
}

func runBreakOutside(p *Pass) {
	for _, r := range p.Routes() {
		if r.Body == nil {
			continue
		}
		var walk func(s ast.Stmt, inLoop bool)
		walk = func(s ast.Stmt, inLoop bool) {
			switch s := s.(type) {
			case *ast.Break:
				if !inLoop {
					d := p.Reportf(r, s.Rng, "break outside switch and while ends %s", r.Title())
					d.Detail = "write return or exit if that is what is meant"
				}
			case *ast.Block:
				for _, x := range s.Stmts {
					walk(x, inLoop)
				}
			case *ast.If:
				walk(s.Then, inLoop)
				if s.Else != nil {
					walk(s.Else, inLoop)
				}
			case *ast.While:
				walk(s.Body, true)
			case *ast.Switch:
				for _, c := range s.Cases {
					for _, x := range c.Body {
						walk(x, true)
					}
				}
			}
		}
		walk(r.Body, false)
	}
}

func runReturnZero(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		ret, ok := s.(*ast.ReturnStmt)
		if !ok || ret.Kind != ast.Return || ret.Value == nil || flow.KeyOf(r).Kind != ast.Named {
			return
		}
		if v, ok := constValue(ret.Value); ok && !v.isStr && v.n == 0 {
			d := p.Reportf(r, ret.Rng, "return 0 stops the whole script, not only %s", r.Title())
			d.Detail = "return a negative value for false, or write exit to stop"
		}
	})
}

func runPrecedence(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || (b.Op != "&" && b.Op != "|" && b.Op != "^") {
			return
		}
		for _, side := range []ast.Expr{b.X, b.Y} {
			c, ok := side.(*ast.Binary) // not under parentheses
			if !ok || !comparisons[c.Op] {
				continue
			}
			d := p.Reportf(r, b.OpRange, "%s binds less tightly than %s: this is %s", b.Op, c.Op, exprKey(b))
			d.Detail = "put the " + b.Op + " operation in parentheses"
			if b.Op != "^" && (isCallExpr(b.X) || isCallExpr(b.Y)) {
				d.Detail = "a function returns -1 for false, and -1 " + b.Op + " 1 is -1, false: use " + b.Op + b.Op + " for logic"
			}
			return
		}
		if b.Op != "^" && isCallExpr(b.X) && isCallExpr(b.Y) {
			d := p.Reportf(r, b.OpRange, "%s combines the return codes of two functions bit by bit", b.Op)
			d.Detail = "a function returns -1 for false, and -1 " + b.Op + " 1 is -1, false: use " + b.Op + b.Op + " for logic"
		}
	})
}

func runRecursion(p *Pass) {
	// Unconditional route() calls: a statement of the route body itself
	// (not under if, while or switch) that can run.
	edges := map[*ast.Route][]*flow.Call{}
	for _, r := range p.Routes() {
		if r.Body == nil {
			continue
		}
		top := map[ast.Stmt]bool{}
		for _, s := range r.Body.Stmts {
			top[s] = true
		}
		reach := p.Flow.Reachable(r)
		g := p.Flow.Graphs[r]
		for _, c := range p.Flow.Out[r] {
			if c.Kind != flow.CallRoute || c.Target == nil || !top[c.Stmt] {
				continue
			}
			if n := g.NodeOf(c.Stmt); n == nil || !reach[n.Index] {
				continue
			}
			edges[r] = append(edges[r], c)
		}
	}
	reported := map[*ast.Route]bool{}
	for _, r := range p.Routes() {
		// Depth-first search for a path of unconditional calls back to r.
		var path []*flow.Call
		seen := map[*ast.Route]bool{}
		var dfs func(x *ast.Route) bool
		dfs = func(x *ast.Route) bool {
			for _, c := range edges[x] {
				path = append(path, c)
				if c.Target == r {
					return true
				}
				if !seen[c.Target] {
					seen[c.Target] = true
					if dfs(c.Target) {
						return true
					}
				}
				path = path[:len(path)-1]
			}
			return false
		}
		if !dfs(r) || reported[r] {
			continue
		}
		for _, c := range path {
			reported[c.From] = true
		}
		last := path[len(path)-1]
		via := ""
		for _, c := range path[:len(path)-1] {
			via += " through route[" + c.Name + "]"
		}
		p.Reportf(last.From, last.Node.Span(), "route[%s] calls itself%s on every path: it recurses until Kamailio gives up", r.Name, via)
	}
}

// isCallExpr reports whether e is a function call, possibly negated.
func isCallExpr(e ast.Expr) bool {
	c, _ := callOf(e)
	return c != nil
}
