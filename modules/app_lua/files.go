package applua

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// ConfigFiles returns the Lua files cfg has app_lua read: the load
// parameters, and the files lua_dofile runs where its argument is a
// constant (one with pseudo-variables names no file before it runs).
// `kamgo run --watch` reloads when one changes (runtime/supervise's
// ConfigFiler). It reads cfg only.
func (*Module) ConfigFiles(cfg *ast.Config) []string {
	var out []string
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.ModParam:
			if s, ok := n.Value.(*ast.StrLit); ok && n.Module == Name && n.Param == "load" && s.Value != "" {
				out = append(out, s.Value)
			}
		case *ast.Route:
			ast.Inspect(n, func(x ast.Node) bool {
				call, ok := x.(*ast.Call)
				if !ok || call.Name != "lua_dofile" || len(call.Args) != 1 {
					return true
				}
				if s, ok := call.Args[0].(*ast.StrLit); ok && s.Value != "" && !strings.Contains(s.Value, "$") {
					out = append(out, s.Value)
				}
				return true
			})
		}
	}
	return out
}
