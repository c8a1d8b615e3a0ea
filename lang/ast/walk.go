package ast

// Inspect walks the tree rooted at n in depth-first order, calling f for
// each node; when f returns false the node's children are skipped.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *ModParam:
		inspectExpr(n.Value, f)
	case *Route:
		if n.Body != nil {
			Inspect(n.Body, f)
		}
	case *Block:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *If:
		inspectExpr(n.Cond, f)
		inspectStmt(n.Then, f)
		inspectStmt(n.Else, f)
	case *Switch:
		inspectExpr(n.Tag, f)
		for _, c := range n.Cases {
			Inspect(c, f)
		}
	case *Case:
		inspectExpr(n.Value, f)
		for _, s := range n.Body {
			Inspect(s, f)
		}
	case *While:
		inspectExpr(n.Cond, f)
		inspectStmt(n.Body, f)
	case *ReturnStmt:
		inspectExpr(n.Value, f)
	case *Assign:
		if n.LHS != nil {
			Inspect(n.LHS, f)
		}
		inspectExpr(n.RHS, f)
	case *ExprStmt:
		inspectExpr(n.X, f)
	case *Binary:
		inspectExpr(n.X, f)
		inspectExpr(n.Y, f)
	case *Unary:
		inspectExpr(n.X, f)
	case *Paren:
		inspectExpr(n.X, f)
	case *Selval:
		inspectExpr(n.Cond, f)
		inspectExpr(n.A, f)
		inspectExpr(n.B, f)
	case *Call:
		for _, a := range n.Args {
			inspectExpr(a, f)
		}
	case *RouteCall:
		inspectExpr(n.Dyn, f)
	case *AssignExpr:
		if n.A != nil {
			Inspect(n.A, f)
		}
	}
}

func inspectExpr(e Expr, f func(Node) bool) {
	if e != nil {
		Inspect(e, f)
	}
}

func inspectStmt(s Stmt, f func(Node) bool) {
	if s != nil {
		Inspect(s, f)
	}
}
