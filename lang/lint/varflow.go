package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/flow"
	"github.com/kamgo/kamgo/lang/pvsyntax"
)

func init() {
	register(&Rule{
		ID: "KL2001", Name: "var-read-before-write", Severity: diag.Warning, Default: true,
		Title: "$var read before any write on some path",
		Doc: `A $var belongs to the Kamailio worker process, not to the message: it keeps
its value from one message to the next handled by the same process. Read
on a path where nothing has set it yet for this message, it holds whatever
an earlier message left there (0 only in the first one). The path is
followed from the route Kamailio runs (request_route, an event route, a
failure route ...) through the route() calls and into the route a
t_continue resumes. Set the variable on every path first, or use $avp or
$xavp, which start empty for each message. A counter updated from itself
($var(n) = $var(n) + 1) keeps its value on purpose and is not reported.`,
		Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	if ($rU == "alice") {
		$var(vip) = 1;
	}
	if ($var(vip) == 1) {
		xlog("L_INFO", "vip call\n");
	}
}`,
		Good: `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	$var(vip) = 0;
	if ($rU == "alice") {
		$var(vip) = 1;
	}
	if ($var(vip) == 1) {
		xlog("L_INFO", "vip call\n");
	}
}`,
		Run: runVarBeforeWrite,
	})
}

// bits is a set of $var names by index.
type bits []uint64

func (b bits) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bits) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bits) clone() bits    { return append(bits(nil), b...) }
func (b bits) and(o bits) {
	for i := range b {
		b[i] &= o[i]
	}
}
func (b bits) equal(o bits) bool {
	for i := range b {
		if b[i] != o[i] {
			return false
		}
	}
	return true
}
func (b bits) key() string {
	var s strings.Builder
	for _, w := range b {
		for k := 0; k < 8; k++ {
			s.WriteByte(byte(w >> (8 * k)))
		}
	}
	return s.String()
}

// varFlow follows which $var are set on every path.
type varFlow struct {
	p        *Pass
	index    map[string]int
	words    int
	memo     map[*ast.Route]map[string]bits
	active   map[*ast.Route]bool
	reported map[string]bool // route title + var name
}

func runVarBeforeWrite(p *Pass) {
	v := &varFlow{p: p, index: map[string]int{}, memo: map[*ast.Route]map[string]bits{},
		active: map[*ast.Route]bool{}, reported: map[string]bool{}}
	for _, r := range p.Routes() {
		ast.Inspect(r, func(n ast.Node) bool {
			if pv, ok := n.(*ast.PVar); ok && pv.Class == "var" && pv.Name != nil {
				v.id(pv.Name.Text)
			}
			return true
		})
	}
	for _, s := range p.Strings() {
		if strings.Contains(s.Value, "$var(") {
			for _, name := range varNamesIn(s) {
				v.id(name)
			}
		}
	}
	if len(v.index) == 0 {
		return
	}
	v.words = (len(v.index) + 63) / 64
	// Kamailio starts these routes with no $var set for the message; a
	// route t_continue resumes a transaction in runs inside the route that
	// calls t_continue, and is followed from there.
	for _, r := range p.Routes() {
		if flow.KeyOf(r).Kind != ast.Named {
			v.route(r, make(bits, v.words))
		}
	}
}

func (v *varFlow) id(name string) int {
	if i, ok := v.index[name]; ok {
		return i
	}
	i := len(v.index)
	v.index[name] = i
	return i
}

// varNamesIn returns the $var names a string mentions.
func varNamesIn(s *ast.StrLit) []string {
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil {
		return nil
	}
	var out []string
	for _, part := range f.Parts {
		if part.PV != nil {
			for _, pv := range pvsIn(part.PV) {
				if pv.Class == "var" && pv.Name != nil && pv.Name.Dyn == nil {
					out = append(out, pv.Name.Text)
				}
			}
		}
	}
	return out
}

// route runs r's body from state in and returns the state when it returns.
func (v *varFlow) route(r *ast.Route, in bits) bits {
	k := in.key()
	if m, ok := v.memo[r]; ok {
		if out, ok := m[k]; ok {
			return out
		}
	} else {
		v.memo[r] = map[string]bits{}
	}
	if v.active[r] {
		return in // recursion: assume the inner call sets nothing
	}
	v.active[r] = true
	defer delete(v.active, r)
	g := v.p.Flow.Graphs[r]
	reach := v.p.Flow.Reachable(r)
	// Must-set analysis: the state entering a node is the intersection
	// of the states leaving its predecessors, starting from "all set".
	full := make(bits, v.words)
	for i := range full {
		full[i] = ^uint64(0)
	}
	out := make([]bits, len(g.Nodes))
	for i := range out {
		out[i] = full
	}
	out[g.Entry.Index] = in
	quiet := true // report only once the states are stable
	for pass := 0; pass < 2*len(g.Nodes)+4; pass++ {
		changed := false
		for _, n := range g.Nodes {
			if n == g.Entry || !reach[n.Index] {
				continue
			}
			st := full.clone()
			any := false
			for _, pr := range n.Preds {
				if reach[pr.Index] {
					st.and(out[pr.Index])
					any = true
				}
			}
			if !any {
				continue
			}
			if n.Kind == flow.Stmt || n.Kind == flow.Cond {
				v.node(r, n, st, quiet)
			}
			if !st.equal(out[n.Index]) {
				out[n.Index] = st
				changed = true
			}
		}
		if !changed {
			if !quiet {
				break
			}
			quiet = false
		}
	}
	res := out[g.Return.Index]
	v.memo[r][k] = res
	return res
}

// node applies the reads and writes of a node's statement or condition
// to st, reporting reads of unset variables unless quiet.
func (v *varFlow) node(r *ast.Route, n *flow.Node, st bits, quiet bool) {
	if n.Kind == flow.Cond {
		v.expr(r, n.Expr(), st, quiet)
		return
	}
	v.expr(r, n.Stmt, st, quiet)
}

func (v *varFlow) read(r *ast.Route, pv *ast.PVar, st bits, quiet bool) {
	if pv.Class != "var" || pv.Name == nil || pv.Name.Dyn != nil {
		return
	}
	i := v.id(pv.Name.Text)
	if i >= len(st)*64 || st.has(i) || quiet {
		return
	}
	key := r.Title() + "\x00" + pv.Name.Text
	if v.reported[key] {
		return
	}
	v.reported[key] = true
	d := v.p.Reportf(r, pv.Rng, "%s is read before it is set on some path: it keeps the value of an earlier message", pv.Text)
	d.Detail = "set it on every path before this, or use an $avp, which starts empty for each message"
}

func (v *varFlow) write(name string, st bits) {
	if i, ok := v.index[name]; ok && i < len(st)*64 {
		st.set(i)
	}
}

// expr walks a statement or expression in evaluation order.
func (v *varFlow) expr(r *ast.Route, x ast.Node, st bits, quiet bool) {
	switch x := x.(type) {
	case nil:
	case *ast.Assign:
		if counter(x) {
			// $var(n) = $var(n) + 1: a counter kept across messages on
			// purpose; its first read is the point.
			b := unparen(x.RHS).(*ast.Binary)
			v.expr(r, b.Y, st, quiet)
		} else {
			v.expr(r, x.RHS, st, quiet)
		}
		if x.LHS != nil {
			for _, pv := range pvsIn(x.LHS)[1:] {
				v.read(r, pv, st, quiet)
			}
			if x.LHS.Class == "var" && x.LHS.Name != nil && x.LHS.Name.Dyn == nil {
				v.write(x.LHS.Name.Text, st)
			}
		}
	case *ast.AssignExpr:
		v.expr(r, x.A, st, quiet)
	case *ast.ExprStmt:
		v.expr(r, x.X, st, quiet)
	case *ast.ReturnStmt:
		v.expr(r, x.Value, st, quiet)
	case *ast.PVar:
		for _, pv := range pvsIn(x) {
			v.read(r, pv, st, quiet)
		}
	case *ast.Binary:
		v.expr(r, x.X, st, quiet)
		v.expr(r, x.Y, st, quiet)
	case *ast.Unary:
		v.expr(r, x.X, st, quiet)
	case *ast.Paren:
		v.expr(r, x.X, st, quiet)
	case *ast.Selval:
		v.expr(r, x.Cond, st, quiet)
		v.expr(r, x.A, st, quiet)
		v.expr(r, x.B, st, quiet)
	case *ast.RouteCall:
		v.expr(r, x.Dyn, st, quiet)
		if x.Dyn != nil {
			return
		}
		if t := v.p.Flow.Route(ast.Named, x.Name); t != nil {
			out := v.route(t, st.clone())
			copy(st, out)
		}
	case *ast.Call:
		v.call(r, x, st, quiet)
	}
}

// call applies a function call: format arguments are read, arguments that
// name a variable to store into are written.
func (v *varFlow) call(r *ast.Route, c *ast.Call, st bits, quiet bool) {
	kinds := argKinds(v.p, c)
	var writes []string
	for i, a := range c.Args {
		s, isStr := a.(*ast.StrLit)
		if !isStr {
			v.expr(r, a, st, quiet)
			continue
		}
		if !strings.Contains(s.Value, "$") {
			continue
		}
		kind := catalog.ArgAny
		if i < len(kinds) {
			kind = kinds[i].Kind
		}
		pv, perr := pvsyntax.ParsePV(s.Value, s.Rng)
		single := perr == nil && pv != nil && pv.Text == s.Value
		switch {
		case kind == catalog.ArgFormat:
			v.formatReads(r, s, st, quiet)
		case kind == catalog.ArgOutPV || kind == catalog.ArgPV || single:
			// A pseudo-variable named as an argument is where the
			// function stores its result (jansson_get, sql_query ...),
			// or one it tests or clears (pv_isset, pv_unset): either
			// way not a read of a value. Where the catalog knows
			// nothing more, a whole pseudo-variable is taken the same
			// way, so as not to report variables functions set.
			if single && pv.Class == "var" && pv.Name != nil && pv.Name.Dyn == nil && c.Name != "pv_isset" {
				writes = append(writes, pv.Name.Text)
			}
		default:
			v.formatReads(r, s, st, quiet)
		}
	}
	for _, w := range writes {
		v.write(w, st)
	}
	if c.Name == "t_continue" && len(c.Args) == 3 {
		// The resumed route runs now, in this process, with the $var
		// this route set.
		if s, ok := c.Args[2].(*ast.StrLit); ok && !strings.Contains(s.Value, "$") {
			if t := v.p.Flow.Route(ast.Named, s.Value); t != nil {
				copy(st, v.route(t, st.clone()))
			}
		}
	}
}

func (v *varFlow) formatReads(r *ast.Route, s *ast.StrLit, st bits, quiet bool) {
	f, _ := pvsyntax.ParseFormat(s.Value, s.Rng)
	if f == nil {
		return
	}
	for _, part := range f.Parts {
		if part.PV != nil {
			for _, pv := range pvsIn(part.PV) {
				pv.Rng = s.Rng
				v.read(r, pv, st, quiet)
			}
		}
	}
}

// counter reports whether an assignment updates a $var from itself, as
// $var(n) = $var(n) + 1 does.
func counter(a *ast.Assign) bool {
	b, ok := unparen(a.RHS).(*ast.Binary)
	if !ok || a.LHS == nil || a.LHS.Class != "var" {
		return false
	}
	x := pvOf(b.X)
	return x != nil && x.Text == a.LHS.Text
}
