package check

import (
	"github.com/kamgo/kamgo/lang/ast"
)

// Static types of expressions, as Kamailio's type check sees them while it
// reads the config, before any run-time value exists. tUnknown is
// Kamailio's "none": a pseudo-variable, a selval, an assignment, whose
// type only a run can tell.
type staticType uint8

const (
	tUnknown staticType = iota
	tInt
	tStr
)

// intOps take integer operands: a string-typed operand on either side is
// refused (Kamailio's rve_check_type for these operators).
var intOps = map[string]bool{
	"-": true, "*": true, "/": true, "mod": true, "|": true, "&": true, "^": true,
	"<<": true, ">>": true, "&&": true, "||": true,
	"<": true, ">": true, "<=": true, ">=": true, "ieq": true, "ine": true,
}

// equalOps are the comparisons Kamailio rewrites to a definedness test when
// the right operand is $null.
var equalOps = map[string]bool{"==": true, "!=": true, "ieq": true, "ine": true, "eq": true, "ne": true, "=~": true}

// exprType returns the static type of e and reports what Kamailio's type
// check refuses in it. Kamailio checks every expression as it builds it,
// operands first, so each mistake is reported once, at the operand whose
// type is wrong.
func (c *checker) exprType(e ast.Expr) staticType {
	switch n := e.(type) {
	case *ast.IntLit:
		return tInt
	case *ast.StrLit, *ast.Select:
		return tStr
	case *ast.Paren:
		return c.exprType(n.X)
	case *ast.Call, *ast.RouteCall:
		// An action used as a value yields its return code.
		return tInt
	case *ast.Selval:
		// Kamailio gives selval no type and does not look into it beyond
		// the checks each operand got when it was built.
		c.exprType(n.Cond)
		c.exprType(n.A)
		c.exprType(n.B)
		return tUnknown
	case *ast.Unary:
		return c.unaryType(n)
	case *ast.Binary:
		return c.binaryType(n)
	}
	return tUnknown // pseudo-variables, assignments, bare words
}

func (c *checker) unaryType(n *ast.Unary) staticType {
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
	case "!", "-", "~":
		if t == tStr {
			c.errorf(CodeTypeMismatch, n.X.Span(), "operator %s needs an integer, not a string", n.Op)
		}
		return tInt
	}
	c.errorf(CodeUnknownOp, n.Rng, "unknown operator %q", n.Op)
	return tUnknown
}

func (c *checker) binaryType(n *ast.Binary) staticType {
	if x, ok := n.X.(*ast.Ident); ok && legacyWords[x.Name] {
		// method == "INVITE", src_ip == 10.0.0.1: a test of the message,
		// one operand of type int; its right side is a plain value.
		c.exprType(n.Y)
		return tInt
	}
	x, y := c.exprType(n.X), c.exprType(n.Y)
	if equalOps[n.Op] && isNullPV(n.Y) {
		// e == $null is read as !defined e.
		if x == tInt {
			c.errorf(CodeTypeMismatch, n.X.Span(), "comparing with $null tests whether a pseudo-variable is defined, not an integer")
		}
		return tInt
	}
	// mixed is Kamailio's rule for operators that take either type: both
	// sides of one type, except that a string on the left converts an
	// integer on the right.
	mixed := x != y && x != tUnknown && y != tUnknown && !(x == tStr && y == tInt)
	switch {
	case intOps[n.Op]:
		if x == tStr {
			c.errorf(CodeTypeMismatch, n.X.Span(), "operator %s needs integers, not a string", n.Op)
		} else if y == tStr {
			c.errorf(CodeTypeMismatch, n.Y.Span(), "operator %s needs integers, not a string", n.Op)
		}
		return tInt
	case n.Op == "==" || n.Op == "!=":
		if mixed {
			c.errorf(CodeTypeMismatch, n.Y.Span(), "comparing an integer with a string constant: the left operand makes this an integer comparison")
		}
		return tInt
	case n.Op == "+":
		if mixed {
			c.errorf(CodeTypeMismatch, n.Y.Span(), "integer + string: the left operand decides the type, and a string is not an integer")
			return tUnknown
		}
		return x
	case n.Op == "eq" || n.Op == "ne" || n.Op == "=~":
		if mixed {
			c.errorf(CodeTypeMismatch, n.Y.Span(), "operator %s compares strings: a string on the right cannot meet an integer on the left", n.Op)
		} else if x == tInt {
			c.errorf(CodeTypeMismatch, n.X.Span(), "operator %s needs a string on the left, not an integer", n.Op)
		}
		return tInt
	}
	c.errorf(CodeUnknownOp, n.OpRange, "unknown operator %q", n.Op)
	return tUnknown
}

// isNullPV reports whether e is the bare $null.
func isNullPV(e ast.Expr) bool {
	v, ok := unparen(e).(*ast.PVar)
	return ok && v.Class == "null" && len(v.Trans) == 0
}
