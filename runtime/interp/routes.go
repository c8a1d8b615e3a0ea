package interp

import "github.com/kamgo/kamgo/lang/ast"

// route is one compiled route: one block, or the unnamed blocks of one
// kind joined in the order written.
type route struct {
	title string
	body  []action
	nodes []*ast.Route
}

// slot is where Kamailio files a route block: a list per kind of route,
// a slot per name in it.
type slot struct {
	kind ast.RouteKind
	name string
}

// slotOf returns the slot of the block or target (kind, name). Slot "" of
// each list is the unnamed block, which a block named "0" names too:
// route[0] and route(0) are request_route, onreply_route[0] is the core
// reply route. lang/check decides, with the same filing, which blocks
// Kamailio refuses.
func slotOf(kind ast.RouteKind, name string) slot {
	switch kind {
	case ast.Request:
		return slot{ast.Request, ""}
	case ast.Reply:
		return slot{ast.Reply, ""}
	case ast.Named:
		if name == "" || name == "0" {
			return slot{ast.Request, ""}
		}
	case ast.OnReply:
		if name == "0" {
			return slot{ast.Reply, ""}
		}
	case ast.Failure, ast.Branch, ast.OnSend:
		if name == "0" {
			name = ""
		}
	}
	return slot{kind, name}
}

// joins reports whether a block adds its statements to those its slot
// already holds, as Kamailio does for unnamed blocks (and onreply_route[0]);
// a named block needs an empty slot.
func joins(n *ast.Route) bool {
	switch n.Kind {
	case ast.Request, ast.Reply:
		return true
	case ast.OnReply:
		return n.Name == "0"
	case ast.Failure, ast.Branch, ast.OnSend:
		return n.Name == ""
	}
	return false
}

// addRoute files the block n. It returns the new route, or nil when n
// joined a route already filed or was refused.
func (cp *compiler) addRoute(n *ast.Route) *route {
	s := slotOf(n.Kind, n.Name)
	old := cp.prog.routes[s]
	switch {
	case old == nil:
		r := &route{title: n.Title(), nodes: []*ast.Route{n}}
		cp.prog.routes[s] = r
		return r
	case joins(n):
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
	s := slotOf(ast.Named, name)
	if r := p.routes[s]; r != nil || s.kind != ast.Request {
		return r
	}
	return &emptyMain
}

// emptyMain is request_route when no block fills it.
var emptyMain = route{title: "request_route"}
