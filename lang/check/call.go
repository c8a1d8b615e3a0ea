package check

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/routetype"
)

// call resolves a function call: core action or module function, its
// argument count and whether the enclosing route type allows it.
func (c *checker) call(n *ast.Call) {
	nargs := len(n.Args)
	if bareCall(n) {
		c.bareCall(n)
		return
	}
	if f, ok := c.cat.CoreFunc(n.Name); ok {
		if _, ok := f.Accepts(nargs); !ok {
			c.errorf(CodeArity, n.Rng, "%s takes %s, not %d", n.Name, arities(f), nargs)
			return
		}
		if !f.AcceptsIn(nargs, c.routeMask) {
			c.errorf(CodeRouteType, n.Rng, "%s cannot be used in %s", n.Name, c.route.Keyword)
			return
		}
		c.coreArgs(n)
		return
	}
	var avail []*catalog.Func
	for _, f := range c.cat.Func(n.Name) {
		if c.moduleLoaded(f.Module) {
			avail = append(avail, f)
		}
	}
	if len(avail) == 0 {
		if all := c.cat.Func(n.Name); len(all) > 0 {
			mod := all[0].Module
			file := mod
			if m := c.cat.Module(mod); m != nil {
				file = m.File
			}
			d := c.errorf(CodeMissingModule, n.NameRange, "%s is a function of module %s, which is not loaded", n.Name, mod)
			d.Detail = "missing loadmodule \"" + file + ".so\"?"
			return
		}
		d := c.errorf(CodeUnknownFunc, n.NameRange, "unknown function %s", n.Name)
		if s := diag.Suggest(n.Name, c.knownFuncNames()); s != "" {
			d.Detail = "did you mean " + s + "?"
		}
		return
	}
	var arityOK *catalog.Func
	for _, f := range avail {
		if _, ok := f.Accepts(nargs); ok {
			arityOK = f
			if f.AcceptsIn(nargs, c.routeMask) {
				c.newerFunc(f, n)
				c.funcUses[c.route.Title()] = append(c.funcUses[c.route.Title()], funcUse{f, n})
				c.constArgs(f, n)
				c.moduleArgs(f, n)
				return
			}
		}
	}
	if arityOK == nil {
		c.errorf(CodeArity, n.Rng, "%s takes %s, not %d", n.Name, arities(avail[0]), nargs)
		return
	}
	fo, _ := arityOK.Accepts(nargs)
	c.errorf(CodeRouteType, n.NameRange, "%s cannot be used in %s (allowed in: %s)", n.Name, c.route.Keyword, routesText(fo.Routes))
}

// newerFunc reports a function kamgo runs that a later Kamailio release
// than the one checked for added (the catalog's additions): that release's
// Kamailio does not know it.
func (c *checker) newerFunc(f *catalog.Func, n *ast.Call) {
	since, ok := newerRelease(f.Ext)
	if !ok {
		return
	}
	d := c.errorf(CodeNewerFunc, n.NameRange, "function %s of module %s needs Kamailio %s or newer; the config is checked for Kamailio %s", n.Name, f.Module, since, c.cat.Release())
	d.Detail = "check for the release you run: kamgo check --kamailio " + since
}

func (c *checker) knownFuncNames() []string {
	var out []string
	for _, lm := range c.loaded {
		for _, f := range lm.mod.Funcs {
			out = append(out, f.Name)
		}
	}
	return out
}

func arities(f *catalog.Func) string {
	var parts []string
	seen := map[int]bool{}
	for _, fo := range f.Forms {
		if seen[fo.Args] {
			continue
		}
		seen[fo.Args] = true
		if fo.Args < 0 {
			return "any number of arguments"
		}
		parts = append(parts, strconv.Itoa(fo.Args))
	}
	s := strings.Join(parts, " or ")
	if s == "1" {
		return "1 argument"
	}
	return s + " arguments"
}

func routesText(m routetype.Mask) string {
	names := map[string]string{
		"REQUEST": "request_route", "FAILURE": "failure_route", "ONREPLY": "onreply_route",
		"BRANCH": "branch_route", "ONSEND": "onsend_route", "CORE_ONREPLY": "reply_route",
		"EVENT": "event_route", "ERROR": "error_route", "LOCAL": "local_route",
		"BRANCH_FAILURE": "branch_failure_route",
	}
	var out []string
	for _, p := range strings.Split(m.String(), "|") {
		if n, ok := names[p]; ok {
			out = append(out, n)
		} else {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// coreArgs checks the arguments of core actions whose grammar takes
// literals, which Kamailio resolves while parsing (flags, log texts).
func (c *checker) coreArgs(n *ast.Call) {
	switch n.Name {
	case "strip", "strip_tail", "set_advertised_port":
		if len(n.Args) == 1 {
			if s, ok := n.Args[0].(*ast.StrLit); ok {
				c.errorf(CodeIntArg, s.Rng, "%s takes a number, not the string %q", n.Name, s.Value)
			}
		}
	case "setflag", "resetflag", "isflagset":
		if len(n.Args) == 1 {
			c.flagArg(n.Args[0])
		}
	case "log":
		if len(n.Args) == 2 {
			if l, ok := n.Args[0].(*ast.IntLit); !ok || l.Value < 0 {
				c.errorf(CodeLiteralArg, n.Args[0].Span(), "the level of log must be a number written as such").Detail =
					"log(1, \"text\"); use xlog for a level named or computed"
			}
		}
		c.strLitArg(n, n.Args[len(n.Args)-1])
	case "error":
		for _, a := range n.Args {
			c.strLitArg(n, a)
		}
	}
}

// flagArg checks a flag: a number in range or a name declared above (a
// name may be quoted, but a quoted number is still a name).
func (c *checker) flagArg(e ast.Expr) {
	switch a := e.(type) {
	case *ast.IntLit:
		if a.Value < 0 || a.Value > maxFlag {
			c.errorf(CodeFlag, a.Rng, "bad flag value %d: flags are 0..%d", a.Value, maxFlag)
		}
	case *ast.Ident:
		c.flagName(a.Name, a.Rng)
	case *ast.StrLit:
		c.flagName(a.Value, a.Rng)
	default:
		c.errorf(CodeFlag, e.Span(), "a flag is a number or a declared name, not an expression")
	}
}

// flagName checks that a flag name is declared above the route using it:
// Kamailio resolves it while it reads the route.
func (c *checker) flagName(name string, r diag.Range) {
	at, ok := c.flags[name]
	switch {
	case !ok:
		c.errorf(CodeFlag, r, "flag %q is not declared", name)
	case at > c.itemIdx:
		c.errorf(CodeFlag, r, "flag %q is declared below this route", name).Detail =
			"move the flags line above the routes that use it"
	}
}

// strLitArg reports an argument of log or error that is not a string
// literal: the grammar takes nothing else there.
func (c *checker) strLitArg(n *ast.Call, a ast.Expr) {
	if _, ok := a.(*ast.StrLit); !ok {
		c.errorf(CodeLiteralArg, a.Span(), "%s takes a string literal here", n.Name).Detail =
			"use xlog to print pseudo-variables and expressions"
	}
}

// bareCall reports whether a call was written without parentheses
// (force_rport;): the parser then gives it its name's range.
func bareCall(n *ast.Call) bool { return len(n.Args) == 0 && n.Rng == n.NameRange }

// bareCall checks a name written as a statement without parentheses. Only
// the core actions the catalog marks Bare may be written so; for any other
// name Kamailio's grammar wants "(" and ")" and reports a syntax error, the
// one the parser would report had it known the name.
func (c *checker) bareCall(n *ast.Call) {
	f, ok := c.cat.CoreFunc(n.Name)
	if !ok || !f.Bare {
		c.errorf(parser.CodeParenExpected, n.NameRange, "'(' expected after function name %q", n.Name).Detail =
			"call it with parentheses: " + n.Name + "()"
		return
	}
	for _, fo := range f.Forms {
		if fo.Routes.Allows(c.routeMask) {
			return
		}
	}
	if len(f.Forms) > 0 {
		c.errorf(CodeRouteType, n.Rng, "%s cannot be used in %s", n.Name, c.route.Keyword)
	}
}
