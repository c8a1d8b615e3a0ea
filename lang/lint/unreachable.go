package lint

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// Unreachable code: statements no path reaches, reported once per run of
// them, at the first one, by the kind of statement that ends the path
// before them.
func init() {
	register(
		&Rule{
			ID: "KL1001", Name: "unreachable-after-end", Severity: diag.Warning, Default: true,
			Title: "code after exit, drop, return or break",
			Doc: `A statement follows exit, drop, return or break in the same block, so it
never runs: exit and drop stop the script, return leaves the route, break
leaves the switch or while. Kamailio accepts the config and silently skips
the code. Usually a statement was added below an exit that was meant to
stay last, or the exit belongs inside an if.

A lone exit, return or break after another one (a defensive "exit;
break;") is not reported.`,
			Bad: `loadmodule "sl.so"
request_route {
	exit;
	sl_send_reply("403", "Forbidden");
}`,
			Good: `loadmodule "sl.so"
request_route {
	sl_send_reply("403", "Forbidden");
	exit;
}`,
			Run: func(p *Pass) { reportUnreachable(p, endStmt) },
		},
		&Rule{
			ID: "KL1002", Name: "unreachable-after-branches", Severity: diag.Warning, Default: true,
			Title: "code after an if or switch whose every branch ends the route",
			Doc: `Every branch of the if (with its else) or switch (with its default) above
ends in exit, drop or return, so nothing below it runs. Kamailio accepts
this without a word. Often one branch was meant to fall through, or the
code below belongs in one of the branches.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU == "alice") {
		exit;
	} else {
		drop;
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
			Run: func(p *Pass) { reportUnreachable(p, endBranches) },
		},
		&Rule{
			ID: "KL1003", Name: "unreachable-after-route", Severity: diag.Warning, Default: true,
			Title: "code after route(X) where route[X] always stops the script",
			Doc: `Every path through the called route ends in exit or drop, so the script
never comes back from route(X) and the statements after the call never run.
Kamailio accepts this. Either the called route should return in some
cases, or the code after the call is dead. A lone exit after the call is
not reported: it is a common way to make the end explicit.`,
			Bad: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	route(RELAY);
	sl_send_reply("500", "Relay Failed");
}
route[RELAY] {
	t_relay();
	exit;
}`,
			Good: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	route(RELAY);
	sl_send_reply("500", "Relay Failed");
}
route[RELAY] {
	if (t_relay()) {
		exit;
	}
}`,
			Run: func(p *Pass) { reportUnreachable(p, endCall) },
		},
	)
}

// endKind is the kind of statement that ends the path before unreachable
// code.
type endKind uint8

const (
	endStmt endKind = iota
	endBranches
	endCall
)

type deadRun struct {
	route *ast.Route
	first ast.Stmt
	prev  ast.Stmt
	kind  endKind
}

// reportUnreachable reports the runs of unreachable statements of one kind.
func reportUnreachable(p *Pass, kind endKind) {
	for _, d := range p.facts.deadRuns(p) {
		if d.kind != kind {
			continue
		}
		switch prev := d.prev.(type) {
		case *ast.ReturnStmt:
			what := map[ast.ReturnKind]string{ast.Return: "return above leaves the route", ast.Exit: "exit above stops the script", ast.Drop: "drop above stops the script"}[prev.Kind]
			p.Reportf(d.route, d.first.Span(), "unreachable code: the %s", what)
		case *ast.Break:
			p.Reportf(d.route, d.first.Span(), "unreachable code: the break above leaves the block")
		case *ast.ExprStmt:
			rc := prev.X.(*ast.RouteCall)
			p.Reportf(d.route, d.first.Span(), "unreachable code: route(%s) never returns, every path through route[%s] ends in exit or drop", rc.Name, rc.Name)
		default:
			p.Reportf(d.route, d.first.Span(), "unreachable code: every branch above ends the route")
		}
	}
}

// deadRuns finds, in every statement list, the first statement of each
// run of unreachable statements that follows a reachable one.
func (f *facts) deadRuns(p *Pass) []deadRun {
	if f.dead != nil {
		return *f.dead
	}
	var out []deadRun
	for _, r := range p.Flow.Routes {
		g := p.Flow.Graphs[r]
		reach := p.Flow.Reachable(r)
		live := func(s ast.Stmt) (bool, bool) {
			n := firstNode(g, s)
			if n == nil {
				return false, false
			}
			return reach[n.Index], true
		}
		var list func(stmts []ast.Stmt)
		var stmt func(s ast.Stmt)
		list = func(stmts []ast.Stmt) {
			var prev ast.Stmt
			prevLive := false
			for i, s := range stmts {
				l, ok := live(s)
				if !ok {
					stmt(s)
					continue
				}
				if !l && prevLive && !onlyEnds(stmts[i:]) {
					first, before := s, prev
					// A dead run that starts with exit or return: what
					// makes the rest dead is that statement.
					for j := i; j+1 < len(stmts) && isEnd(stmts[j]); j++ {
						first, before = stmts[j+1], stmts[j]
					}
					prev := before
					d := deadRun{route: r, first: first, prev: prev}
					switch x := prev.(type) {
					case *ast.ReturnStmt, *ast.Break:
						d.kind = endStmt
					case *ast.ExprStmt:
						if _, ok := x.X.(*ast.RouteCall); ok {
							d.kind = endCall
						} else {
							d.kind = endStmt
						}
					default:
						d.kind = endBranches
					}
					// Code and its end on two sides of an #!ifdef, #!else or
					// #!endif are dead in one build of the config only.
					split := p.Pre.CondBetween(first.Span().File, prev.Span().End.Line, first.Span().Start.Line)
					if (d.kind != endStmt || isEnd(prev)) && !split {
						out = append(out, d)
					}
				}
				if l {
					stmt(s)
				}
				prev, prevLive = s, l
			}
		}
		stmt = func(s ast.Stmt) {
			switch s := s.(type) {
			case *ast.Block:
				list(s.Stmts)
			case *ast.If:
				stmt(s.Then)
				if s.Else != nil {
					stmt(s.Else)
				}
			case *ast.While:
				stmt(s.Body)
			case *ast.Switch:
				for _, c := range s.Cases {
					list(c.Body)
				}
			}
		}
		if r.Body != nil {
			list(r.Body.Stmts)
		}
	}
	f.dead = &out
	return out
}

// firstNode returns the node where a statement starts, nil for an empty
// block.
func firstNode(g *flow.Graph, s ast.Stmt) *flow.Node {
	if b, ok := s.(*ast.Block); ok {
		for _, x := range b.Stmts {
			if n := firstNode(g, x); n != nil {
				return n
			}
		}
		return nil
	}
	return g.NodeOf(s)
}

// isEnd reports whether s is return, exit, drop or break.
func isEnd(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.ReturnStmt, *ast.Break:
		return true
	}
	return false
}

// onlyEnds reports whether stmts hold only ends and empty statements: a
// defensive "exit; break;" is not worth a finding.
func onlyEnds(stmts []ast.Stmt) bool {
	for _, s := range stmts {
		switch s.(type) {
		case *ast.ReturnStmt, *ast.Break, *ast.Empty:
		default:
			return false
		}
	}
	return true
}
