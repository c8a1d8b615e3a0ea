package interp

import (
	"errors"
	"regexp"
	"slices"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// valFn evaluates an expression to a value (Kamailio's rval_expr_eval);
// ok is false on a run-time error, which has been logged.
type valFn func(c *event.Context) (value.Value, bool)

// intFn evaluates an expression to an int (rval_expr_eval_int).
type intFn func(c *event.Context) (int64, bool)

// sKind is the type of an expression known at load time.
type sKind uint8

const (
	kAny sKind = iota
	kInt
	kStr
)

// cexpr is a compiled expression: both evaluators, what is known
// statically, and the pv.Ref when the expression is a bare
// pseudo-variable (for `defined`).
type cexpr struct {
	val   valFn
	i     intFn
	kind  sKind
	konst bool
	kv    value.Value
	ref   *pv.Ref
	null  bool // the $null literal
	node  ast.Expr
}

// intOf converts v to an int, warning as Kamailio does when a string does
// not convert (the value is then 0 and evaluation goes on).
func intOf(c *event.Context, v value.Value, r diag.Range) int64 {
	i, ok := value.ToInt(v)
	if !ok {
		coreLog(c, klog.Warn, "rval_get_int(): automatic string to int conversion for \"%s\" failed", v.S)
		coreLog(c, klog.Warn, "rval_expr_eval_int(): rval expression conversion to int failed %s", pos(r))
	}
	return i
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (cp *compiler) constExpr(v value.Value, n ast.Expr) *cexpr {
	e := &cexpr{konst: true, kv: v, node: n}
	e.val = func(*event.Context) (value.Value, bool) { return v, true }
	switch v.K {
	case value.Int:
		e.kind = kInt
		i := v.I
		e.i = func(*event.Context) (int64, bool) { return i, true }
	case value.Str:
		e.kind = kStr
		if i, ok := value.StrToInt(v.S); ok {
			e.i = func(*event.Context) (int64, bool) { return i, true }
		} else {
			r := n.Span()
			e.i = func(c *event.Context) (int64, bool) { return intOf(c, v, r), true }
		}
	default:
		e.i = func(*event.Context) (int64, bool) { return 0, true }
	}
	return e
}

// fromVal builds the int evaluator from the value one.
func fromVal(val valFn, r diag.Range) intFn {
	return func(c *event.Context) (int64, bool) {
		v, ok := val(c)
		if !ok {
			return 0, false
		}
		if v.K == value.Int {
			return v.I, true
		}
		return intOf(c, v, r), true
	}
}

// intExpr builds a cexpr whose value is always an int.
func intExpr(i intFn, n ast.Expr) *cexpr {
	return &cexpr{
		i:    i,
		kind: kInt,
		node: n,
		val: func(c *event.Context) (value.Value, bool) {
			v, ok := i(c)
			if !ok {
				return value.NullValue, false
			}
			return value.MakeInt(v), true
		},
	}
}

// fold replaces an expression whose operands are all constants by its
// value, when evaluating it succeeds.
func (cp *compiler) fold(e *cexpr, operands ...*cexpr) *cexpr {
	for _, o := range operands {
		if !o.konst {
			return e
		}
	}
	v, ok := e.val(nil)
	if !ok {
		return e
	}
	return cp.constExpr(v, e.node)
}

// expr compiles an expression.
func (cp *compiler) expr(n ast.Expr) *cexpr {
	switch n := n.(type) {
	case *ast.IntLit:
		return cp.constExpr(value.MakeInt(value.Wrap(n.Value)), n)
	case *ast.StrLit:
		return cp.constExpr(value.MakeStr(n.Value), n)
	case *ast.Paren:
		e := *cp.expr(n.X)
		e.node = n
		return &e
	case *ast.PVar:
		return cp.pvar(n)
	case *ast.Unary:
		return cp.unary(n)
	case *ast.Binary:
		return cp.binary(n)
	case *ast.Selval:
		cond, a, b := cp.expr(n.Cond), cp.expr(n.A), cp.expr(n.B)
		e := &cexpr{node: n}
		e.val = func(c *event.Context) (value.Value, bool) {
			v, ok := cond.i(c)
			if !ok {
				return value.NullValue, false
			}
			if v > 0 {
				return a.val(c)
			}
			return b.val(c)
		}
		e.i = fromVal(e.val, n.Rng)
		if a.kind == b.kind {
			e.kind = a.kind
		}
		return cp.fold(e, cond, a, b)
	case *ast.Call:
		return cp.actionExpr(cp.call(n), n)
	case *ast.RouteCall:
		return cp.actionExpr(cp.routeCall(n), n)
	case *ast.AssignExpr:
		cp.inAssignExpr = true
		set, rhs := cp.assignParts(n.A)
		cp.inAssignExpr = false
		e := &cexpr{node: n, kind: rhs.kind}
		e.val = func(c *event.Context) (value.Value, bool) {
			v, ok := rhs.val(c)
			if !ok {
				return value.NullValue, false
			}
			if set != nil {
				if err := set(c, v); err != nil {
					coreLog(c, klog.Err, "lval_assign(): %v", err)
				}
			}
			return v, true
		}
		e.i = fromVal(e.val, n.Rng)
		return e
	case *ast.Ident:
		if af, ok := familyWords[n.Name]; ok {
			return cp.constExpr(value.MakeInt(af), n)
		}
		// Check lets through only the words of the legacy tests of the
		// message (method, uri, myself, ...).
		cp.notImplemented(n.Rng, "the bare word %s (a test of the SIP message) is not implemented by kamgo", n.Name)
	case *ast.AddrLit:
		cp.notImplemented(n.Rng, "the address %s (a test of the SIP message) is not implemented by kamgo", n.Text)
	case *ast.Select:
		return cp.selectExpr(n)
	default:
		cp.notImplemented(n.Span(), "this expression is not implemented by kamgo")
	}
	return cp.constExpr(value.NullValue, n)
}

// actionExpr turns a call into a value: 1 when its return code is > 0,
// else 0, as Kamailio evaluates actions inside expressions.
func (cp *compiler) actionExpr(a action, n ast.Expr) *cexpr {
	i := func(c *event.Context) (int64, bool) {
		x := execOf(c)
		if x == nil || a == nil {
			return 0, false
		}
		// Kamailio runs it as a fresh top-level action list, which
		// starts by zeroing $rc; core actions leave it at 0.
		c.RC = 0
		c.BeginAction()
		ret := a(x)
		x.flags &^= returnF | breakF
		return b2i(ret > 0), true
	}
	return intExpr(i, n)
}

func (cp *compiler) pvar(n *ast.PVar) *cexpr {
	if n.Class == "null" {
		if _, ok := cp.env.Table.Class("null"); !ok {
			e := cp.constExpr(value.NullValue, n)
			e.null = true
			return e
		}
	}
	ref, err := cp.env.Table.Compile(n)
	if err != nil {
		cp.pvError(err, n)
		return cp.constExpr(value.NullValue, n)
	}
	e := &cexpr{node: n, ref: ref, null: n.Class == "null"}
	e.val = func(c *event.Context) (value.Value, bool) { return ref.Get(c), true }
	r := n.Rng
	e.i = func(c *event.Context) (int64, bool) {
		v := ref.Get(c)
		if v.K == value.Int {
			return v.I, true
		}
		return intOf(c, v, r), true
	}
	return e
}

func (cp *compiler) unary(n *ast.Unary) *cexpr {
	x := cp.expr(n.X)
	var e *cexpr
	switch n.Op {
	case "!":
		e = intExpr(func(c *event.Context) (int64, bool) {
			v, ok := x.i(c)
			return value.Not(v), ok
		}, n)
	case "-":
		e = intExpr(func(c *event.Context) (int64, bool) {
			v, ok := x.i(c)
			return value.Neg(v), ok
		}, n)
	case "~":
		e = intExpr(func(c *event.Context) (int64, bool) {
			v, ok := x.i(c)
			return value.BitNot(v), ok
		}, n)
	case "defined":
		switch {
		case x.null:
			e = cp.constExpr(value.MakeInt(0), n)
		case x.ref != nil:
			ref := x.ref
			e = intExpr(func(c *event.Context) (int64, bool) { return b2i(ref.Defined(c)), true }, n)
		default:
			// Only a bare value can be undefined; any other expression is.
			e = cp.constExpr(value.MakeInt(1), n)
		}
		return e
	case "strlen", "strempty":
		empty := n.Op == "strempty"
		e = intExpr(func(c *event.Context) (int64, bool) {
			v, ok := x.val(c)
			if !ok {
				return 0, false
			}
			l := len(value.ToStr(v))
			if empty {
				return b2i(l == 0), true
			}
			return int64(l), true
		}, n)
	case "(int)":
		e = intExpr(x.i, n)
	case "(str)":
		e = &cexpr{node: n, kind: kStr}
		e.val = func(c *event.Context) (value.Value, bool) {
			v, ok := x.val(c)
			if !ok {
				return value.NullValue, false
			}
			if v.K == value.Str {
				return v, true
			}
			return value.MakeStr(value.ToStr(v)), true
		}
		e.i = fromVal(e.val, n.Rng)
	default:
		cp.unchecked(n.Rng, "unknown operator %q", n.Op)
		return cp.constExpr(value.NullValue, n)
	}
	return cp.fold(e, x)
}

func (cp *compiler) binary(n *ast.Binary) *cexpr {
	if e, ok := cp.msgTest(n); ok {
		return e
	}
	if e, ok := cp.addrTest(n); ok {
		return e
	}
	if e, ok := cp.numTest(n); ok {
		return e
	}
	// x == $null and x != $null test definedness, as Kamailio rewrites them.
	if n.Op == "==" || n.Op == "!=" {
		x, y := n.X, n.Y
		if isNullPV(x) {
			x, y = y, x
		}
		if isNullPV(y) {
			d := cp.unary(&ast.Unary{Op: "defined", X: x, Rng: n.Rng})
			if n.Op == "!=" {
				return d
			}
			e := intExpr(func(c *event.Context) (int64, bool) {
				v, ok := d.i(c)
				return value.Not(v), ok
			}, n)
			return cp.fold(e, d)
		}
	}
	x, y := cp.expr(n.X), cp.expr(n.Y)
	if e := cp.optimize(n, x, y); e != nil {
		return e
	}
	var e *cexpr
	switch n.Op {
	case "+":
		e = &cexpr{node: n, kind: x.kind}
		rr := n.Y.Span()
		e.val = func(c *event.Context) (value.Value, bool) {
			l, ok := x.val(c)
			if !ok {
				return value.NullValue, false
			}
			if l.K == value.Int {
				r, ok := y.val(c)
				if !ok {
					return value.NullValue, false
				}
				ri := r.I
				if r.K != value.Int {
					ri = intOf(c, r, rr)
				}
				return value.MakeInt(value.Wrap(l.I + ri)), true
			}
			r, ok := y.val(c)
			if !ok {
				return value.NullValue, false
			}
			return value.Concat(l, r), true
		}
		e.i = func(c *event.Context) (int64, bool) {
			l, ok := x.i(c)
			if !ok {
				return 0, false
			}
			r, ok := y.i(c)
			return value.Wrap(l + r), ok
		}
	case "==", "!=":
		ne := n.Op == "!="
		rr := n.Y.Span()
		e = intExpr(func(c *event.Context) (int64, bool) {
			l, ok := x.val(c)
			if !ok {
				return 0, false
			}
			var eq bool
			switch l.K {
			case value.Int:
				r, ok := y.val(c)
				if !ok {
					return 0, false
				}
				ri := r.I
				if r.K != value.Int {
					ri = intOf(c, r, rr)
				}
				eq = l.I == ri
			default:
				r, ok := y.val(c)
				if !ok {
					return 0, false
				}
				eq, _ = value.EqualValues(l, r)
			}
			return b2i(eq != ne), true
		}, n)
	case "eq", "ne":
		ne := n.Op == "ne"
		e = intExpr(func(c *event.Context) (int64, bool) {
			l, ok := x.val(c)
			if !ok {
				return 0, false
			}
			r, ok := y.val(c)
			if !ok {
				return 0, false
			}
			return b2i((value.ToStr(l) == value.ToStr(r)) != ne), true
		}, n)
	case "=~":
		e = cp.match(n, x, y)
	case "&&", "||":
		and := n.Op == "&&"
		e = intExpr(func(c *event.Context) (int64, bool) {
			l, ok := x.i(c)
			if !ok {
				return 0, false
			}
			if and && l == 0 {
				return 0, true
			}
			if !and && l != 0 {
				return 1, true
			}
			r, ok := y.i(c)
			if !ok {
				return 0, false
			}
			return b2i(r != 0), true
		}, n)
	default:
		op, known := value.LookupIntOp(n.Op)
		if !known {
			cp.unchecked(n.OpRange, "unknown operator %q", n.Op)
			return cp.constExpr(value.NullValue, n)
		}
		e = intExpr(func(c *event.Context) (int64, bool) {
			l, ok := x.i(c)
			if !ok {
				return 0, false
			}
			r, ok := y.i(c)
			if !ok {
				return 0, false
			}
			v, err := value.Arith(op, l, r)
			if err != nil {
				coreLog(c, klog.Err, "int_intop2(): %v", err)
				return 0, false
			}
			return v, true
		}, n)
	}
	return cp.fold(e, x, y)
}

func isNullPV(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	v, ok := e.(*ast.PVar)
	return ok && v.Class == "null" && len(v.Trans) == 0
}

// match compiles `x =~ y`: a constant pattern is compiled once at load.
func (cp *compiler) match(n *ast.Binary, x, y *cexpr) *cexpr {
	var re *regexp.Regexp
	if y.konst {
		pat := value.ToStr(y.kv)
		var err error
		re, err = ere.Compile(pat, true)
		if err != nil {
			cp.unchecked(n.Y.Span(), "bad regular expression %q: %v", pat, err)
			return cp.constExpr(value.MakeInt(0), n)
		}
		return intExpr(func(c *event.Context) (int64, bool) {
			l, ok := x.val(c)
			if !ok {
				return 0, false
			}
			if l.K == value.Str {
				return b2i(re.MatchString(l.S)), true
			}
			return b2i(re.MatchString(value.ToStr(l))), true
		}, n)
	}
	cache := &reCache{}
	return intExpr(func(c *event.Context) (int64, bool) {
		l, ok := x.val(c)
		if !ok {
			return 0, false
		}
		r, ok := y.val(c)
		if !ok {
			return 0, false
		}
		pat := value.ToStr(r)
		re, err := cache.get(pat, true)
		if err != nil {
			coreLog(c, klog.Err, "bool_rvstrop2(): Bad regular expression \"%s\"", pat)
			return 0, false
		}
		return b2i(re.MatchString(value.ToStr(l))), true
	}, n)
}

// optimize applies Kamailio's load-time rewrites of an operation with one
// constant operand (rve_opt_01). They are observable: `0 || $v` is (int)$v
// (7, not 1) and `$v == ""` is strempty($v) (so int 0 == "" is false).
func (cp *compiler) optimize(n *ast.Binary, x, y *cexpr) *cexpr {
	ct, v, right := y, x, true
	if !y.konst {
		if !x.konst {
			return nil
		}
		ct, v, right = x, y, false
	}
	if v.konst {
		return nil // both constant: folded instead
	}
	toInt := func() *cexpr { return intExpr(v.i, n) }
	zero := func() *cexpr { return cp.constExpr(value.MakeInt(0), n) }
	switch ct.kv.K {
	case value.Int:
		i := ct.kv.I
		switch n.Op {
		case "*":
			if i == 0 {
				return zero()
			} else if i == 1 {
				return toInt()
			}
		case "/":
			if i == 0 && !right {
				return zero()
			} else if i == 1 && right {
				return toInt()
			}
		case "mod":
			if i == 0 && !right {
				return zero()
			}
		case "-":
			if i == 0 && right {
				return toInt()
			}
		case "&":
			if i == 0 {
				return zero()
			}
		case "|":
			if i == 0 {
				return toInt()
			}
		case "&&":
			if i == 0 {
				return zero()
			} else if i == 1 {
				return toInt()
			}
		case "||":
			if i == 1 {
				return cp.constExpr(value.MakeInt(1), n)
			} else if i == 0 {
				return toInt()
			}
		case "+":
			if i == 0 && x.kind == kInt {
				return toInt()
			}
		}
	case value.Str:
		if ct.kv.S != "" {
			return nil
		}
		switch n.Op {
		case "+":
			if x.kind == kStr {
				return cp.unary(&ast.Unary{Op: "(str)", X: v.node, Rng: n.Rng})
			}
		case "==", "eq":
			if x.kind == kInt && y.kind == kStr {
				return nil // a type error, reported by the caller
			}
			return cp.unary(&ast.Unary{Op: "strempty", X: v.node, Rng: n.Rng})
		}
	}
	return nil
}

// pvError reports a pseudo-variable that does not compile. What check
// resolves (the class, a name of a class with fixed names, the
// transformation classes) means an unchecked tree; what kamgo does not run
// is CodeNotImplemented; anything else the class or a transformation
// refused when it parsed its own part, which only its module can decide.
func (cp *compiler) pvError(err error, p *ast.PVar) {
	var ni *pv.NotImplementedError
	if errors.As(err, &ni) {
		cp.notImplemented(p.Rng, "%v", err)
		return
	}
	if !cp.resolves(p) {
		cp.unchecked(p.Rng, "%v", err)
		return
	}
	d := cp.diags.Errorf(CodeFixup, p.Rng, "%v", err)
	if cp.route != nil {
		d.Context = cp.route.title
	}
}

// resolves reports whether the names check resolves in p are in the table.
func (cp *compiler) resolves(p *ast.PVar) bool {
	c, ok := cp.env.Table.Class(p.Class)
	if !ok {
		return false
	}
	if c.Names != nil && p.Name != nil && p.Name.Dyn == nil && !slices.Contains(c.Names, p.Name.Text) {
		return false
	}
	for _, tr := range p.Trans {
		if _, ok := cp.env.Table.TransClass(tr.Class); !ok {
			return false
		}
	}
	return true
}

// notImplemented reports what kamgo does not run.
func (cp *compiler) notImplemented(r diag.Range, format string, args ...any) {
	d := cp.diags.Errorf(CodeNotImplemented, r, format, args...)
	if cp.route != nil {
		d.Context = cp.route.title
	}
}
