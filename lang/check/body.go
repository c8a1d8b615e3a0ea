package check

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/lang/routetype"
)

func (c *checker) block(stmts []ast.Stmt) {
	for _, s := range stmts {
		c.stmt(s)
	}
	c.asyncExit(stmts)
}

func (c *checker) stmt(s ast.Stmt) {
	switch n := s.(type) {
	case *ast.Block:
		c.block(n.Stmts)
	case *ast.If:
		c.expr(n.Cond)
		c.stmt(n.Then)
		if n.Else != nil {
			c.stmt(n.Else)
		}
	case *ast.Switch:
		c.expr(n.Tag)
		c.switchCases(n)
		for _, cs := range n.Cases {
			if cs.Value != nil {
				c.expr(cs.Value)
			}
			c.block(cs.Body)
		}
	case *ast.While:
		c.expr(n.Cond)
		c.stmt(n.Body)
	case *ast.ReturnStmt:
		if n.Value != nil {
			c.expr(n.Value)
		}
	case *ast.Assign:
		c.assign(n)
	case *ast.ExprStmt:
		c.expr(n.X)
	}
}

func (c *checker) assign(n *ast.Assign) {
	if n.LHS != nil {
		c.pvar(n.LHS)
		if len(n.LHS.Trans) > 0 {
			c.errorf(CodeReadOnlyPV, n.LHS.Rng, "cannot assign to %s: a pseudo-variable with transformations is read-only", n.LHS.Text)
		} else if cl := c.cat.PVClass(n.LHS.Class); cl != nil && !cl.Writable {
			c.errorf(CodeReadOnlyPV, n.LHS.Rng, "cannot assign to %s: $%s is read-only", n.LHS.Text, n.LHS.Class)
		}
	}
	if n.RHS != nil {
		c.expr(n.RHS)
	}
}

func (c *checker) switchCases(n *ast.Switch) {
	seen := map[string]*ast.Case{}
	defaults := 0
	var intCase, strCase *ast.Case
	for _, cs := range n.Cases {
		switch cs.Value.(type) {
		case *ast.IntLit:
			if intCase == nil {
				intCase = cs
			}
		case *ast.StrLit:
			if strCase == nil {
				strCase = cs
			}
		}
	}
	if intCase != nil && strCase != nil {
		later := strCase
		if strCase.Rng.Start.Before(intCase.Rng.Start) {
			later = intCase
		}
		d := c.errorf(CodeSwitch, later.Rng, "type mismatch in case: a switch cannot mix integer and string cases")
		d.Related = append(d.Related, diag.Related{Message: "other case", Range: map[bool]diag.Range{true: intCase.Rng, false: strCase.Rng}[later == strCase]})
	}
	for _, cs := range n.Cases {
		if cs.Value == nil {
			defaults++
			continue
		}
		if !isConstCase(cs.Value) {
			c.errorf(CodeSwitch, cs.Value.Span(), "case needs a constant: a number or a string").Detail =
				"use if/else to compare with a variable"
			continue
		}
		key := ""
		switch v := cs.Value.(type) {
		case *ast.IntLit:
			key = "i:" + strconv.FormatInt(v.Value, 10)
		case *ast.StrLit:
			key = "s:" + v.Value
			if cs.Regex {
				if _, err := regexp.Compile("(?i)" + v.Value); err != nil {
					d := c.errorf(CodeRegex, n.Rng, "bad regular expression %q in case: %v", v.Value, err)
					d.Related = append(d.Related, diag.Related{Message: "the case", Range: v.Rng})
				}
			}
		}
		if key == "" {
			continue
		}
		if prev, ok := seen[key]; ok {
			// Kamailio finds this when the whole switch is reduced.
			d := c.errorf(CodeSwitch, n.Rng, "duplicate case in switch")
			d.Related = append(d.Related, diag.Related{Message: "repeated here", Range: cs.Rng}, diag.Related{Message: "first case here", Range: prev.Rng})
			continue
		}
		seen[key] = cs
	}
	if defaults > 1 {
		c.errorf(CodeSwitch, n.Rng, "switch has more than one default")
	}
	if defaults == 1 && len(n.Cases) == 1 {
		d := c.errorf(CodeSwitch, n.Rng, "a switch with only a default label is not accepted")
		d.Detail = "write the default body without the switch"
	}
}

// expr checks names inside an expression and constant types.
func (c *checker) expr(e ast.Expr) {
	c.exprType(e)
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.PVar:
			c.pvar(n)
			return false
		case *ast.Call:
			c.call(n)
			if _, core := c.cat.CoreFunc(n.Name); core {
				// Core actions take flag names and host names as bare
				// words; their grammar decides.
				for _, a := range n.Args {
					if _, bare := a.(*ast.Ident); !bare {
						c.expr(a)
					}
				}
				return false
			}
		case *ast.Ident:
			c.ident(n)
		case *ast.RouteCall:
			c.routeCall(n)
		case *ast.Binary:
			if x, ok := n.X.(*ast.Ident); ok && legacyWords[x.Name] {
				if y, ok := n.Y.(*ast.Ident); ok {
					// src_ip == backup.example.com: a host name operand.
					c.okIdents[y] = true
				}
			}
			if n.Op == "=~" {
				if s, ok := unparen(n.Y).(*ast.StrLit); ok {
					if _, err := regexp.Compile("(?i)" + s.Value); err != nil {
						c.errorf(CodeRegex, s.Rng, "bad regular expression %q: %v", s.Value, err)
					}
				}
			}
		case *ast.AssignExpr:
			if n.A != nil {
				c.assign(n.A)
			}
			return false
		}
		return true
	})
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// Static types of constant expressions, as Kamailio's expression type
// check sees them before any run time value exists.
type staticType uint8

const (
	tUnknown staticType = iota
	tInt
	tStr
)

func (c *checker) exprType(e ast.Expr) staticType {
	switch n := e.(type) {
	case *ast.IntLit:
		return tInt
	case *ast.StrLit:
		return tStr
	case *ast.Paren:
		return c.exprType(n.X)
	case *ast.Unary:
		t := c.exprType(n.X)
		switch n.Op {
		case "(int)":
			return tInt
		case "(str)":
			return tStr
		case "strlen", "strempty", "defined":
			if t == tInt {
				c.errorf(CodeTypeMismatch, n.X.Span(), "%s needs a string, not an integer", n.Op)
			}
			return tInt
		default: // ! - ~
			if t == tStr {
				c.errorf(CodeTypeMismatch, n.X.Span(), "operator %s needs an integer, not a string", n.Op)
			}
			return tInt
		}
	case *ast.Selval:
		c.exprType(n.Cond)
		a, b := c.exprType(n.A), c.exprType(n.B)
		if a == b {
			return a
		}
		return tUnknown
	case *ast.Binary:
		x, y := c.exprType(n.X), c.exprType(n.Y)
		switch n.Op {
		case "+":
			if x == tInt && y == tStr {
				c.errorf(CodeTypeMismatch, n.Y.Span(), "integer + string: the left operand decides the type, and a string is not an integer")
			}
			return x
		case "-", "*", "/", "mod", "|", "&", "^", "<<", ">>", "&&", "||":
			if x == tStr {
				c.errorf(CodeTypeMismatch, n.X.Span(), "operator %s needs integers, not a string", n.Op)
			} else if y == tStr {
				c.errorf(CodeTypeMismatch, n.Y.Span(), "operator %s needs integers, not a string", n.Op)
			}
			return tInt
		case "==", "!=", "=~":
			// The left operand decides: a string on the left converts an
			// integer on the right, not the other way round.
			if x == tInt && y == tStr {
				c.errorf(CodeTypeMismatch, n.Y.Span(), "comparing an integer with a string constant: the left operand makes this an integer comparison")
			}
			return tInt
		case "<", ">", "<=", ">=":
			if x == tInt && y == tStr {
				c.errorf(CodeTypeMismatch, n.Y.Span(), "comparing an integer with a string constant")
			} else if x == tStr && y == tInt {
				c.errorf(CodeTypeMismatch, n.X.Span(), "comparing a string constant with an integer")
			}
			return tInt
		}
		return tInt
	case *ast.Call, *ast.RouteCall:
		return tInt
	}
	return tUnknown
}

// pvar checks a pseudo-variable reference: class, owning module, fixed
// names, index and transformations.
func (c *checker) pvar(p *ast.PVar) {
	cls := c.pvClass(p)
	if cls == nil {
		return
	}
	if cls.Names != nil && p.Name != nil && p.Name.Dyn == nil && !cls.HasName(p.Name.Text) {
		d := c.errorf(CodePVName, p.Rng, "unknown name %q for $%s", p.Name.Text, p.Class)
		if s := diag.Suggest(p.Name.Text, cls.Names); s != "" {
			d.Detail = "did you mean $" + p.Class + "(" + s + ")?"
		} else {
			d.Detail = "valid names: " + strings.Join(cls.Names, ", ")
		}
	}
	if p.Name != nil && p.Name.Dyn != nil {
		for _, part := range p.Name.Dyn.Parts {
			if part.PV != nil {
				c.pvar(part.PV)
			}
		}
	}
	if p.Index != nil && p.Index.PV != nil {
		c.pvar(p.Index.PV)
	}
	for _, tr := range p.Trans {
		tc := c.cat.Trans(tr.Class)
		if tc == nil || !c.moduleLoaded(tc.Module) {
			var names []string
			for _, m := range c.cat.Modules() {
				for _, t := range m.Trans {
					names = append(names, t.Name)
				}
			}
			d := c.errorf(CodeUnknownTrans, tr.Rng, "unknown transformation class {%s.%s}", tr.Class, tr.Op)
			if tc != nil {
				d.Detail = "transformation class " + tr.Class + " comes from module " + tc.Module + ": missing loadmodule \"" + tc.Module + ".so\"?"
			} else if s := diag.Suggest(tr.Class, names); s != "" {
				d.Detail = "did you mean {" + s + "." + tr.Op + "}?"
			}
			continue
		}
		if !tc.HasOp(tr.Op) {
			d := c.errorf(CodeUnknownTransOp, tr.Rng, "unknown transformation {%s.%s}", tr.Class, tr.Op)
			if s := diag.Suggest(tr.Op, tc.Ops); s != "" {
				d.Detail = "did you mean {" + tr.Class + "." + s + "}?"
			}
			continue
		}
		if n, ok := transParams[tr.Class+"."+tr.Op]; ok && len(tr.Params) < n {
			c.errorf(CodeUnknownTransOp, tr.Rng, "{%s.%s} needs %d parameter(s)", tr.Class, tr.Op, n)
		}
		for _, tp := range tr.Params {
			if tp.PV != nil {
				c.pvar(tp.PV)
			}
		}
	}
}

// transParams lists the minimum parameter counts of transformations whose
// parser rejects missing parameters (pv_trans.c at 5.6.3).
var transParams = map[string]int{
	"s.substr": 2, "s.select": 2, "s.replace": 2, "s.strip": 1, "s.striptail": 1,
	"s.timeformat": 1, "param.value": 1, "param.valueat": 1, "param.name": 1,
	"param.in": 1, "uri.param": 1, "line.at": 1, "line.sw": 1,
}

// pvClass resolves a class, reporting unknown classes and classes whose
// module is not loaded. It returns nil when nothing more can be checked.
func (c *checker) pvClass(p *ast.PVar) *catalog.PVClass {
	if p.Class == pvsyntax.AttrClass {
		return nil // SER attributes are core AVP references
	}
	owners := c.cat.PVClasses(p.Class)
	if len(owners) == 0 {
		if p.Name == nil && p.Index == nil && len(p.Trans) == 0 && !strings.HasPrefix(p.Text, "$(") {
			// Kamailio reads an unknown bare $name as an AVP named name.
			return nil
		}
		var names []string
		for _, m := range c.cat.Modules() {
			for _, pv := range m.PVs {
				names = append(names, pv.Name)
			}
		}
		d := c.errorf(CodeUnknownPV, p.Rng, "unknown pseudo-variable class $%s", p.Class)
		if s := diag.Suggest(p.Class, names); s != "" {
			d.Detail = "did you mean $" + s + "?"
		}
		return nil
	}
	for _, o := range owners {
		if o.Module == "core" || c.moduleLoaded(o.Module) {
			return o
		}
	}
	c.errorf(CodePVNoModule, p.Rng, "$%s comes from module %s, which is not loaded", p.Class, owners[0].Module).Detail =
		"add loadmodule \"" + owners[0].Module + ".so\""
	return nil
}

func (c *checker) moduleLoaded(name string) bool {
	if name == "core" {
		return true
	}
	lm, ok := c.loaded[name]
	return ok && lm.order < c.itemIdx
}

func (c *checker) routeCall(n *ast.RouteCall) {
	if n.Dyn != nil {
		return
	}
	if n.Name == "" {
		return
	}
	if !c.routeDefined(ast.Named, n.Name) {
		d := c.errorf(CodeUndefinedRoute, n.NameRange, "route %q is not defined", n.Name)
		if s := diag.Suggest(n.Name, c.routeNames(ast.Named)); s != "" {
			d.Detail = "did you mean route(" + s + ")?"
		}
		return
	}
	c.calls[c.route.Title()] = append(c.calls[c.route.Title()], n.Name)
}

func (c *checker) routeNames(kind ast.RouteKind) []string {
	var out []string
	for k := range c.routes {
		if k.kind == kind {
			out = append(out, k.name)
		}
	}
	return out
}

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

// argKind tells how a module function uses an argument, where Kamailio's
// fixup for it rejects bad constant values at startup.
type argKind uint8

const (
	argAny     argKind = iota
	argFormat          // a format string: pseudo-variables are parsed
	argOutPV           // must name a writable pseudo-variable
	argPV              // must name a pseudo-variable
	argInt             // an integer or a pseudo-variable
	argRoute           // names a route of the kind in the table
	argRegex           // a regular expression
	argMethods         // a comma-separated list of SIP method names
	argSubst           // a sed-style /re/replacement/flags expression
)

type funcArgs struct {
	kinds []argKind
	route ast.RouteKind // for argRoute
}

// moduleArgFixups lists what the fixups of common functions require of
// constant arguments (read from each module's fixup functions at 5.6.3).
var moduleArgFixups = map[string]funcArgs{
	"xlog": {kinds: []argKind{argFormat}}, "xdbg": {kinds: []argKind{argFormat}},
	"xinfo": {kinds: []argKind{argFormat}}, "xnotice": {kinds: []argKind{argFormat}},
	"xwarn": {kinds: []argKind{argFormat}}, "xerr": {kinds: []argKind{argFormat}},
	"xbug": {kinds: []argKind{argFormat}}, "xalert": {kinds: []argKind{argFormat}},
	"xcrit": {kinds: []argKind{argFormat}}, "xlogl": {kinds: []argKind{argFormat}},
	"evapi_relay": {kinds: []argKind{argFormat}}, "evapi_async_relay": {kinds: []argKind{argFormat}},
	"evapi_multicast": {kinds: []argKind{argFormat, argFormat}}, "evapi_async_multicast": {kinds: []argKind{argFormat, argFormat}},
	"evapi_unicast": {kinds: []argKind{argFormat, argFormat}}, "evapi_async_unicast": {kinds: []argKind{argFormat, argFormat}},
	"evapi_set_tag": {kinds: []argKind{argFormat}},
	"append_hf":     {kinds: []argKind{argFormat, argAny}},
	"pv_unset":      {kinds: []argKind{argPV}}, "pv_isset": {kinds: []argKind{argPV}},
	"jansson_get":              {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"jansson_get_field":        {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"jansson_array_size":       {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"json_get_field":           {kinds: []argKind{argFormat, argFormat, argOutPV}},
	"sl_send_reply":            {kinds: []argKind{argInt, argAny}},
	"t_reply":                  {kinds: []argKind{argInt, argAny}},
	"mf_process_maxfwd_header": {kinds: []argKind{argInt}},
	"is_method":                {kinds: []argKind{argMethods}},
	"subst":                    {kinds: []argKind{argSubst}},
	"subst_uri":                {kinds: []argKind{argSubst}},
	"subst_user":               {kinds: []argKind{argSubst}},
	"subst_body":               {kinds: []argKind{argSubst}},
	"search":                   {kinds: []argKind{argRegex}},
	"t_on_failure":             {kinds: []argKind{argRoute}, route: ast.Failure},
	"t_on_branch":              {kinds: []argKind{argRoute}, route: ast.Branch},
	"t_on_reply":               {kinds: []argKind{argRoute}, route: ast.OnReply},
	"t_continue":               {kinds: []argKind{argAny, argAny, argRoute}, route: ast.Named},
}

// moduleArgs checks constant arguments of a module function call against
// what its fixup accepts. Problems Kamailio only finds at startup are still
// errors: Kamailio refuses to run the config.
func (c *checker) moduleArgs(f *catalog.Func, n *ast.Call) {
	spec, ok := moduleArgFixups[f.Name]
	if !ok {
		return
	}
	for i, a := range n.Args {
		k := argAny
		if i < len(spec.kinds) {
			k = spec.kinds[i]
		} else if len(spec.kinds) == 1 && strings.HasPrefix(f.Name, "x") {
			k = argFormat // xlog(level, fmt): the last argument is the format
		}
		if strings.HasPrefix(f.Name, "x") && f.Module == "xlog" && i < len(n.Args)-1 {
			k = argAny // xlog's level argument
		}
		s, isStr := a.(*ast.StrLit)
		switch k {
		case argFormat:
			if isStr {
				c.format(s)
			}
		case argOutPV, argPV:
			if isStr {
				p, d := pvsyntax.ParsePV(s.Value, s.Rng)
				if d != nil || !strings.HasPrefix(s.Value, "$") {
					c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must name a pseudo-variable, not %q", i+1, f.Name, s.Value)
					continue
				}
				c.pvar(p)
				if k == argOutPV {
					if cl := c.cat.PVClass(p.Class); cl != nil && !cl.Writable {
						c.errorf(CodeOutputPV, s.Rng, "argument %d of %s must be a writable pseudo-variable; $%s is read-only", i+1, f.Name, p.Class)
					}
				}
			} else if _, ok := a.(*ast.PVar); !ok && k == argPV {
				c.errorf(CodeOutputPV, a.Span(), "argument %d of %s must name a pseudo-variable", i+1, f.Name)
			}
		case argInt:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := strconv.Atoi(strings.TrimSpace(s.Value)); err != nil {
					c.errorf(CodeIntArg, s.Rng, "argument %d of %s must be a number, not %q", i+1, f.Name, s.Value)
				}
			}
		case argRegex:
			if isStr && !strings.Contains(s.Value, "$") {
				if _, err := regexp.Compile(s.Value); err != nil {
					c.errorf(CodeRegex, s.Rng, "bad regular expression %q: %v", s.Value, err)
				}
			}
		case argMethods:
			if isStr && !strings.Contains(s.Value, "$") {
				for _, m := range strings.FieldsFunc(s.Value, func(r rune) bool { return r == ',' || r == '|' }) {
					if !sipMethods[strings.ToUpper(strings.TrimSpace(m))] {
						c.errorf(CodeIntArg, s.Rng, "%s: unknown SIP method %q (only defined methods are accepted)", f.Name, strings.TrimSpace(m))
						break
					}
				}
			}
		case argSubst:
			if isStr {
				if msg := checkSubst(s.Value); msg != "" {
					c.errorf(CodeRegex, s.Rng, "%s: %s", f.Name, msg)
				}
			}
		case argRoute:
			if isStr && !strings.Contains(s.Value, "$") && !c.routeDefined(spec.route, s.Value) {
				c.warnf(CodeRouteRefArg, s.Rng, "%s names %s[%s], which is not defined", f.Name, spec.route, s.Value)
			}
		}
	}
}

// format checks the pseudo-variables of a format string argument.
func (c *checker) format(s *ast.StrLit) {
	if !strings.Contains(s.Value, "$") {
		return
	}
	f, diags := pvsyntax.ParseFormat(s.Value, s.Rng)
	for _, d := range diags {
		d.Code = CodeFormat
		if c.route != nil {
			d.Context = c.route.Title()
		}
		c.diags = append(c.diags, d)
	}
	for _, p := range f.Parts {
		if p.PV != nil {
			c.formatPV(p.PV)
		}
	}
}

// formatPV checks a pseudo-variable inside a format string, where (unlike
// in expressions) an unknown bare $name is an error, not an AVP.
func (c *checker) formatPV(p *ast.PVar) {
	if len(c.cat.PVClasses(p.Class)) == 0 {
		d := c.errorf(CodeUnknownPV, p.Rng, "unknown pseudo-variable class $%s in format string", p.Class)
		d.Detail = fmt.Sprintf("write $$ for a literal dollar sign, or check the name %q", p.Class)
		return
	}
	c.pvar(p)
}

// eventRoute warns about event_route names no loaded module raises.
func (c *checker) eventRoute(r *ast.Route) {
	owner, ok := c.cat.EventOwner(r.Name)
	if ok && (owner == "core" || c.loadedByName(owner)) {
		return
	}
	d := c.warnf(CodeUnknownEvent, r.NameRange, "no loaded module raises event_route[%s]", r.Name)
	if ok {
		d.Detail = "it is raised by module " + owner + ": missing loadmodule \"" + owner + ".so\"?"
	} else if i := strings.IndexByte(r.Name, ':'); i > 0 {
		var names []string
		if m := c.cat.Module(r.Name[:i]); m != nil {
			names = m.Events
		}
		if s := diag.Suggest(r.Name, names); s != "" {
			d.Detail = "did you mean event_route[" + s + "]?"
		}
	}
}

func (c *checker) loadedByName(name string) bool {
	_, ok := c.loaded[name]
	return ok
}

// asyncExit warns when an evapi_async_* call is not followed by exit in
// its block: after suspending the transaction the script must stop, or it
// relays the request a second time. Logging and assignments in between are
// harmless.
func (c *checker) asyncExit(stmts []ast.Stmt) {
	for i, s := range stmts {
		es, ok := s.(*ast.ExprStmt)
		if !ok {
			continue
		}
		call, ok := es.X.(*ast.Call)
		if !ok || !strings.HasPrefix(call.Name, "evapi_async_") {
			continue
		}
		exits := false
	scan:
		for _, next := range stmts[i+1:] {
			switch n := next.(type) {
			case *ast.ReturnStmt:
				exits = n.Kind != ast.Return
				break scan
			case *ast.Assign, *ast.Empty:
				continue
			case *ast.ExprStmt:
				if f, ok := n.X.(*ast.Call); ok && (strings.HasPrefix(f.Name, "x") || f.Name == "log") {
					continue // xlog and friends
				}
				break scan
			default:
				break scan
			}
		}
		if !exits {
			c.warnf(CodeAsyncNoExit, call.NameRange, "%s suspends the transaction: the script should exit after it", call.Name)
		}
	}
}

// callGraph warns when a route[X] reached from a route of another type
// calls a function that type does not allow (Kamailio checks route[] bodies
// as request routes only).
func (c *checker) callGraph(cfg *ast.Config) {
	reach := map[string]routetype.Mask{} // named route -> types reaching it
	var visit func(name string, m routetype.Mask, depth int)
	visit = func(name string, m routetype.Mask, depth int) {
		if depth > 64 || reach[name]&m == m {
			return
		}
		reach[name] |= m
		for _, callee := range c.calls["route["+name+"]"] {
			visit(callee, m, depth+1)
		}
	}
	for _, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok || r.Kind == ast.Named {
			continue
		}
		for _, callee := range c.calls[r.Title()] {
			visit(callee, routetype.Of(r.Kind), 0)
		}
	}
	for _, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok || r.Kind != ast.Named {
			continue
		}
		m := reach[r.Name]
		for _, u := range c.funcUses[r.Title()] {
			for _, rt := range []routetype.Mask{routetype.Failure, routetype.OnReply, routetype.Branch, routetype.OnSend, routetype.CoreOnReply, routetype.Event} {
				if m&rt == 0 || (rt == routetype.Event && m&routetype.OnEvent == 0) {
					continue
				}
				if !u.fn.AcceptsIn(len(u.call.Args), rt) {
					d := c.diags.Warnf(CodeRouteTypeCall, u.call.NameRange, "%s cannot be used in %s, which reaches route[%s] through route()", u.call.Name, routesText(rt), r.Name)
					d.Context = r.Title()
				}
			}
		}
	}
}

// sipMethods are the method names Kamailio's method parser knows.
var sipMethods = map[string]bool{
	"INVITE": true, "CANCEL": true, "ACK": true, "BYE": true, "INFO": true, "REGISTER": true,
	"SUBSCRIBE": true, "NOTIFY": true, "MESSAGE": true, "OPTIONS": true, "PRACK": true,
	"UPDATE": true, "REFER": true, "PUBLISH": true, "KDMQ": true, "GET": true, "POST": true,
	"PUT": true, "DELETE": true,
}

// checkSubst validates a sed-style /re/repl/flags expression and returns a
// message, or "" when it is valid.
func checkSubst(e string) string {
	if len(e) < 3 {
		return "substitution expression too short"
	}
	sep := e[0]
	var parts []string
	cur := strings.Builder{}
	for i := 1; i < len(e); i++ {
		if e[i] == '\\' && i+1 < len(e) {
			cur.WriteByte(e[i])
			cur.WriteByte(e[i+1])
			i++
			continue
		}
		if e[i] == sep {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(e[i])
	}
	parts = append(parts, cur.String())
	if len(parts) != 3 {
		return fmt.Sprintf("bad substitution %q: want %cregex%creplacement%cflags", e, sep, sep, sep)
	}
	if _, err := regexp.Compile(parts[0]); err != nil {
		return fmt.Sprintf("bad regular expression %q: %v", parts[0], err)
	}
	return ""
}

// isConstCase reports whether a case value is a constant expression
// (Kamailio folds `case 1+1:` but refuses variables and calls).
func isConstCase(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.IntLit, *ast.StrLit:
		return true
	case *ast.Unary:
		return isConstCase(e.X)
	case *ast.Binary:
		return isConstCase(e.X) && isConstCase(e.Y)
	case *ast.Paren:
		return isConstCase(e.X)
	}
	return false
}

// legacyWords are the bare words Kamailio's grammar accepts as values in
// expressions (its exp_elem operands and their right-hand constants).
var legacyWords = map[string]bool{
	"method": true, "uri": true, "status": true, "from_uri": true, "to_uri": true,
	"src_ip": true, "dst_ip": true, "snd_ip": true, "to_ip": true, "src_port": true,
	"dst_port": true, "snd_port": true, "to_port": true, "proto": true, "snd_proto": true,
	"af": true, "snd_af": true, "myself": true, "msg:len": true, "uri:host": true,
	"uri:port": true, "rcvip": true, "rcvport": true, "max_len": true,
	"udp": true, "tcp": true, "tls": true, "sctp": true, "ws": true, "wss": true,
	"inet": true, "inet6": true, "ipv4": true, "ipv6": true, "any": true,
}

// ident reports a bare word used as a value that is neither a legacy
// keyword nor anything else Kamailio accepts there: typically a #!define
// that is not defined.
func (c *checker) ident(n *ast.Ident) {
	if legacyWords[n.Name] || legacyWords[strings.ToLower(n.Name)] || c.okIdents[n] {
		return
	}
	d := c.errorf(CodeBareWord, n.Rng, "%q is not a value here", n.Name)
	d.Detail = "a bare word is only a keyword such as method, uri or myself; a #!define named " + n.Name + " may be missing"
}
