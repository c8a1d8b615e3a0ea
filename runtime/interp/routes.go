package interp

import "github.com/kamgo/kamgo/lang/ast"

// route is one compiled route: one block, or the unnamed blocks of one
// kind joined in the order written.
type route struct {
	title string
	name  string // Kamailio's route name: the name in brackets, or DEFAULT
	body  []action
	nodes []*ast.Route
}

// addRoute files the block n. It returns the new route, or nil when n
// joined a route already filed or was refused.
func (cp *compiler) addRoute(n *ast.Route) *route {
	s, joins := n.Slot()
	old := cp.prog.routes[s]
	switch {
	case old == nil:
		r := &route{title: n.Title(), name: routeName(n), nodes: []*ast.Route{n}}
		cp.prog.routes[s] = r
		return r
	case joins:
		old.nodes = append(old.nodes, n)
	default:
		cp.unchecked(n.NameRange, "%s is defined twice (first at %s)", n.Title(), where(old.nodes[0].Rng))
	}
	return nil
}

// named returns route[name], or nil. Route 0 is request_route, and is
// there even when no block fills it: Kamailio runs its empty list, which
// yields 1.
func (p *Program) named(name string) *route {
	if name == "" {
		return nil
	}
	s := ast.SlotOf(ast.Named, name)
	if r := p.routes[s]; r != nil || s.Kind != ast.Request {
		return r
	}
	return &emptyMain
}

// emptyMain is request_route when no block fills it.
var emptyMain = route{title: "request_route", name: defaultRouteName}

// defaultRouteName is the name Kamailio gives unnamed route blocks.
const defaultRouteName = "DEFAULT"

// routeName is Kamailio's name of block n.
func routeName(n *ast.Route) string {
	if n.Name == "" {
		return defaultRouteName
	}
	return n.Name
}
