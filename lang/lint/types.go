package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
)

// Strings, integers and regular expressions: where Kamailio's value rules
// differ from what the config suggests.
func init() {
	register(
		&Rule{
			ID: "KL2002", Name: "text-ordering", Severity: diag.Warning, Default: true,
			Title: "<, >, <= or >= on text converts it to a number",
			Doc: `Kamailio's relational operators only compare integers (a string constant
next to one is refused when the config is read). A pseudo-variable that
holds text, such as $fU, $rU or $hdr(...), is converted to an integer
first: text that is not a number makes the conversion fail, Kamailio logs
an error and the whole condition is false. Comparing user names or
versions this way never orders them as text. Convert explicitly with
{s.int} when the value is a number, or compare text with == and regular
expressions.`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($fU > $tU) {
		sl_send_reply("403", "Forbidden");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($(fU{s.int}) > $(tU{s.int})) {
		sl_send_reply("403", "Forbidden");
	}
}`,
			Run: runStringOrdering,
		},
		&Rule{
			ID: "KL2003", Name: "string-plus-number", Severity: diag.Warning, Default: true,
			Title: "+ with text on the left joins strings",
			Doc: `The left operand decides what + does: with a pseudo-variable that holds
text ($rU, $hdr(...), $ci ...) it joins strings, so $rU + 1 appends the
character 1 instead of adding. Convert first: $(rU{s.int}) + 1.`,
			Bad: `loadmodule "pv.so"
request_route {
	$var(next) = $rU + 1;
}`,
			Good: `loadmodule "pv.so"
request_route {
	$var(next) = $(rU{s.int}) + 1;
}`,
			Run: runStringPlus,
		},
		&Rule{
			ID: "KL2004", Name: "octal-literal", Severity: diag.Warning, Default: true,
			Title: "integer literal with a leading zero is octal",
			Doc: `Kamailio reads a number written with a leading 0 as octal: 010 is 8 and
0640 is 416. Write the decimal value, or 0x for hexadecimal. Parameters
that take file permissions (a name with mode, perm or mask), where octal
is meant, are not reported.`,
			Bad: `loadmodule "pv.so"
request_route {
	$var(timeout) = 030;
}`,
			Good: `loadmodule "pv.so"
request_route {
	$var(timeout) = 30;
}`,
			Run: runOctal,
		},
		&Rule{
			ID: "KL2005", Name: "int-overflow", Severity: diag.Warning, Default: true,
			Title: "integer literal does not fit 32 bits",
			Doc: `Kamailio's integers are 32-bit signed: from -2147483648 to 2147483647. A
larger literal is truncated when the config is read, so 3000000000 becomes
-1294967296. Keep such values in strings and compare them as text, or
split them.`,
			Bad: `loadmodule "pv.so"
request_route {
	$var(limit) = 3000000000;
}`,
			Good: `loadmodule "pv.so"
request_route {
	$var(limit) = 2000000000;
}`,
			Run: runOverflow,
		},
		&Rule{
			ID: "KL2006", Name: "regex-perl-class", Severity: diag.Warning, Default: true,
			Title: "\\d in a POSIX regular expression",
			Doc: `Kamailio's regular expressions are POSIX extended ones, which have no \d
or \D: \d matches the letter d. (\w and \s work, as GNU extensions.) Use
[0-9] or [[:digit:]].`,
			Bad: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU =~ "^\\d+$") {
		sl_send_reply("404", "Not Found");
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "sl.so"
request_route {
	if ($rU =~ "^[0-9]+$") {
		sl_send_reply("404", "Not Found");
	}
}`,
			Run: runPerlClass,
		},
		&Rule{
			ID: "KL2011", Name: "rc-after-log", Severity: diag.Warning, Default: true,
			Title: "$rc read after a logging call replaced it",
			Doc: `$rc (also $? and $retcode) is the return code of the last function or
route called. A log line between the call and the test replaces it:
after "lookup(...); xlog(...); if ($rc == -1)", $rc is xlog's 1. Test
$rc right after the call, or save it in a $var first.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
request_route {
	is_present_hf("X-Foo");
	xlog("L_INFO", "checked\n");
	if ($rc == 1) {
		exit;
	}
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
request_route {
	is_present_hf("X-Foo");
	$var(rc) = $rc;
	xlog("L_INFO", "checked\n");
	if ($var(rc) == 1) {
		exit;
	}
}`,
			Run: runRCAfterLog,
		},
		&Rule{
			ID: "KL2012", Name: "header-name-colon", Severity: diag.Warning, Default: true,
			Title: "header name with a colon in $hdr()",
			Doc: `The name in $hdr(...) is the header name alone; with the colon of the
header line it never matches a header, so the value is always null.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "agent: $hdr(User-Agent:)\n");
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "agent: $hdr(User-Agent)\n");
}`,
			Run: runHeaderColon,
		},
	)
}

// textClasses are pseudo-variable classes whose value is always text.
var textClasses = map[string]bool{
	"ru": true, "rU": true, "rd": true, "fu": true, "fU": true, "fd": true, "fn": true,
	"tu": true, "tU": true, "td": true, "tn": true, "ci": true, "ua": true, "hdr": true,
	"rm": true, "ai": true, "pu": true, "pU": true, "pd": true, "re": true, "ct": true,
	"rb": true, "mb": true, "du": true, "ft": true, "tt": true, "si": true, "Ri": true,
	"ruid": true, "adu": true, "au": true, "ar": true, "di": true, "rr": true, "fs": true,
}

// isText reports whether an expression's value is always a string.
func isText(e ast.Expr) bool {
	switch e := unparen(e).(type) {
	case *ast.StrLit:
		return true
	case *ast.PVar:
		if len(e.Trans) > 0 {
			last := e.Trans[len(e.Trans)-1]
			switch last.Op {
			case "int", "len", "numeric", "count", "pos":
				return false
			}
			return last.Class == "s" || textClasses[e.Class]
		}
		return textClasses[e.Class]
	}
	return false
}

func runStringOrdering(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || !relational[b.Op] {
			return
		}
		for _, side := range []ast.Expr{b.X, b.Y} {
			pv, ok := unparen(side).(*ast.PVar)
			if !ok || !isText(pv) {
				continue
			}
			d := p.Reportf(r, b.OpRange, "%s converts %s, which holds text, to an integer: when it is not a number the condition fails", b.Op, pv.Text)
			d.Detail = "write $(" + strings.TrimPrefix(strings.TrimPrefix(pv.Text, "$("), "$") + "{s.int}) if it holds a number, or compare text with == or =~"
			if strings.HasPrefix(pv.Text, "$(") {
				d.Detail = "compare text with == or =~"
			}
			return
		}
	})
}

func runStringPlus(p *Pass) {
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		b, ok := n.(*ast.Binary)
		if !ok || b.Op != "+" {
			return
		}
		x, isPV := unparen(b.X).(*ast.PVar)
		if !isPV || !isText(x) {
			return
		}
		switch y := unparen(b.Y).(type) {
		case *ast.IntLit:
		case *ast.Binary:
			if y.Op != "+" && y.Op != "-" && y.Op != "*" && y.Op != "/" {
				return
			}
		default:
			return
		}
		d := p.Reportf(r, b.OpRange, "%s holds text: + joins strings instead of adding", x.Text)
		d.Detail = "convert first: $(" + strings.TrimPrefix(x.Text, "$") + "{s.int})"
	})
}

// eachIntLit calls fn for every integer literal of the config, in route
// bodies and module parameters.
func eachIntLit(p *Pass, fn func(r *ast.Route, n *ast.IntLit)) {
	for _, it := range p.Config.Items {
		r, _ := it.(*ast.Route)
		ast.Inspect(it, func(n ast.Node) bool {
			if lit, ok := n.(*ast.IntLit); ok {
				fn(r, lit)
			}
			return true
		})
	}
}

func isOctal(text string) bool {
	if len(text) < 2 || text[0] != '0' {
		return false
	}
	for i := 1; i < len(text); i++ {
		if text[i] < '0' || text[i] > '7' {
			return false
		}
	}
	return true
}

// permParams holds the parameters that take file permissions, where octal
// is what everybody writes.
var permParams = lazyRegexp(`(?i)mode|perm|mask`)

func runOctal(p *Pass) {
	perms := map[*ast.IntLit]bool{}
	for _, it := range p.Config.Items {
		if mp, ok := it.(*ast.ModParam); ok && permParams().MatchString(mp.Param) {
			if lit, ok := mp.Value.(*ast.IntLit); ok {
				perms[lit] = true
			}
		}
	}
	eachIntLit(p, func(r *ast.Route, n *ast.IntLit) {
		if isOctal(n.Text) && !perms[n] {
			d := p.Reportf(r, n.Rng, "%s is octal: its value is %d", n.Text, n.Value)
			d.Detail = "write it without the leading zero for decimal"
		}
	})
	for _, it := range p.Config.Items {
		if cp, ok := it.(*ast.CoreParam); ok && !permParams().MatchString(cp.Name) {
			for _, v := range cp.Values {
				if v.Kind == ast.ValInt && isOctal(v.Text) {
					p.Reportf(nil, v.Rng, "%s is octal: its value is %d", v.Text, v.Int)
				}
			}
		}
	}
}

func runOverflow(p *Pass) {
	check := func(r *ast.Route, rng diag.Range, text string, v int64) {
		if v > 2147483647 || v < -2147483648 {
			p.Reportf(r, rng, "%s does not fit Kamailio's 32-bit integers: it becomes %d", text, int32(v))
		}
	}
	eachIntLit(p, func(r *ast.Route, n *ast.IntLit) { check(r, n.Rng, n.Text, n.Value) })
	for _, it := range p.Config.Items {
		if cp, ok := it.(*ast.CoreParam); ok {
			for _, v := range cp.Values {
				if v.Kind == ast.ValInt {
					check(nil, v.Rng, v.Text, v.Int)
				}
			}
		}
	}
}

// perlClass reports whether a regular expression uses \d or \D.
func perlClass(re string) bool {
	for i := 0; i+1 < len(re); i++ {
		if re[i] == '\\' {
			if re[i+1] == 'd' || re[i+1] == 'D' {
				return true
			}
			i++
		}
	}
	return false
}

func runPerlClass(p *Pass) {
	report := func(r *ast.Route, s *ast.StrLit) {
		if perlClass(s.Value) {
			d := p.Reportf(r, s.Rng, "POSIX regular expressions have no \\d: it matches the letter d")
			d.Detail = "use [0-9]"
		}
	}
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		switch n := n.(type) {
		case *ast.Binary:
			if n.Op == "=~" || n.Op == "!~" {
				if s, ok := unparen(n.Y).(*ast.StrLit); ok {
					report(r, s)
				}
			}
		case *ast.Call:
			for i, k := range argKinds(p, n) {
				if s, ok := strArg(n, i); ok && (k.Kind == catalog.ArgRegex || k.Kind == catalog.ArgSubst) {
					report(r, s)
				}
			}
		}
	})
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		if sw, ok := s.(*ast.Switch); ok {
			for _, c := range sw.Cases {
				if lit, ok := c.Value.(*ast.StrLit); ok && c.Regex {
					report(r, lit)
				}
			}
		}
	})
}

// logFuncs are the functions that only write a log line.
func isLog(name string) bool {
	switch name {
	case "xlog", "xlogl", "xdbg", "xinfo", "xnotice", "xwarn", "xerr", "xbug", "xalert", "xcrit", "log", "xlogm":
		return true
	}
	return false
}

func runRCAfterLog(p *Pass) {
	isRC := func(pv *ast.PVar) bool { return pv.Class == "rc" || pv.Class == "retcode" || pv.Text == "$?" }
	var list func(r *ast.Route, stmts []ast.Stmt)
	list = func(r *ast.Route, stmts []ast.Stmt) {
		for i, s := range stmts {
			var root ast.Node
			switch s := s.(type) {
			case *ast.If:
				root = s.Cond
			case *ast.Switch:
				root = s.Tag
			case *ast.Assign, *ast.ExprStmt:
				root = s
			}
			if root != nil {
				for _, pv := range pvsIn(root) {
					if !isRC(pv) {
						continue
					}
					logCall, prior := callsBefore(stmts[:i])
					if logCall != nil && prior != "" && !isLog(prior) {
						d := p.Reportf(r, pv.Rng, "%s here is the return code of %s, not of %s", pv.Text, logCall.Name, prior)
						d.Detail = "test " + pv.Text + " right after " + prior + ", or save it in a $var first"
					}
					break
				}
			}
			switch s := s.(type) {
			case *ast.Block:
				list(r, s.Stmts)
			case *ast.If:
				if b, ok := s.Then.(*ast.Block); ok {
					list(r, b.Stmts)
				}
				if b, ok := s.Else.(*ast.Block); ok {
					list(r, b.Stmts)
				}
			case *ast.While:
				if b, ok := s.Body.(*ast.Block); ok {
					list(r, b.Stmts)
				}
			case *ast.Switch:
				for _, c := range s.Cases {
					list(r, c.Body)
				}
			}
		}
	}
	for _, r := range p.Routes() {
		if r.Body != nil {
			list(r, r.Body.Stmts)
		}
	}
}

// callsBefore looks back over assignments (which keep $rc) for the last
// call statement, and the call before it: it returns the last call when it
// is a log call, with the name of the call before.
func callsBefore(stmts []ast.Stmt) (*ast.Call, string) {
	var last *ast.Call
	for i := len(stmts) - 1; i >= 0; i-- {
		switch s := stmts[i].(type) {
		case *ast.Assign, *ast.Empty:
			continue
		case *ast.ExprStmt:
			var name string
			switch x := s.X.(type) {
			case *ast.Call:
				if last == nil {
					if !isLog(x.Name) {
						return nil, ""
					}
					last = x
					continue
				}
				name = x.Name
			case *ast.RouteCall:
				if last == nil {
					return nil, ""
				}
				name = "route(" + x.Name + ")"
			}
			return last, name
		}
		return nil, ""
	}
	return nil, ""
}

func runHeaderColon(p *Pass) {
	seen := map[*ast.PVar]bool{}
	report := func(r *ast.Route, pv *ast.PVar, at diag.Range) {
		if seen[pv] || pv.Name == nil || (pv.Class != "hdr" && pv.Class != "hdrc" && pv.Class != "hfl" && pv.Class != "hflc") {
			return
		}
		seen[pv] = true
		if strings.Contains(pv.Name.Text, ":") {
			d := p.Reportf(r, at, "header name %q has a colon: %s never matches a header", pv.Name.Text, pv.Text)
			d.Detail = "write $" + pv.Class + "(" + strings.TrimSpace(strings.ReplaceAll(pv.Name.Text, ":", "")) + ")"
		}
	}
	p.EachExpr(func(r *ast.Route, _ ast.Stmt, n ast.Node) {
		switch n := n.(type) {
		case *ast.PVar:
			for _, pv := range pvsIn(n) {
				report(r, pv, pv.Rng)
			}
		case *ast.StrLit:
			if strings.Contains(n.Value, "$hdr(") || strings.Contains(n.Value, "$(hdr(") {
				for _, pv := range formatPVs(n) {
					report(r, pv, n.Rng)
				}
			}
		}
	})
}
