package check

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

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
