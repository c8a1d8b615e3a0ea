package interp

import (
	"errors"
	"regexp"
	"strconv"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// action is a compiled statement. It returns the statement's return code
// (Kamailio's do_action result) and may set control flags on x.
type action func(x *exec) int

type compiler struct {
	env    *Env
	prog   *Program
	route  *route
	diags  diag.List
	fixups []func()
	// flagBits has a bit set for each flag bit a declared name took.
	flagBits uint32
	// inAssignExpr is set while compiling `($x = ...)` used as a value.
	inAssignExpr bool

	// For the static hosts (statichost.go): the route being compiled (its
	// table and index in Kamailio's fixing order), the places of the
	// statements enclosing the one being compiled, outermost first, and
	// where the token after it starts.
	routeTable, routeIndex int
	encl                   []Place
	follow                 diag.Pos
	absFiles               map[string]string
}

// runActions runs a statement list as Kamailio's run_actions: it counts
// the nesting level, stops at break/return/exit and yields the code of the
// last statement run (1 for an empty list).
func runActions(x *exec, acts []action) int {
	x.lev++
	if x.lev > x.p.maxRec {
		coreLog(x.c, klog.Err, "run_actions(): too many recursive routing table lookups (%d) giving up!", x.lev)
		x.lev--
		return -1
	}
	ret := 1
	for _, a := range acts {
		x.c.BeginAction()
		if x.c.LogRefresh != nil {
			x.c.LogRefresh()
			ret = a(x)
			x.c.LogRefresh()
		} else {
			ret = a(x)
		}
		if x.flags&(breakF|returnF|exitF) != 0 {
			if x.flags&exitF != 0 {
				x.c.RC = int64(ret)
			}
			break
		}
	}
	x.lev--
	return ret
}

// stmts compiles a statement list; cp.follow is where the token after
// the list starts.
func (cp *compiler) stmts(list []ast.Stmt) []action {
	end := cp.follow
	out := make([]action, 0, len(list))
	for i, s := range list {
		cp.follow = end
		if i+1 < len(list) {
			cp.follow = list[i+1].Span().Start
		}
		if a := cp.stmt(s); a != nil {
			out = append(out, a)
		}
	}
	cp.follow = end
	return out
}

// body compiles the statement of an if/while arm as a list; follow is
// where the token after it starts.
func (cp *compiler) body(s ast.Stmt, follow diag.Pos) []action {
	saved := cp.follow
	defer func() { cp.follow = saved }()
	cp.follow = follow
	switch s := s.(type) {
	case nil:
		return nil
	case *ast.Block:
		cp.follow = s.Rng.End
		return cp.stmts(s.Stmts)
	}
	return cp.stmts([]ast.Stmt{s})
}

func (cp *compiler) stmt(s ast.Stmt) action {
	switch s := s.(type) {
	case *ast.Empty:
		return nil
	case *ast.Block:
		saved := cp.follow
		cp.follow = s.Rng.End
		acts := cp.stmts(s.Stmts)
		cp.follow = saved
		return func(x *exec) int {
			ret := runActions(x, acts)
			x.flags &^= breakF
			return ret
		}
	case *ast.If:
		return cp.ifStmt(s)
	case *ast.While:
		return cp.whileStmt(s)
	case *ast.Switch:
		return cp.switchStmt(s)
	case *ast.ReturnStmt:
		return cp.returnStmt(s)
	case *ast.Break:
		return func(x *exec) int {
			x.flags |= breakF
			return int(x.c.RC)
		}
	case *ast.Assign:
		return cp.assign(s)
	case *ast.ExprStmt:
		switch e := s.X.(type) {
		case *ast.Call:
			return cp.call(e)
		case *ast.RouteCall:
			return cp.routeCall(e)
		}
		ev := cp.expr(s.X)
		return func(x *exec) int {
			ev.i(x.c)
			if x.flags&exitF != 0 {
				return 0
			}
			x.flags &^= returnF | breakF
			return 1
		}
	}
	cp.notImplemented(s.Span(), "this statement is not implemented by kamgo")
	return nil
}

func (cp *compiler) ifStmt(s *ast.If) action {
	cond := cp.expr(s.Cond)
	hasElse := s.Else != nil
	// Kamailio dates an if by the last token its parser read: with an
	// else, the end of the else arm; without, the token after the if,
	// read to see that no else follows.
	at, thenFollow := cp.follow.Line, cp.follow
	if hasElse {
		at, thenFollow = s.Rng.End.Line, s.Else.Span().Start
	}
	var then, els []action
	cp.enclose(s.Rng.File, at, func() {
		then, els = cp.body(s.Then, thenFollow), cp.body(s.Else, cp.follow)
	})
	r := s.Cond.Span()
	return func(x *exec) int {
		v, ok := cond.i(x.c)
		if !ok {
			coreLog(x.c, klog.Err, "do_action(): if expression evaluation failed %s", pos(r))
			v = 0
		}
		if x.flags&exitF != 0 {
			return 0
		}
		x.flags &^= returnF | breakF
		if v > 0 {
			return runActions(x, then)
		}
		if hasElse {
			return runActions(x, els)
		}
		return 1
	}
}

func (cp *compiler) whileStmt(s *ast.While) action {
	cond := cp.expr(s.Cond)
	var body []action
	cp.enclose(s.Rng.File, s.Rng.End.Line, func() { body = cp.body(s.Body, s.Rng.End) })
	r := s.Cond.Span()
	at := where(s.Rng)
	return func(x *exec) int {
		maxLoops := x.p.maxWhile
		ret, i := 1, 0
		var fl uint8
		for fl&(breakF|returnF|exitF) == 0 {
			v, ok := cond.i(x.c)
			if !ok || v <= 0 {
				break
			}
			if maxLoops > 0 {
				i++
				if i > maxLoops {
					coreLog(x.c, klog.Err, "do_action(): runaway while (%d, %d): more then %d loops", r.Start.Line, r.Start.Col, maxLoops)
					coreLog(x.c, klog.Err, "do_action(): run action error at: %s", at)
					return -1
				}
			}
			ret = runActions(x, body)
			fl |= x.flags
			x.flags &^= breakF
		}
		return ret
	}
}

// switchStmt flattens the case bodies into one list; each case jumps to
// its first statement, so execution falls through until break.
func (cp *compiler) switchStmt(s *ast.Switch) action {
	tag := cp.expr(s.Tag)
	var all []action
	def := -1
	type arm struct {
		entry int
		isInt bool
		i     int64
		str   string
		re    *regexp.Regexp
	}
	var arms []arm
	strMode := false
	saved := cp.follow
	cp.encl = append(cp.encl, cp.placeOf(s.Rng.File, s.Rng.End.Line))
	for i, c := range s.Cases {
		cp.follow = s.Rng.End
		if i+1 < len(s.Cases) {
			cp.follow = s.Cases[i+1].Rng.Start
		}
		entry := len(all)
		if c.Default || c.Value == nil {
			if def >= 0 {
				cp.unchecked(c.Rng, "switch has more than one default")
			}
			def = entry
		} else {
			v := cp.expr(c.Value)
			if !v.konst {
				cp.unchecked(c.Value.Span(), "case value must be a constant")
			}
			a := arm{entry: entry}
			switch {
			case c.Regex:
				strMode = true
				pat := value.ToStr(v.kv)
				re, err := ere.Compile(pat, false)
				if err != nil {
					cp.unchecked(c.Value.Span(), "bad case regex %q: %v", pat, err)
				}
				a.re = re
			case v.kv.K == value.Int:
				a.isInt, a.i, a.str = true, v.kv.I, strconv.FormatInt(v.kv.I, 10)
			default:
				strMode = true
				a.str = value.ToStr(v.kv)
			}
			arms = append(arms, a)
		}
		all = append(all, cp.stmts(c.Body)...)
	}
	cp.encl, cp.follow = cp.encl[:len(cp.encl)-1], saved
	run := func(x *exec, from int) int {
		ret := runActions(x, all[from:])
		x.flags &^= breakF
		return ret
	}
	if !strMode {
		return func(x *exec) int {
			v, ok := tag.i(x.c)
			ret := 1
			if ok {
				if x.flags&exitF != 0 {
					return 0
				}
				x.flags &^= returnF | breakF
				for _, a := range arms {
					if a.i == v {
						return run(x, a.entry)
					}
				}
			} else {
				ret = -1
			}
			if def >= 0 {
				return run(x, def)
			}
			return ret
		}
	}
	return func(x *exec) int {
		v, ok := tag.val(x.c)
		ret := 1
		if ok {
			if x.flags&exitF != 0 {
				return 0
			}
			x.flags &^= returnF | breakF
			s := value.ToStr(v)
			for _, a := range arms {
				if a.re != nil {
					if a.re.MatchString(s) {
						return run(x, a.entry)
					}
					continue
				}
				if a.str == s {
					return run(x, a.entry)
				}
			}
		} else {
			ret = -1
		}
		if def >= 0 {
			return run(x, def)
		}
		return ret
	}
}

func (cp *compiler) returnStmt(s *ast.ReturnStmt) action {
	var fl uint8
	def := 0
	switch s.Kind {
	case ast.Return:
		fl, def = returnF, 1
	case ast.Exit:
		fl = exitF
	case ast.Drop:
		fl = exitF | dropF
	}
	if s.Value == nil {
		return func(x *exec) int {
			x.flags |= fl
			if def == 0 && fl&returnF != 0 {
				x.flags |= exitF
			}
			return def
		}
	}
	v := cp.expr(s.Value)
	return func(x *exec) int {
		ret, ok := v.i(x.c)
		if !ok {
			coreLog(x.c, klog.Warn, "do_action(): failed to eval int expression")
		}
		x.flags |= fl
		if ret == 0 && x.flags&returnF != 0 {
			x.flags |= exitF
		}
		return int(ret)
	}
}

// assignParts compiles the target and value of an assignment.
func (cp *compiler) assignParts(s *ast.Assign) (func(*event.Context, value.Value) error, *cexpr) {
	var rhs *cexpr
	switch s.RHS.(type) {
	case *ast.Call, *ast.RouteCall:
		// compiled by assign itself; never by an AssignExpr caller twice
		rhs = cp.constExpr(value.NullValue, s.RHS)
		if cp.inAssignExpr {
			rhs = cp.expr(s.RHS)
		}
	default:
		rhs = cp.expr(s.RHS)
	}
	if s.Op != "" && s.Op != "=" {
		cp.unchecked(s.Rng, "operator %q is not an assignment in Kamailio's language", s.Op)
		return nil, rhs
	}
	if s.LHS == nil {
		return nil, rhs
	}
	ref, err := cp.env.Table.Compile(s.LHS)
	if err != nil {
		cp.pvError(err, s.LHS)
		return nil, rhs
	}
	if !ref.Writable() {
		cp.unchecked(s.LHS.Rng, "%s is read-only", s.LHS.Text)
		return nil, rhs
	}
	return ref.Set, rhs
}

func (cp *compiler) assign(s *ast.Assign) action {
	set, rhs := cp.assignParts(s)
	if set == nil {
		return nil
	}
	// A call assigned directly stores its return code, not its truth.
	var direct action
	switch e := s.RHS.(type) {
	case *ast.Call:
		direct = cp.call(e)
	case *ast.RouteCall:
		direct = cp.routeCall(e)
	}
	if direct != nil {
		return func(x *exec) int {
			x.c.RC = 0
			ret := direct(x)
			x.flags &^= returnF | breakF
			if x.flags&exitF != 0 {
				return 0
			}
			if err := set(x.c, value.MakeInt(int64(ret))); err != nil {
				coreLog(x.c, klog.Err, "lval_assign(): assignment failed: %v", err)
				return -1
			}
			return 1
		}
	}
	r := s.RHS.Span()
	return func(x *exec) int {
		v, ok := rhs.val(x.c)
		if !ok {
			coreLog(x.c, klog.Err, "lval_assign(): rval expression evaluation failed %s", pos(r))
			return -1
		}
		if x.flags&exitF != 0 {
			return 0
		}
		if err := set(x.c, v); err != nil {
			coreLog(x.c, klog.Err, "lval_assign(): assignment failed %s: %v", pos(r), err)
			return -1
		}
		return 1
	}
}

// routeCall compiles route(NAME) and route(<expr>).
func (cp *compiler) routeCall(n *ast.RouteCall) action {
	if n.Dyn == nil {
		var target *route
		name, caller := n.Name, cp.route
		cp.fixups = append(cp.fixups, func() {
			if target = cp.prog.named(name); target == nil {
				cp.route = caller
				cp.unchecked(n.NameRange, "route %q is not defined", name)
			}
		})
		return func(x *exec) int { return callRoute(x, target) }
	}
	dyn := cp.expr(n.Dyn)
	at := where(n.Rng)
	return func(x *exec) int {
		v, ok := dyn.val(x.c)
		if !ok {
			coreLog(x.c, klog.Err, "do_action(): failed to convert RVE to string")
			coreLog(x.c, klog.Err, "do_action(): run action error at: %s", at)
			return -1
		}
		name := value.ToStr(v)
		target := x.p.named(name)
		if target == nil {
			coreLog(x.c, klog.Err, "do_action(): route \"%s\" not found at %s", name, at)
			coreLog(x.c, klog.Err, "do_action(): run action error at: %s", at)
			return -1
		}
		return callRoute(x, target)
	}
}

func callRoute(x *exec, r *route) int {
	if r == nil {
		return -1
	}
	x.stack = append(x.stack, r)
	ret := runActions(x, r.body)
	x.stack = x.stack[:len(x.stack)-1]
	x.c.RC = int64(ret)
	x.flags &^= returnF | breakF
	return ret
}

// call compiles a function call: a core action, a loaded module's
// function, or a no-op for a module allowed to be missing.
func (cp *compiler) call(n *ast.Call) action {
	if a, ok := cp.coreCall(n); ok {
		return a
	}
	f := cp.env.Funcs[n.Name]
	if f == nil {
		m, ok := cp.env.Missing[n.Name]
		if ok && m.Allowed {
			return missingCall(m.Module, n)
		}
		// The checker has resolved every name of a clean config against
		// the catalog: what is left is what kamgo does not run.
		name := n.Name
		if ok {
			name = m.Module + "." + n.Name
		}
		cp.diags.Errorf(CodeNotImplemented, n.NameRange, "%s is not implemented by kamgo", name).Context = cp.route.title
		return nil
	}
	if !f.Takes(len(n.Args)) {
		cp.diags.Errorf(CodeNotImplemented, n.Rng, "%s with %d arguments is not implemented by kamgo", n.Name, len(n.Args)).Context = cp.route.title
		return nil
	}
	args := make([]*module.Arg, len(n.Args))
	fix := callFixups{cp, n}
	for i, a := range n.Args {
		ce := cp.expr(a)
		val := ce.val
		args[i] = &module.Arg{Expr: a, Fix: fix, Eval: func(c *event.Context) value.Value {
			v, ok := val(c)
			if !ok {
				return value.NullValue
			}
			return v
		}}
	}
	if f.Compile == nil {
		cp.diags.Errorf(CodeFixup, n.Rng, "%s cannot be called", n.Name)
		return nil
	}
	call, err := f.Compile(cp.env.Host, args)
	if err != nil {
		var ni *pv.NotImplementedError
		if errors.As(err, &ni) {
			cp.diags.Errorf(CodeNotImplemented, n.Rng, "%v", ni).Context = cp.route.title
			return nil
		}
		cp.diags.Errorf(CodeFixup, n.Rng, "%s: %v", n.Name, err).Context = cp.route.title
		return nil
	}
	if call == nil {
		cp.diags.Errorf(CodeFixup, n.Rng, "%s: no call compiled", n.Name)
		return nil
	}
	return func(x *exec) int {
		ret := call(x.c)
		if ret == 0 {
			x.flags |= exitF
		}
		x.c.RC = int64(ret)
		return ret
	}
}

// missingCall is a call to a function of a module kamgo does not
// implement but was told to tolerate: it logs once per call site and
// returns 1.
func missingCall(mod string, n *ast.Call) action {
	var once sync.Once
	name := n.Name
	at := where(n.Rng)
	return func(x *exec) int {
		once.Do(func() {
			coreLog(x.c, klog.Warn, "%s() at %s is a no-op: module %s is not implemented", name, at, mod)
		})
		x.c.RC = 1
		return 1
	}
}
