package check

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
)

// call resolves a function call: core action or module function, its
// argument count and whether the enclosing route type allows it.
func (c *checker) call(n *ast.Call) {
	nargs := len(n.Args)
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
				c.funcUses[c.route.Title()] = append(c.funcUses[c.route.Title()], funcUse{f, n})
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

// coreArgs checks the arguments of core actions whose values Kamailio
// resolves while parsing (flags).
func (c *checker) coreArgs(n *ast.Call) {
	switch n.Name {
	case "strip", "strip_tail", "set_advertised_port":
		if len(n.Args) == 1 {
			if s, ok := n.Args[0].(*ast.StrLit); ok {
				c.errorf(CodeIntArg, s.Rng, "%s takes a number, not the string %q", n.Name, s.Value)
			}
		}
	case "setflag", "resetflag", "isflagset":
		if len(n.Args) != 1 {
			return
		}
		switch a := n.Args[0].(type) {
		case *ast.IntLit:
			if a.Value < 0 || a.Value > 31 {
				c.errorf(CodeFlag, a.Rng, "bad flag value %d: flags are 0..31", a.Value)
			}
		case *ast.Ident:
			if _, ok := c.flags[a.Name]; !ok {
				c.errorf(CodeFlag, a.Rng, "flag %q is not declared", a.Name)
			}
		}
	}
}
