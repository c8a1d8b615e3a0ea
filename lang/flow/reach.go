package flow

// Reachable reports, per node index, whether the node can run. stops tells
// which statement nodes never let the route go on (a route() call to a
// route that always stops the script); nil means none.
func (g *Graph) Reachable(stops func(*Node) bool) []bool {
	seen := make([]bool, len(g.Nodes))
	work := []*Node{g.Entry}
	seen[g.Entry.Index] = true
	for len(work) > 0 {
		n := work[len(work)-1]
		work = work[:len(work)-1]
		if n.Kind == Stmt && stops != nil && stops(n) {
			if !seen[g.Exit.Index] {
				seen[g.Exit.Index] = true
			}
			continue
		}
		for _, e := range n.Succs {
			if !seen[e.To.Index] {
				seen[e.To.Index] = true
				work = append(work, e.To)
			}
		}
	}
	return seen
}

// Forward visits the nodes that can run after from, following only the
// edges follow accepts (nil: every edge), each node once, and stops going
// further from a node when visit returns false.
func (g *Graph) Forward(from *Node, follow func(Edge) bool, visit func(*Node) bool) {
	seen := make([]bool, len(g.Nodes))
	var work []*Node
	push := func(n *Node) {
		for _, e := range n.Succs {
			if (follow == nil || follow(e)) && !seen[e.To.Index] {
				seen[e.To.Index] = true
				work = append(work, e.To)
			}
		}
	}
	push(from)
	for len(work) > 0 {
		n := work[0]
		work = work[1:]
		if visit(n) {
			push(n)
		}
	}
}
