package check

import (
	"regexp"

	"github.com/kamgo/kamgo/lang/ast"
)

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
