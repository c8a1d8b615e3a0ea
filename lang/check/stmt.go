package check

import (
	"github.com/kamgo/kamgo/lang/ast"
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
			c.block(cs.Body)
		}
	case *ast.While:
		c.expr(n.Cond)
		c.stmt(n.Body)
	case *ast.ReturnStmt:
		if n.Value != nil && c.expr(n.Value) == tStr {
			// Kamailio checks the type when it fixes the route up, at
			// startup.
			c.errorf(CodeReturnType, n.Value.Span(), "%s needs an integer, not a string", returnWords[n.Kind])
		}
	case *ast.Assign:
		c.assign(n)
	case *ast.ExprStmt:
		c.expr(n.X)
	}
}

var returnWords = map[ast.ReturnKind]string{ast.Return: "return", ast.Exit: "exit", ast.Drop: "drop"}
