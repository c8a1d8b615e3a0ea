package interp

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"sync/atomic"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/module"
)

// Kamailio resolves the host of every forward() written with a host name
// or address once, when it fixes the configuration's actions at startup
// (fix_actions, mk_proxy), and sends there whatever the DNS says later; a
// host that does not resolve refuses the configuration. Module fixups do
// the same with theirs (tm's t_relay(host, port) ...). The compiler files
// each such host as a StaticHost (modules through module.Arg.Fix), and
// whoever runs the program resolves them (ResolveHosts) before the
// program serves SIP. A program
// whose hosts were never resolved (no SIP transport) resolves at each
// forward.

// StaticHost is a host written in the configuration: the destination of
// a forward(), or of a module function whose fixup resolves it (tm's
// t_relay(host, port) ...).
type StaticHost struct {
	Host string
	Port int // 0 when not written
	// Proto is the transport the lookup is for; forward()'s is none.
	Proto int
	// Origin and Refusal are the module's line when the host does not
	// resolve (none for forward()), Code the error code of the fixup.
	Origin, Refusal string
	Code            int
	// Rng is the call.
	Rng diag.Range
	// At is where Kamailio reports a refusal, one "fixing failed" line
	// each: the call's line, then the line Kamailio gives each statement
	// enclosing it in its route, innermost first.
	At []Place

	key  hostKey
	addr atomic.Pointer[netip.AddrPort]
}

// Place is a file and line as Kamailio's actions carry them.
type Place struct {
	File string
	Line int
}

// placeOf is the place of line in file, with the file's path made
// absolute as Kamailio reports it.
func (cp *compiler) placeOf(file string, line int) Place {
	abs, ok := cp.absFiles[file]
	if !ok {
		abs = file
		if a, err := filepath.Abs(file); err == nil && file != "" {
			abs = a
		}
		if cp.absFiles == nil {
			cp.absFiles = map[string]string{}
		}
		cp.absFiles[file] = abs
	}
	return Place{abs, line}
}

func (p Place) String() string { return fmt.Sprintf("%s:%d", p.File, p.Line) }

// Addr is the address the host resolved to, and whether it was resolved.
func (h *StaticHost) Addr() (netip.AddrPort, bool) {
	if a := h.addr.Load(); a != nil {
		return *a, true
	}
	return netip.AddrPort{}, false
}

// hostKey orders the hosts as Kamailio fixes them: its route tables in
// the order fix_rls takes them, each table's routes by index (the unnamed
// block 0, named blocks in the order they are defined), each route's
// actions in order.
type hostKey struct{ table, index, seq int }

// fixTable is the rank of the route table of kind k in fix_rls.
func fixTable(k ast.RouteKind) int {
	switch k {
	case ast.Request, ast.Named:
		return 0
	case ast.Reply, ast.OnReply:
		return 1
	case ast.Failure:
		return 2
	case ast.Branch:
		return 3
	case ast.OnSend:
		return 4
	}
	return 5
}

// StaticHosts returns the program's hosts in the order Kamailio resolves
// them.
func (p *Program) StaticHosts() []*StaticHost { return p.hosts }

// ResolveHosts resolves the program's hosts in order with resolve and
// stops at the first that does not resolve, which it returns with
// resolve's error. It must run before the program serves SIP.
func (p *Program) ResolveHosts(resolve func(host string, port, proto int) (netip.AddrPort, error)) (*StaticHost, error) {
	for _, h := range p.hosts {
		a, err := resolve(h.Host, h.Port, h.Proto)
		if err != nil {
			return h, err
		}
		h.addr.Store(&a)
	}
	return nil, nil
}

// staticHost files h, written in the call n.
func (cp *compiler) staticHost(n *ast.Call, h *StaticHost) *StaticHost {
	h.Rng = n.Rng
	h.key = hostKey{table: cp.routeTable, index: cp.routeIndex, seq: len(cp.prog.hosts)}
	// Kamailio dates an action by the line of the last token read when
	// the parser builds it: a call's closing parenthesis.
	h.At = append(h.At, cp.placeOf(n.Rng.File, n.Rng.End.Line))
	for i := len(cp.encl) - 1; i >= 0; i-- {
		h.At = append(h.At, cp.encl[i])
	}
	cp.prog.hosts = append(cp.prog.hosts, h)
	return h
}

// sortHosts puts the hosts in Kamailio's fixing order.
func (p *Program) sortHosts() {
	sort.SliceStable(p.hosts, func(i, j int) bool {
		a, b := p.hosts[i].key, p.hosts[j].key
		if a.table != b.table {
			return a.table < b.table
		}
		if a.index != b.index {
			return a.index < b.index
		}
		return a.seq < b.seq
	})
}

// enclose compiles inner as the body of a statement that Kamailio dates
// at line `at` of file: a host filed inside reports that line too.
func (cp *compiler) enclose(file string, at int, inner func()) {
	cp.encl = append(cp.encl, cp.placeOf(file, at))
	inner()
	cp.encl = cp.encl[:len(cp.encl)-1]
}

// callFixups is module.Fixups for the call n being compiled.
type callFixups struct {
	cp *compiler
	n  *ast.Call
}

func (f callFixups) StaticHost(h module.StaticHost) func() (netip.AddrPort, bool) {
	sh := f.cp.staticHost(f.n, &StaticHost{Host: h.Host, Port: h.Port, Proto: h.Proto,
		Origin: h.Origin, Refusal: h.Refusal, Code: h.Code})
	return sh.Addr
}
