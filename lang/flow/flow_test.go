package flow

import (
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
)

const program = `loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
request_route {
	t_on_failure("FAIL");
	route(STOP);
	xlog("L_INFO", "dead\n");
}
route[STOP] {
	if ($rU == "a") {
		exit;
	} else {
		route(ALSO_STOPS);
	}
}
route[ALSO_STOPS] {
	switch ($rU) {
		case "b":
			xlog("L_INFO", "b\n");
		case "c":
			break;
	}
	while ($var(i) < 3) {
		$var(i) = $var(i) + 1;
		if ($var(i) == 2) {
			break;
		}
	}
	drop;
}
route[RETURNS] {
	route("DYN_" + $rU);
}
failure_route[FAIL] {
	route(RETURNS);
}
event_route[evapi:message-received] {
	t_continue("1", "2", "RESUMED");
	route(RETURNS);
}
route[RESUMED] {
	exit;
}
`

func load(t *testing.T) (*ast.Config, *Program) {
	t.Helper()
	cfg, diags, _ := check.AnalyzeSource("p.cfg", []byte(program), preproc.Options{}, nil)
	if diags.HasErrors() {
		t.Fatalf("test program has errors: %v", diags)
	}
	return cfg, New(cfg, nil)
}

func TestStopsAndReach(t *testing.T) {
	_, p := load(t)
	for name, want := range map[string]bool{"STOP": true, "ALSO_STOPS": true, "RETURNS": false, "RESUMED": true} {
		if got := p.NeverReturns(p.Route(ast.Named, name)); got != want {
			t.Errorf("NeverReturns(%s) = %v, want %v", name, got, want)
		}
	}
	main := p.Route(ast.Request, "")
	g := p.Graphs[main]
	reach := p.Reachable(main)
	dead := main.Body.Stmts[2]
	if n := g.NodeOf(dead); n == nil || reach[n.Index] {
		t.Errorf("the statement after route(STOP) is reachable")
	}
	if reach[g.Return.Index] || !reach[g.Exit.Index] {
		t.Errorf("request_route: return reachable %v, exit reachable %v", reach[g.Return.Index], reach[g.Exit.Index])
	}
}

func TestGraphShape(t *testing.T) {
	_, p := load(t)
	r := p.Route(ast.Named, "ALSO_STOPS")
	g := p.Graphs[r]
	sw := r.Body.Stmts[0].(*ast.Switch)
	// case "b" falls into case "c": the first node of "c" has the switch
	// and the xlog of "b" as predecessors.
	c := g.NodeOf(sw.Cases[1].Body[0])
	if len(c.Preds) != 2 {
		t.Errorf("case c has %d predecessors, want 2", len(c.Preds))
	}
	w := g.NodeOf(r.Body.Stmts[1])
	if w.Kind != Cond {
		t.Fatalf("while node kind %v", w.Kind)
	}
	kinds := map[EdgeKind]int{}
	for _, e := range w.Succs {
		kinds[e.Kind]++
	}
	if kinds[True] != 1 || kinds[False] != 1 {
		t.Errorf("while edges %v", kinds)
	}
	// break in the loop leads to the drop after it.
	drop := g.NodeOf(r.Body.Stmts[2])
	if len(drop.Preds) != 2 {
		t.Errorf("drop has %d predecessors (while false, break), want 2", len(drop.Preds))
	}
}

func TestCallsAndEntries(t *testing.T) {
	_, p := load(t)
	ret := p.Route(ast.Named, "RETURNS")
	var titles []string
	for _, e := range p.Entries(ret) {
		titles = append(titles, e.Title())
	}
	if len(titles) != 2 || titles[0] != "failure_route[FAIL]" || titles[1] != "event_route[evapi:message-received]" {
		t.Errorf("Entries(RETURNS) = %v", titles)
	}
	if !p.IsEntry(p.Route(ast.Named, "RESUMED")) || p.IsEntry(ret) {
		t.Error("IsEntry: RESUMED is resumed by t_continue, RETURNS is not an entry")
	}
	var dyn, arm *Call
	for _, c := range p.Calls {
		switch c.Kind {
		case CallDynamic:
			dyn = c
		case CallArm:
			arm = c
		}
	}
	if dyn == nil || !dyn.Pattern.MatchString("DYN_alice") || dyn.Pattern.MatchString("OTHER") {
		t.Errorf("dynamic call pattern: %+v", dyn)
	}
	if arm == nil || arm.Target != p.Route(ast.Failure, "FAIL") {
		t.Errorf("t_on_failure call: %+v", arm)
	}
}
