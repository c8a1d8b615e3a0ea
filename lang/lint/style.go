package lint

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// Style, and the findings about lint directives themselves.
func init() {
	register(
		&Rule{
			ID: "KL9001", Name: "legacy-main-route", Severity: diag.Info, Default: false,
			Title: "main route written as route {} or route[0]",
			Doc: `route {} and route[0] are old spellings of the main request route. They
still work, but request_route {} says what the block is.`,
			Bad: `loadmodule "sl.so"
route {
	sl_send_reply("404", "Not Found");
}`,
			Good: `loadmodule "sl.so"
request_route {
	sl_send_reply("404", "Not Found");
}`,
			Run: runLegacyMainRoute,
		},
		&Rule{
			ID: "KL9002", Name: "empty-block", Severity: diag.Info, Default: true,
			Title: "if, else or while whose block holds only empty statements",
			Doc: `Kamailio refuses an empty block {}, so an empty branch is written { ; }.
Such a block does nothing: either code is missing from it, or the
condition can be turned around (if it calls a function, keep the call as
a statement).`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rU == "alice") {
		;
	} else {
		xlog("L_INFO", "not alice\n");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rU != "alice") {
		xlog("L_INFO", "not alice\n");
	}
}`,
			Run: runEmptyBlock,
		},
		&Rule{
			ID: "KL9003", Name: "self-assign", Severity: diag.Warning, Default: true,
			Title: "pseudo-variable assigned to itself",
			Doc: `$x = $x changes nothing. One side was usually meant to be another
variable.`,
			Bad: `loadmodule "pv.so"
request_route {
	$var(user) = $var(user);
}`,
			Good: `loadmodule "pv.so"
request_route {
	$var(user) = $fU;
}`,
			Run: runSelfAssign,
		},
		&Rule{
			ID: "KL9004", Name: "redundant-return", Severity: diag.Info, Default: false,
			Title: "return without value at the end of a route",
			Doc: `A route returns when its body ends; a bare return as its last statement
adds nothing.`,
			Bad: `loadmodule "xlog.so"
request_route {
	route(LOG);
}
route[LOG] {
	xlog("L_INFO", "request\n");
	return;
}`,
			Good: `loadmodule "xlog.so"
request_route {
	route(LOG);
}
route[LOG] {
	xlog("L_INFO", "request\n");
}`,
			Run: runRedundantReturn,
		},
		&Rule{
			ID: "KL9005", Name: "double-negation", Severity: diag.Info, Default: true,
			Title: "condition negated twice",
			Doc: `!!x is x read as true or false: Kamailio reads any value above zero as
true already, so the two negations only make the condition harder to
read.`,
			Bad: `loadmodule "textops.so"
request_route {
	if (!!is_present_hf("X-Foo")) {
		exit;
	}
}`,
			Good: `loadmodule "textops.so"
request_route {
	if (is_present_hf("X-Foo")) {
		exit;
	}
}`,
			Run: runDoubleNegation,
		},
		&Rule{
			ID: "KL9006", Name: "legacy-method-test", Severity: diag.Info, Default: false,
			Title: "method compared with the legacy method == test",
			Doc: `method == "INVITE" is the old test syntax. is_method("INVITE") says the
same, takes several methods at once ("INVITE,BYE") and compares the
method's parsed identifier instead of its text.`,
			Bad: `loadmodule "sl.so"
request_route {
	if (method == "OPTIONS") {
		sl_send_reply("200", "OK");
	}
}`,
			Good: `loadmodule "sl.so"
loadmodule "textops.so"
request_route {
	if (is_method("OPTIONS")) {
		sl_send_reply("200", "OK");
	}
}`,
			Run: runLegacyMethodTest,
		},
		&Rule{
			ID: codeUnusedIgnore, Name: "unused-ignore", Severity: diag.Warning, Default: true,
			Title: "lint:ignore directive that silences nothing",
			Doc: `A "# lint:ignore ID reason" comment silences the findings of rule ID on the
next line that is not a comment or blank. This one silenced nothing: the
finding is gone (fixed, or the code moved) or the directive names the
wrong rule or sits above the wrong line. Remove it so that it does not
hide a future finding.`,
			Bad: `loadmodule "sl.so"
request_route {
	# lint:ignore KL1001 the reply stays for the next release
	sl_send_reply("404", "Not Found");
}`,
			Good: `loadmodule "sl.so"
request_route {
	exit;
	# lint:ignore KL1001 the reply stays for the next release
	sl_send_reply("404", "Not Found");
}`,
			Run: func(*Pass) {},
		},
		&Rule{
			ID: codeBadIgnore, Name: "malformed-ignore", Severity: diag.Warning, Default: true,
			Title: "lint:ignore directive without rules or reason",
			Doc: `A lint:ignore directive names the rules it silences (IDs or names,
separated by commas, check codes allowed) and gives a reason: "#
lint:ignore KL1001,KL2001 kept for the next release". One without a
reason, or naming an unknown rule, silences nothing.`,
			Bad: `loadmodule "sl.so"
request_route {
	exit;
	# lint:ignore KL1001
	sl_send_reply("404", "Not Found");
}`,
			Good: `loadmodule "sl.so"
request_route {
	exit;
	# lint:ignore KL1001 the reply stays for the next release
	sl_send_reply("404", "Not Found");
}`,
			Run: func(*Pass) {},
		},
	)
}

func runLegacyMainRoute(p *Pass) {
	for _, r := range p.Routes() {
		if r.Kind == ast.Request && r.Keyword == "route" || r.Kind == ast.Named && r.Name == "0" {
			d := p.Reportf(r, r.Rng, "%s is the main request route: write request_route", r.Title())
			d.Subject.End = d.Subject.Start
			d.Subject.End.Col += len(r.Keyword)
		}
	}
}

func emptyBlock(s ast.Stmt) bool {
	b, ok := s.(*ast.Block)
	if !ok {
		_, empty := s.(*ast.Empty)
		return empty
	}
	for _, x := range b.Stmts {
		if _, empty := x.(*ast.Empty); !empty {
			return false
		}
	}
	return true
}

func runEmptyBlock(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		switch s := s.(type) {
		case *ast.If:
			if emptyBlock(s.Then) {
				p.Reportf(r, s.Then.Span(), "empty block")
			}
			if s.Else != nil && emptyBlock(s.Else) {
				p.Reportf(r, s.Else.Span(), "empty else block")
			}
		case *ast.While:
			if emptyBlock(s.Body) {
				p.Reportf(r, s.Body.Span(), "empty loop body")
			}
		}
	})
}

func runSelfAssign(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		a, ok := s.(*ast.Assign)
		if !ok || a.LHS == nil {
			return
		}
		if rhs := pvOf(a.RHS); rhs != nil && rhs.Text == a.LHS.Text {
			p.Reportf(r, a.Rng, "%s is assigned to itself", a.LHS.Text)
		}
	})
}

func runRedundantReturn(p *Pass) {
	for _, r := range p.Routes() {
		if r.Body == nil || len(r.Body.Stmts) == 0 {
			continue
		}
		last := r.Body.Stmts[len(r.Body.Stmts)-1]
		if ret, ok := last.(*ast.ReturnStmt); ok && ret.Kind == ast.Return && ret.Value == nil && flow.KeyOf(r).Kind == ast.Named {
			p.Reportf(r, ret.Rng, "return at the end of %s is implied", r.Title())
		}
	}
}

func runDoubleNegation(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		u, ok := n.(*ast.Unary)
		if !ok || u.Op != "!" {
			return
		}
		if inner, ok := unparen(u.X).(*ast.Unary); ok && inner.Op == "!" {
			p.Reportf(r, u.Rng, "condition negated twice")
		}
	})
}

func runLegacyMethodTest(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || b.Op != "==" && b.Op != "!=" {
			return
		}
		if id, ok := unparen(b.X).(*ast.Ident); ok && id.Name == "method" {
			if s, ok := unparen(b.Y).(*ast.StrLit); ok {
				d := p.Reportf(r, b.Rng, "legacy method test")
				d.Detail = "write is_method(\"" + s.Value + "\")"
			}
		}
	})
}
