package lint

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// Pseudo-variables read or written in routes where they have no meaning:
// evapi's outside its event routes, the SIP message's inside them (evapi
// runs its routes on a faked message, not on a SIP request).
func init() {
	register(
		&Rule{
			ID: "KL2007", Name: "evapi-msg-outside-received", Severity: diag.Warning, Default: true,
			Title: "$evapi(msg) outside event_route[evapi:message-received]",
			Doc: `$evapi(msg) is the message an evapi client just sent; it is only set while
event_route[evapi:message-received] (and the routes it calls) runs.
Anywhere else, connection-new and connection-closed included, it is
empty.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
event_route[evapi:connection-new] {
	xlog("L_INFO", "hello: $evapi(msg)\n");
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	xlog("L_INFO", "received: $evapi(msg)\n");
}`,
			Run: runEvapiMsg,
		},
		&Rule{
			ID: "KL2008", Name: "evapi-pv-outside-evapi", Severity: diag.Warning, Default: true,
			Title: "$evapi(...) outside evapi event routes",
			Doc: `$evapi(conidx), $evapi(srcaddr) and $evapi(srcport) describe the evapi
connection whose event is being handled. In request_route, a reply route
or any route not reached from an evapi event route there is no such
connection and they are null.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
request_route {
	xlog("L_INFO", "from $evapi(srcaddr)\n");
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
request_route {
	xlog("L_INFO", "from $si\n");
}`,
			Run: runEvapiOutside,
		},
		&Rule{
			ID: "KL2009", Name: "sip-pv-in-evapi", Severity: diag.Warning, Default: true,
			Title: "SIP message pseudo-variable read in an evapi event route",
			Doc: `evapi runs its event routes on a faked SIP message that Kamailio makes up,
not on a request: $ru, $fU, $ci, $hdr(...), $si and the other message
pseudo-variables read that placeholder. $si in particular is not the
evapi client's address: use $evapi(srcaddr) and $evapi(srcport). A route[X]
is concerned when only evapi event routes reach it.`,
			Bad: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
event_route[evapi:connection-new] {
	xlog("L_INFO", "client $si connected\n");
}`,
			Good: `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
event_route[evapi:connection-new] {
	xlog("L_INFO", "client $evapi(srcaddr) connected\n");
}`,
			Run: runSIPInEvapi,
		},
		&Rule{
			ID: "KL2010", Name: "ruri-write-in-evapi", Severity: diag.Warning, Default: true,
			Title: "request URI or destination set in an evapi event route",
			Doc: `Assigning $ru, $rU, $rd, $rp or $du in an evapi event route changes the
faked message the route runs on, which is thrown away afterwards: nothing
is routed. To route a SIP request, do it in request_route, or resume the
suspended transaction with t_continue and set the URI in the route it
runs.`,
			Bad: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	$ru = "sip:" + $evapi(msg) + "@example.com";
}`,
			Good: `loadmodule "pv.so"
loadmodule "evapi.so"
event_route[evapi:message-received] {
	$var(target) = "sip:" + $evapi(msg) + "@example.com";
}`,
			Run: runRURIInEvapi,
		},
	)
}

const evapiReceived = "evapi:message-received"

func isEvapiRoute(r *ast.Route) bool {
	return r.Kind == ast.Event && strings.HasPrefix(r.Name, "evapi:")
}

// onlyEvapi reports whether every route Kamailio runs that reaches r is an
// evapi event route (and at least one does).
func onlyEvapi(p *Pass, r *ast.Route) bool {
	entries := p.Flow.Entries(r)
	for _, e := range entries {
		if !isEvapiRoute(e) {
			return false
		}
	}
	return len(entries) > 0
}

// pvUse is one pseudo-variable read or written in a route.
type pvUse struct {
	route *ast.Route
	pv    *ast.PVar
	at    diag.Range // the pseudo-variable, or the string it is written in
	write bool
}

// pvUses returns every pseudo-variable use of the route bodies: in
// expressions, as assignment targets, and inside string arguments of
// functions (format strings).
func pvUses(p *Pass) []pvUse {
	var out []pvUse
	p.EachStmt(func(r *ast.Route, s ast.Stmt) {
		var roots []ast.Node
		switch s := s.(type) {
		case *ast.Block:
			return
		case *ast.If:
			roots = []ast.Node{s.Cond}
		case *ast.While:
			roots = []ast.Node{s.Cond}
		case *ast.Switch:
			roots = []ast.Node{s.Tag}
		default:
			roots = []ast.Node{s}
		}
		for _, root := range roots {
			ast.Inspect(root, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.Assign:
					if n.LHS != nil {
						out = append(out, pvUse{route: r, pv: n.LHS, at: n.LHS.Rng, write: true})
					}
					if n.RHS != nil {
						ast.Inspect(n.RHS, func(m ast.Node) bool {
							return collectRead(r, m, &out)
						})
					}
					return false
				}
				return collectRead(r, n, &out)
			})
		}
	})
	return out
}

func collectRead(r *ast.Route, n ast.Node, out *[]pvUse) bool {
	switch n := n.(type) {
	case *ast.PVar:
		for _, pv := range pvsIn(n) {
			*out = append(*out, pvUse{route: r, pv: pv, at: pv.Rng})
		}
		return false
	case *ast.Call:
		for _, a := range n.Args {
			if s, ok := a.(*ast.StrLit); ok {
				for _, pv := range formatPVs(s) {
					*out = append(*out, pvUse{route: r, pv: pv, at: s.Rng})
				}
			}
		}
	}
	return true
}

func runEvapiMsg(p *Pass) {
	for _, u := range pvUses(p) {
		if u.pv.Class != "evapi" || u.pv.Name == nil || u.pv.Name.Text != "msg" {
			continue
		}
		r := u.route
		var wrong *ast.Route
		if p.Flow.IsEntry(r) {
			if !(r.Kind == ast.Event && r.Name == evapiReceived) {
				wrong = r
			}
		} else {
			for _, e := range p.Flow.Entries(r) {
				if !(e.Kind == ast.Event && e.Name == evapiReceived) {
					wrong = e
					break
				}
			}
		}
		if wrong == nil {
			continue
		}
		where := "in " + wrong.Title()
		if wrong != r {
			where = "when " + wrong.Title() + " reaches " + r.Title()
		}
		d := p.Reportf(r, u.at, "$evapi(msg) is empty %s: it is only set in event_route[%s]", where, evapiReceived)
		d.Detail = "read it in event_route[" + evapiReceived + "] and pass it on in a $var"
	}
}

func runEvapiOutside(p *Pass) {
	for _, u := range pvUses(p) {
		if u.pv.Class != "evapi" || u.pv.Name != nil && u.pv.Name.Text == "msg" {
			continue
		}
		r := u.route
		var wrong *ast.Route
		if p.Flow.IsEntry(r) {
			if !isEvapiRoute(r) {
				wrong = r
			}
		} else {
			for _, e := range p.Flow.Entries(r) {
				if !isEvapiRoute(e) {
					wrong = e
					break
				}
			}
		}
		if wrong == nil {
			continue
		}
		where := "in " + wrong.Title()
		if wrong != r {
			where = "when " + wrong.Title() + " reaches " + r.Title()
		}
		p.Reportf(r, u.at, "%s is null %s: there is no evapi connection there", u.pv.Text, where)
	}
}

// sipClasses are the pseudo-variables of the SIP message a route runs on.
var sipClasses = map[string]bool{
	"ru": true, "rU": true, "rd": true, "rp": true, "rz": true, "fu": true, "fU": true,
	"fd": true, "fn": true, "ft": true, "tu": true, "tU": true, "td": true, "tn": true,
	"tt": true, "ci": true, "cs": true, "rm": true, "hdr": true, "hdrc": true, "ua": true,
	"ct": true, "ai": true, "rb": true, "ml": true, "rs": true, "rr": true, "re": true,
	"pu": true, "pU": true, "pd": true, "pn": true, "di": true, "si": true, "sp": true,
	"rv": true, "du": true, "mb": true, "au": true, "ar": true, "adu": true,
}

func runSIPInEvapi(p *Pass) {
	for _, u := range pvUses(p) {
		if u.write || !sipClasses[u.pv.Class] {
			continue
		}
		r := u.route
		if !(isEvapiRoute(r) || !p.Flow.IsEntry(r) && onlyEvapi(p, r)) {
			continue
		}
		d := p.Reportf(r, u.at, "%s reads the faked message evapi routes run on, not a SIP request", u.pv.Text)
		if u.pv.Class == "si" || u.pv.Class == "sp" {
			d.Detail = "the evapi client's address is $evapi(srcaddr), its port $evapi(srcport)"
		}
	}
}

var ruriClasses = map[string]bool{"ru": true, "rU": true, "rd": true, "rp": true, "rz": true, "du": true}

func runRURIInEvapi(p *Pass) {
	for _, u := range pvUses(p) {
		if !u.write || !ruriClasses[u.pv.Class] {
			continue
		}
		r := u.route
		if !(isEvapiRoute(r) || !p.Flow.IsEntry(r) && onlyEvapi(p, r)) {
			continue
		}
		p.Reportf(r, u.at, "setting %s in an evapi event route changes a faked message: nothing is routed", u.pv.Text)
	}
}
