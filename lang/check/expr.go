package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/value"
)

// expr checks names inside an expression and its types, and returns its
// static type.
func (c *checker) expr(e ast.Expr) staticType {
	t := c.exprType(e)
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
					switch a.(type) {
					case *ast.Ident, *ast.AddrLit:
					default:
						c.expr(a)
					}
				}
				return false
			}
		case *ast.Ident:
			c.ident(n)
		case *ast.AddrLit:
			c.addrLit(n)
		case *ast.RouteCall:
			c.routeCall(n)
		case *ast.Binary:
			if x, ok := n.X.(*ast.Ident); ok && legacyWords[x.Name] {
				switch y := n.Y.(type) {
				case *ast.Ident:
					// src_ip == backup.example.com: a host name operand.
					c.okIdents[y] = true
				case *ast.AddrLit:
					c.okAddrs[y] = true // src_ip == 10.0.0.0/8
				}
			}
			if n.Op == "=~" {
				c.matchPattern(n.Y)
			}
		case *ast.AssignExpr:
			if n.A != nil {
				c.assign(n.A)
			}
			return false
		}
		return true
	})
	return t
}

// matchPattern compiles the right side of =~ when it is constant:
// Kamailio compiles it once, when it starts, and refuses to start when it
// does not compile. A pattern known only at run time is compiled then.
func (c *checker) matchPattern(e ast.Expr) {
	v, ok := constValue(e)
	if !ok {
		return
	}
	pat := value.ToStr(v)
	if _, err := ere.Compile(pat, true); err != nil {
		c.errorf(CodeRegex, e.Span(), "bad regular expression %q: %v", pat, err)
	}
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
