package event

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
)

// Target names the route block an event runs: its kind and, for the kinds
// that have names (route, failure_route, branch_route, onreply_route,
// event_route), its name. Type is the route type the block runs with; zero
// means the type of its kind (routetype.Of), and route[X] run directly
// (t_continue, route_if_exists) gives the type of the route it stands in.
type Target struct {
	Kind ast.RouteKind
	Name string
	Type routetype.Mask
}

// RouteType returns the route type the target runs with.
func (t Target) RouteType() routetype.Mask {
	if t.Type != 0 {
		return t.Type
	}
	return routetype.Of(t.Kind)
}

// Request is the target of request_route.
func Request() Target { return Target{Kind: ast.Request} }

// Reply is the target of the core reply route (reply_route, or
// onreply_route without a name).
func Reply() Target { return Target{Kind: ast.Reply} }

// OnSend is the target of onsend_route.
func OnSend() Target { return Target{Kind: ast.OnSend} }

// Event is the target of event_route[name].
func Event(name string) Target { return Target{Kind: ast.Event, Name: name} }

// Failure is the target of failure_route[name].
func Failure(name string) Target { return Target{Kind: ast.Failure, Name: name} }

// Branch is the target of branch_route[name].
func Branch(name string) Target { return Target{Kind: ast.Branch, Name: name} }

// OnReply is the target of tm's onreply_route[name].
func OnReply(name string) Target { return Target{Kind: ast.OnReply, Name: name} }

// Route is the target of route[name] run with route type rt.
func Route(name string, rt routetype.Mask) Target {
	return Target{Kind: ast.Named, Name: name, Type: rt}
}

// String writes the target as its block is written: "request_route",
// "failure_route[MISSED]".
func (t Target) String() string {
	switch t.Kind {
	case ast.Request, ast.Reply, ast.OnSend:
		return t.Kind.String()
	}
	return t.Kind.String() + "[" + t.Name + "]"
}
