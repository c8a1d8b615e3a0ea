package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

// Conditions whose value does not depend on the message, or not in the
// way their author thought.
func init() {
	register(
		&Rule{
			ID: "KL1004", Name: "constant-condition", Severity: diag.Warning, Default: true,
			Title: "condition is a constant",
			Doc: `The condition of an if or while is made only of literals, so it is always
true or always false and one branch never runs. Kamailio reads a number
above zero as true and anything else as false; a string is converted to a
number first. if (0) left from debugging disables code silently; while (1)
is only reported when its body has no break (see KL1010).`,
			Bad: `loadmodule "xlog.so"
request_route {
	if (0) {
		xlog("L_INFO", "debug\n");
	}
}`,
			Good: `loadmodule "xlog.so"
request_route {
	xlog("L_DBG", "debug\n");
}`,
			Run: runConstantCondition,
		},
		&Rule{
			ID: "KL1005", Name: "pv-in-string-compare", Severity: diag.Warning, Default: true,
			Title: "pseudo-variable inside a string literal in a comparison",
			Doc: `In an expression a string literal is constant text: "$fU" is the three
characters $, f, U, not the From user. Only the arguments of functions that
take format strings (xlog, append_hf ...) have their pseudo-variables filled
in. A comparison with such a literal is almost always false. Write the
pseudo-variable without quotes.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rU == "$fU") {
		xlog("L_INFO", "call to self\n");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rU == $fU) {
		xlog("L_INFO", "call to self\n");
	}
}`,
			Run: runPVInString,
		},
		&Rule{
			ID: "KL1006", Name: "var-null-compare", Severity: diag.Warning, Default: true,
			Title: "$var compared with $null, or tested with defined",
			Doc: `A $var is never null: it is 0 until it is first set, and setting it to
$null stores 0 again. So defined $var(x) is always true, and $var(x) ==
$null compares with 0 (or with "" when the variable holds a string): it is
true for a variable that was set to 0 or "", and false for one that was
never set but kept the value of an earlier message. $vn(x) is the variant
that can be null; otherwise compare with 0 or "" explicitly.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($var(user) == $null) {
		xlog("L_INFO", "no user yet\n");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($vn(user) == $null) {
		xlog("L_INFO", "no user yet\n");
	}
}`,
			Run: runVarNull,
		},
		&Rule{
			ID: "KL1007", Name: "method-case", Severity: diag.Warning, Default: true,
			Title: "request method compared case-sensitively with a lower-case name",
			Doc: `SIP methods are upper case and == on strings compares bytes, so $rm ==
"invite" is never true. Compare with the upper-case name, or use
is_method("INVITE"), which also matches several methods at once. The
legacy test method == "invite" is case-insensitive and not reported.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rm == "register") {
		sl_send_reply("200", "OK");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rm == "REGISTER") {
		sl_send_reply("200", "OK");
	}
}`,
			Run: runMethodCase,
		},
		&Rule{
			ID: "KL1008", Name: "self-compare", Severity: diag.Warning, Default: true,
			Title: "a value compared with itself",
			Doc: `Both sides of the comparison are the same pseudo-variable, so the result
never changes: == is always true, != always false. One side was usually
meant to be another variable ($fU and $tU, $var(a) and $var(b)).`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($fU == $fU) {
		sl_send_reply("482", "Loop Detected");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($fU == $tU) {
		sl_send_reply("482", "Loop Detected");
	}
}`,
			Run: runSelfCompare,
		},
		&Rule{
			ID: "KL1009", Name: "duplicate-condition", Severity: diag.Warning, Default: true,
			Title: "else-if repeats an earlier condition of the same chain",
			Doc: `In if (A) ... else if (A) ..., the second branch only runs when A is false,
so it never runs (unless A calls a function whose result changes). It is
usually a copy and paste that should test something else.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU == "alice") {
		sl_send_reply("200", "Alice");
	} else if ($rU == "alice") {
		sl_send_reply("200", "Bob");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU == "alice") {
		sl_send_reply("200", "Alice");
	} else if ($rU == "bob") {
		sl_send_reply("200", "Bob");
	}
}`,
			Run: runDuplicateCondition,
		},
	)
}

func runConstantCondition(p *Pass) {
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		var cond ast.Expr
		switch s := s.(type) {
		case *ast.If:
			cond = s.Cond
		case *ast.While:
			v, ok := constValue(s.Cond)
			if ok && v.truth() {
				return // while (1): KL1010 looks at its way out
			}
			cond = s.Cond
		default:
			return
		}
		v, ok := constValue(cond)
		if !ok {
			return
		}
		if v.truth() {
			p.Reportf(r, cond.Span(), "condition is always true")
		} else {
			p.Reportf(r, cond.Span(), "condition is always false: the block never runs")
		}
	})
}

// literalPVs returns the pseudo-variables of known classes written inside
// a string literal.
func literalPVs(p *Pass, s *ast.StrLit) []string {
	if !strings.Contains(s.Value, "$") {
		return nil
	}
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil {
		return nil
	}
	var out []string
	for _, part := range f.Parts {
		if part.PV != nil && len(p.Catalog.PVClasses(part.PV.Class)) > 0 {
			out = append(out, part.PV.Text)
		}
	}
	return out
}

func runPVInString(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || !comparisons[b.Op] || b.Op == "=~" || b.Op == "!~" {
			return
		}
		for _, side := range []ast.Expr{b.X, b.Y} {
			s, ok := unparen(side).(*ast.StrLit)
			if !ok {
				continue
			}
			if pvs := literalPVs(p, s); len(pvs) > 0 {
				d := p.Reportf(r, s.Rng, "%s inside a string literal is compared as text, not as its value", pvs[0])
				d.Detail = "write " + pvs[0] + " without quotes"
			}
		}
	})
}

func runVarNull(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		switch n := n.(type) {
		case *ast.Binary:
			if n.Op != "==" && n.Op != "!=" && n.Op != "eq" && n.Op != "ne" {
				return
			}
			x, y := pvOf(n.X), pvOf(n.Y)
			if x == nil || y == nil {
				return
			}
			if x.Class == "null" {
				x, y = y, x
			}
			if y.Class != "null" || x.Class != "var" || len(x.Trans) > 0 {
				return
			}
			d := p.Reportf(r, n.Rng, "%s is never $null: this compares it with 0 (or \"\")", x.Text)
			d.Detail = "use $vn(" + pvName(x) + ") for a variable that can be null, or compare with 0 or \"\""
		case *ast.Unary:
			x := pvOf(n.X)
			if n.Op != "defined" || x == nil || x.Class != "var" || len(x.Trans) > 0 {
				return
			}
			d := p.Reportf(r, n.Rng, "defined %s is always true: a $var always has a value", x.Text)
			d.Detail = "use $vn(" + pvName(x) + ") for a variable that can be null"
		}
	})
}

func pvName(pv *ast.PVar) string {
	if pv.Name == nil {
		return ""
	}
	return pv.Name.Text
}

func runMethodCase(p *Pass) {
	check1 := func(r *ast.Route, pv *ast.PVar, s *ast.StrLit) {
		if pv == nil || pv.Class != "rm" || len(pv.Trans) > 0 || s.Value == strings.ToUpper(s.Value) {
			return
		}
		if !check.IsSIPMethod(s.Value) {
			return
		}
		d := p.Reportf(r, s.Rng, "%s is upper case: comparing it with %q is never true", pv.Text, s.Value)
		d.Detail = "write \"" + strings.ToUpper(s.Value) + "\", or use is_method(\"" + strings.ToUpper(s.Value) + "\")"
	}
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || (b.Op != "==" && b.Op != "!=" && b.Op != "eq" && b.Op != "ne") {
			return
		}
		if s, ok := unparen(b.Y).(*ast.StrLit); ok {
			check1(r, pvOf(b.X), s)
		}
		if s, ok := unparen(b.X).(*ast.StrLit); ok {
			check1(r, pvOf(b.Y), s)
		}
	})
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		sw, ok := s.(*ast.Switch)
		if !ok {
			return
		}
		for _, c := range sw.Cases {
			if lit, ok := c.Value.(*ast.StrLit); ok && !c.Regex {
				check1(r, pvOf(sw.Tag), lit)
			}
		}
	})
}

func runSelfCompare(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || !comparisons[b.Op] || b.Op == "=~" || b.Op == "!~" {
			return
		}
		x, y := pvOf(b.X), pvOf(b.Y)
		if x == nil || y == nil || x.Text != y.Text {
			return
		}
		always := "true"
		switch b.Op {
		case "!=", "ne", "ine", "<", ">":
			always = "false"
		}
		p.Reportf(r, b.Rng, "%s is compared with itself: the result is always %s", x.Text, always)
	})
}

func runDuplicateCondition(p *Pass) {
	inChain := map[*ast.If]bool{}
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		top, ok := s.(*ast.If)
		if !ok || inChain[top] {
			return
		}
		seen := map[string]bool{exprKey(top.Cond): true}
		for cur := top; ; {
			next, ok := cur.Else.(*ast.If)
			if !ok {
				// else { if ... } written as a block is a new chain.
				return
			}
			inChain[next] = true
			k := exprKey(next.Cond)
			if seen[k] && !hasCall(next.Cond) {
				p.Reportf(r, next.Cond.Span(), "this condition repeats an earlier one of the same if chain: the branch never runs")
			}
			seen[k] = true
			cur = next
		}
	})
}

// hasCall reports whether an expression calls a function or a route,
// whose result may change between two evaluations.
func hasCall(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.Call, *ast.RouteCall, *ast.AssignExpr:
			found = true
		}
		return !found
	})
	return found
}
