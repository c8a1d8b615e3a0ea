package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
)

// What runs after a request has been relayed.
func init() {
	register(
		&Rule{
			ID: "KL1016", Name: "relay-then-send", Severity: diag.Warning, Default: true,
			Title: "after t_relay() succeeds, the script goes on to reply or relay again",
			Doc: `Once t_relay() has sent the request on, the script should stop: the
replies come back through the transaction. When a path from a successful
t_relay() reaches another reply or relay (sl_send_reply, t_reply,
t_relay, forward ...), in the same route or, after the route returns, in
its caller, the caller gets a second answer or the request goes out twice.
The usual shape is "if (!t_relay()) { sl_reply_error(); } exit;".`,
			Bad: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	route(RELAY);
	sl_send_reply("404", "Not Found");
}
route[RELAY] {
	t_relay();
}`,
			Good: `loadmodule "tm.so"
loadmodule "sl.so"
request_route {
	route(RELAY);
	sl_send_reply("404", "Not Found");
}
route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}`,
			Run: runRelayThenSend,
		},
		&Rule{
			ID: "KL3007", Name: "arm-after-relay", Severity: diag.Warning, Default: true,
			Title: "t_on_failure, t_on_reply or t_on_branch after t_relay()",
			Doc: `t_on_failure, t_on_reply and t_on_branch set the route for the branches
created from then on. Called after t_relay() in the same block, they come
too late: the branches are already out, and the route never runs for them.
Arm the routes before relaying.`,
			Bad: `loadmodule "tm.so"
request_route {
	t_relay();
	t_on_failure("MISSED");
	exit;
}
failure_route[MISSED] {
	exit;
}`,
			Good: `loadmodule "tm.so"
request_route {
	t_on_failure("MISSED");
	t_relay();
	exit;
}
failure_route[MISSED] {
	exit;
}`,
			Run: runArmAfterRelay,
		},
	)
}

// isRelay reports whether a function sends the request on statefully.
func isRelay(name string) bool {
	return name == "t_relay" || strings.HasPrefix(name, "t_relay_to") || strings.HasPrefix(name, "t_forward_nonack")
}

// sends are the functions that answer or forward a request.
var sends = map[string]bool{
	"sl_send_reply": true, "sl_reply_error": true, "send_reply": true, "t_reply": true,
	"t_send_reply": true, "forward": true, "forward_udp": true, "forward_tcp": true,
	"forward_tls": true, "forward_sctp": true, "send": true, "send_tcp": true,
	"t_reply_error": true,
}

func isSend(name string) bool { return sends[name] || isRelay(name) }

// sendIn returns the first answering or relaying call a statement node
// makes, or nil.
func sendIn(n *flow.Node) *ast.Call {
	var root ast.Node
	if n.Kind == flow.Cond {
		root = n.Expr()
	} else if n.Kind == flow.Stmt {
		root = n.Stmt
	}
	if root == nil {
		return nil
	}
	var found *ast.Call
	ast.Inspect(root, func(x ast.Node) bool {
		if c, ok := x.(*ast.Call); ok && found == nil && isSend(c.Name) {
			found = c
		}
		return found == nil
	})
	return found
}

func runRelayThenSend(p *Pass) {
	for _, r := range p.Routes() {
		g := p.Flow.Graphs[r]
		reach := p.Flow.Reachable(r)
		for _, n := range g.Nodes {
			if !reach[n.Index] {
				continue
			}
			relay, follow := relayAt(n)
			if relay == nil {
				continue
			}
			if s, where := afterRelay(p, r, n, follow, map[*ast.Route]bool{r: true}, 0); s != nil {
				d := p.Reportf(r, relay.NameRange, "after %s succeeds, the script goes on to %s%s", relay.Name, s.Name, where)
				d.Related = append(d.Related, diag.Related{Message: s.Name + " runs after the relay", Range: s.NameRange})
				d.Detail = "exit after relaying, or return a value the caller tests"
			}
		}
	}
}

// relayAt returns the relaying call of a node and which edges leave it
// when the relay succeeded: every edge after a statement, the true or
// false edge of an if testing it.
func relayAt(n *flow.Node) (*ast.Call, func(flow.Edge) bool) {
	switch s := n.Stmt.(type) {
	case *ast.ExprStmt:
		if c, ok := s.X.(*ast.Call); ok && isRelay(c.Name) {
			return c, nil
		}
	case *ast.If:
		c, neg := callOf(s.Cond)
		if c != nil && isRelay(c.Name) {
			want := flow.True
			if neg%2 == 1 {
				want = flow.False
			}
			return c, func(e flow.Edge) bool { return e.Kind == want }
		}
	}
	return nil, nil
}

// afterRelay looks for a reply or relay on the paths leaving n (through
// the edges follow accepts) before exit, and, when the route returns, in
// what its callers run after the call.
func afterRelay(p *Pass, r *ast.Route, n *flow.Node, follow func(flow.Edge) bool, seen map[*ast.Route]bool, depth int) (*ast.Call, string) {
	g := p.Flow.Graphs[r]
	var found *ast.Call
	var where string
	returns := false
	g.Forward(n, follow, func(x *flow.Node) bool {
		if found != nil {
			return false
		}
		switch x.Kind {
		case flow.Return:
			returns = true
			return false
		case flow.Exit:
			return false
		}
		if p.Flow.StopsAt(x) {
			return false
		}
		if c := sendIn(x); c != nil {
			found = c
			return false
		}
		return true
	})
	if found != nil || !returns || depth > 8 || p.Flow.IsEntry(r) {
		return found, where
	}
	for _, c := range p.Flow.In[r] {
		if c.Kind != flow.CallRoute || seen[c.From] {
			continue
		}
		cg := p.Flow.Graphs[c.From]
		cn := cg.NodeOf(c.Stmt)
		if cn == nil || cn.Kind != flow.Stmt {
			continue
		}
		seen[c.From] = true
		if s, _ := afterRelay(p, c.From, cn, nil, seen, depth+1); s != nil {
			return s, " in " + c.From.Title() + " after route(" + r.Name + ") returns"
		}
	}
	return nil, ""
}

func runArmAfterRelay(p *Pass) {
	for _, r := range p.Routes() {
		if r.Body != nil {
			armAfterRelay(p, r, r.Body.Stmts, nil)
		}
	}
}

// armAfterRelay reports t_on_* calls that run after a successful relay
// earlier in stmts (or, through relay, before them). A relay inside a
// nested block is only followed inside that block.
func armAfterRelay(p *Pass, r *ast.Route, stmts []ast.Stmt, relay *ast.Call) {
	for _, s := range stmts {
		switch s := s.(type) {
		case *ast.ExprStmt:
			c, ok := s.X.(*ast.Call)
			if !ok {
				continue
			}
			if isRelay(c.Name) && relay == nil {
				relay = c
				continue
			}
			if relay != nil && (c.Name == "t_on_failure" || c.Name == "t_on_reply" || c.Name == "t_on_branch") {
				d := p.Reportf(r, c.NameRange, "%s after %s comes too late: the request is already relayed", c.Name, relay.Name)
				d.Related = append(d.Related, diag.Related{Message: "relayed here", Range: relay.NameRange})
			}
		case *ast.Block:
			armAfterRelay(p, r, s.Stmts, relay)
		case *ast.If:
			then, els := relay, relay
			if c, neg := callOf(s.Cond); c != nil && isRelay(c.Name) && relay == nil {
				if neg%2 == 0 {
					then = c
				} else {
					els = c
				}
			}
			armAfterRelay(p, r, []ast.Stmt{s.Then}, then)
			if s.Else != nil {
				armAfterRelay(p, r, []ast.Stmt{s.Else}, els)
			}
		case *ast.While:
			armAfterRelay(p, r, []ast.Stmt{s.Body}, relay)
		case *ast.Switch:
			for _, c := range s.Cases {
				armAfterRelay(p, r, c.Body, relay)
			}
		}
	}
}
