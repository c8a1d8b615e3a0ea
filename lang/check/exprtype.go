package check

import (
	"github.com/kamgo/kamgo/lang/ast"
)

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
