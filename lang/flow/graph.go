// Package flow owns the control flow of a checked configuration: a graph of
// statements per route body (which statement may run after which, where the
// route returns to its caller and where the script stops) and the graph of
// calls between routes (route(), the t_on_* and t_continue route names,
// names computed at run time). Analyses that follow paths (unreachable
// code, variables read before any write, what runs after t_relay) read
// these graphs instead of walking the syntax tree themselves.
//
// The graphs follow Kamailio's interpreter (src/core/action.c): break ends
// the innermost switch or while and, outside both, the route; return ends
// the route; exit and drop end the script; a switch case without break runs
// on into the next one; route(X) runs X and comes back unless X stops the
// script.
package flow

import (
	"github.com/kamgo/kamgo/lang/ast"
)

// Kind classifies a node of a route's graph.
type Kind uint8

// Node kinds.
const (
	Entry  Kind = iota // where the route starts; no statement
	Stmt               // a simple statement: assignment, call, return, exit, drop, break, ;
	Cond               // the condition of an if or while, or the value a switch tests
	Return             // sink: the route returns to its caller (return, or the end of the body)
	Exit               // sink: exit or drop stops the script
)

// EdgeKind says when an edge is taken.
type EdgeKind uint8

// Edge kinds. True and False leave the Cond node of an if or while; Case
// leaves the Cond node of a switch for one of its arms (or for the code
// after it, when no arm matches and there is no default).
const (
	Always EdgeKind = iota
	True
	False
	Case
)

// Edge is one way out of a node.
type Edge struct {
	To   *Node
	Kind EdgeKind
	Arm  *ast.Case // for Case edges: the arm taken, nil for "no arm matched"
}

// Node is one statement or condition of a route body.
type Node struct {
	Kind Kind
	// Stmt is the statement: for Stmt nodes the simple statement itself,
	// for Cond nodes the *ast.If, *ast.While or *ast.Switch whose
	// condition is evaluated. Nil for Entry, Return and Exit.
	Stmt  ast.Stmt
	Succs []Edge
	Preds []*Node
	Index int // position in Graph.Nodes
}

// Expr returns the expression a Cond node evaluates, or nil.
func (n *Node) Expr() ast.Expr {
	switch s := n.Stmt.(type) {
	case *ast.If:
		return s.Cond
	case *ast.While:
		return s.Cond
	case *ast.Switch:
		return s.Tag
	}
	return nil
}

// Graph is the control-flow graph of one route body. Entry comes first in
// Nodes; Return and Exit are the only sinks. Every statement of the body
// has exactly one node, reachable or not, except blocks, which have none of
// their own.
type Graph struct {
	Route  *ast.Route
	Entry  *Node
	Return *Node
	Exit   *Node
	Nodes  []*Node
	byStmt map[ast.Stmt]*Node
}

// NodeOf returns the node of a statement (for if, while and switch: their
// Cond node), or nil when the statement is not in the graph.
func (g *Graph) NodeOf(s ast.Stmt) *Node { return g.byStmt[s] }

// Build returns the graph of r's body.
func Build(r *ast.Route) *Graph {
	g := &Graph{Route: r, byStmt: map[ast.Stmt]*Node{}}
	g.Entry = g.node(Entry, nil)
	g.Return = g.node(Return, nil)
	g.Exit = g.node(Exit, nil)
	b := builder{g: g}
	var body []ast.Stmt
	if r.Body != nil {
		body = r.Body.Stmts
	}
	// A body that falls through its end returns.
	b.connect(b.list(body, []*Node{g.Entry}, g.Return), g.Return)
	return g
}

func (g *Graph) node(k Kind, s ast.Stmt) *Node {
	n := &Node{Kind: k, Stmt: s, Index: len(g.Nodes)}
	g.Nodes = append(g.Nodes, n)
	if s != nil {
		g.byStmt[s] = n
	}
	return n
}

func link(from *Node, to *Node, kind EdgeKind, arm *ast.Case) {
	from.Succs = append(from.Succs, Edge{To: to, Kind: kind, Arm: arm})
	to.Preds = append(to.Preds, from)
}

// open is a dangling way out of the statements built so far: the node and
// the kind of edge its successor gets.
type open struct {
	from *Node
	kind EdgeKind
	arm  *ast.Case
}

type builder struct {
	g      *Graph
	breaks [][]open // one frame per enclosing switch or while
}

// list builds stmts, entered from the nodes in ins (Always edges), and
// returns the ways out that fall through the end. ret is where a return
// goes.
func (b *builder) list(stmts []ast.Stmt, ins []*Node, ret *Node) []open {
	outs := make([]open, 0, len(ins))
	for _, n := range ins {
		outs = append(outs, open{from: n})
	}
	for _, s := range stmts {
		outs = b.stmt(s, outs, ret)
	}
	return outs
}

func (b *builder) connect(outs []open, to *Node) {
	for _, o := range outs {
		link(o.from, to, o.kind, o.arm)
	}
}

// stmt builds one statement entered through outs and returns the ways out
// that go on to the next statement.
func (b *builder) stmt(s ast.Stmt, outs []open, ret *Node) []open {
	switch s := s.(type) {
	case *ast.Block:
		for _, x := range s.Stmts {
			outs = b.stmt(x, outs, ret)
		}
		return outs
	case *ast.If:
		n := b.g.node(Cond, s)
		b.connect(outs, n)
		then := b.stmt(s.Then, []open{{from: n, kind: True}}, ret)
		if s.Else == nil {
			return append(then, open{from: n, kind: False})
		}
		return append(then, b.stmt(s.Else, []open{{from: n, kind: False}}, ret)...)
	case *ast.While:
		n := b.g.node(Cond, s)
		b.connect(outs, n)
		b.breaks = append(b.breaks, nil)
		body := b.stmt(s.Body, []open{{from: n, kind: True}}, ret)
		b.connect(body, n)
		brk := b.breaks[len(b.breaks)-1]
		b.breaks = b.breaks[:len(b.breaks)-1]
		return append(brk, open{from: n, kind: False})
	case *ast.Switch:
		n := b.g.node(Cond, s)
		b.connect(outs, n)
		b.breaks = append(b.breaks, nil)
		var fall []open
		hasDefault := false
		for _, c := range s.Cases {
			hasDefault = hasDefault || c.Value == nil
			in := append(fall, open{from: n, kind: Case, arm: c})
			fall = in
			for _, x := range c.Body {
				fall = b.stmt(x, fall, ret)
			}
		}
		brk := b.breaks[len(b.breaks)-1]
		b.breaks = b.breaks[:len(b.breaks)-1]
		out := append(fall, brk...)
		if !hasDefault {
			out = append(out, open{from: n, kind: Case})
		}
		return out
	}
	n := b.g.node(Stmt, s)
	b.connect(outs, n)
	switch s := s.(type) {
	case *ast.ReturnStmt:
		if s.Kind == ast.Return {
			link(n, ret, Always, nil)
		} else {
			link(n, b.g.Exit, Always, nil)
		}
		return nil
	case *ast.Break:
		if len(b.breaks) == 0 {
			// Outside switch and while, break ends the route.
			link(n, ret, Always, nil)
			return nil
		}
		top := len(b.breaks) - 1
		b.breaks[top] = append(b.breaks[top], open{from: n})
		return nil
	}
	return []open{{from: n}}
}
