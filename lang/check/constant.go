package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/value"
)

// constValue evaluates an expression made only of constants, with the
// value rules the interpreter runs (runtime/value), as Kamailio folds such
// expressions when it fixes the config up. ok is false when e is not
// constant or its evaluation fails (a division by zero, a bad pattern).
// The static checks, not this, report type mistakes.
func constValue(e ast.Expr) (v value.Value, ok bool) {
	switch n := e.(type) {
	case *ast.IntLit:
		return value.MakeInt(value.Wrap(n.Value)), true
	case *ast.StrLit:
		return value.MakeStr(n.Value), true
	case *ast.Paren:
		return constValue(n.X)
	case *ast.Selval:
		cond, ok := constInt(n.Cond)
		if !ok {
			return value.NullValue, false
		}
		a, aok := constValue(n.A)
		b, bok := constValue(n.B)
		if !aok || !bok {
			return value.NullValue, false
		}
		if cond > 0 {
			return a, true
		}
		return b, true
	case *ast.Unary:
		return constUnary(n)
	case *ast.Binary:
		return constBinary(n)
	}
	return value.NullValue, false
}

// constInt is constValue converted to an int (a string that is no number
// is 0, as at run time).
func constInt(e ast.Expr) (int64, bool) {
	v, ok := constValue(e)
	if !ok {
		return 0, false
	}
	i, _ := value.ToInt(v)
	return i, true
}

func constUnary(n *ast.Unary) (value.Value, bool) {
	x, ok := constValue(n.X)
	if !ok {
		return value.NullValue, false
	}
	xi, _ := value.ToInt(x)
	switch n.Op {
	case "!":
		return value.MakeInt(value.Not(xi)), true
	case "-":
		return value.MakeInt(value.Neg(xi)), true
	case "~":
		return value.MakeInt(value.BitNot(xi)), true
	case "(int)":
		return value.MakeInt(xi), true
	case "(str)":
		return value.MakeStr(value.ToStr(x)), true
	case "strlen":
		return value.MakeInt(int64(len(value.ToStr(x)))), true
	case "strempty":
		return value.MakeInt(b2i(value.ToStr(x) == "")), true
	case "defined":
		return value.MakeInt(1), true // a constant always has a value
	}
	return value.NullValue, false
}

func constBinary(n *ast.Binary) (value.Value, bool) {
	x, ok := constValue(n.X)
	if !ok {
		return value.NullValue, false
	}
	y, ok := constValue(n.Y)
	if !ok {
		return value.NullValue, false
	}
	switch n.Op {
	case "+":
		if x.K == value.Int {
			yi, _ := value.ToInt(y)
			return value.MakeInt(value.Wrap(x.I + yi)), true
		}
		return value.Concat(x, y), true
	case "==", "!=":
		eq, _ := value.EqualValues(x, y)
		return value.MakeInt(b2i(eq == (n.Op == "=="))), true
	case "eq", "ne":
		eq := value.ToStr(x) == value.ToStr(y)
		return value.MakeInt(b2i(eq == (n.Op == "eq"))), true
	case "=~":
		re, err := ere.Compile(value.ToStr(y), true)
		if err != nil {
			return value.NullValue, false
		}
		return value.MakeInt(b2i(re.MatchString(value.ToStr(x)))), true
	}
	op, known := value.LookupIntOp(n.Op)
	if !known {
		return value.NullValue, false
	}
	xi, _ := value.ToInt(x)
	yi, _ := value.ToInt(y)
	r, err := value.Arith(op, xi, yi)
	if err != nil {
		return value.NullValue, false
	}
	return value.MakeInt(r), true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
