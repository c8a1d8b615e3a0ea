package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

func (c *checker) routeCall(n *ast.RouteCall) {
	if n.Dyn != nil {
		return
	}
	if !c.routeDefined(ast.Named, n.Name) {
		d := c.errorf(CodeUndefinedRoute, n.NameRange, "route %q is not defined", n.Name)
		if s := diag.Suggest(n.Name, c.routeNames(ast.Named)); s != "" {
			d.Detail = "did you mean route(" + s + ")?"
		}
		return
	}
	c.calls[c.route.Title()] = append(c.calls[c.route.Title()], n.Name)
}

func (c *checker) routeNames(kind ast.RouteKind) []string {
	var out []string
	for k := range c.routes {
		if k.Kind == kind {
			out = append(out, k.Name)
		}
	}
	return out
}
