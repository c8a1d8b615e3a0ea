package check

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
)

// callGraph warns when a route[X] reached from a route of another type
// calls a function that type does not allow (Kamailio checks route[] bodies
// as request routes only).
func (c *checker) callGraph(cfg *ast.Config) {
	reach := map[string]routetype.Mask{} // named route -> types reaching it
	var visit func(name string, m routetype.Mask, depth int)
	visit = func(name string, m routetype.Mask, depth int) {
		if depth > 64 || reach[name]&m == m {
			return
		}
		reach[name] |= m
		for _, callee := range c.calls["route["+name+"]"] {
			visit(callee, m, depth+1)
		}
	}
	for _, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok || r.Kind == ast.Named {
			continue
		}
		for _, callee := range c.calls[r.Title()] {
			visit(callee, routetype.Of(r.Kind), 0)
		}
	}
	for _, it := range cfg.Items {
		r, ok := it.(*ast.Route)
		if !ok || r.Kind != ast.Named {
			continue
		}
		m := reach[r.Name]
		for _, u := range c.funcUses[r.Title()] {
			for _, rt := range []routetype.Mask{routetype.Failure, routetype.OnReply, routetype.Branch, routetype.OnSend, routetype.CoreOnReply, routetype.Event} {
				if m&rt == 0 || (rt == routetype.Event && m&routetype.OnEvent == 0) {
					continue
				}
				if !u.fn.AcceptsIn(len(u.call.Args), rt) {
					d := c.diags.Warnf(CodeRouteTypeCall, u.call.NameRange, "%s cannot be used in %s, which reaches route[%s] through route()", u.call.Name, routesText(rt), r.Name)
					d.Context = r.Title()
				}
			}
		}
	}
}
