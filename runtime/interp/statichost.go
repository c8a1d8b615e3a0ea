package interp

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"sync/atomic"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Kamailio resolves the host of every forward() written with a host name
// or address once, when it fixes the configuration's actions at startup
// (fix_actions, mk_proxy), and sends there whatever the DNS says later; a
// host that does not resolve refuses the configuration. Module fixups do
// the same with theirs (tm's t_relay(host, port) ...), and
// force_send_socket() finds its socket then: one the server does not
// listen on refuses the configuration too. The compiler files each as a
// StaticHost (modules through module.Arg.Fix), and whoever runs the
// program fixes them (FixHosts) once its sockets are open, before it
// serves SIP. A program whose hosts were never fixed (no SIP transport)
// resolves at each call.

// StaticHost is a host written in the configuration: the destination of
// a forward(), of a module function whose fixup resolves it (tm's
// t_relay(host, port) ...), or force_send_socket()'s socket.
type StaticHost struct {
	// The host, port (0 when not written) and transport of the lookup
	// (forward()'s none), and the module's line and the fixup's code
	// when it does not resolve (no line for the core's).
	module.StaticHost
	// Socket marks force_send_socket()'s: its address must be one of the
	// server's sockets.
	Socket bool
	// Rng is the call.
	Rng diag.Range
	// At is where Kamailio reports a refusal, one "fixing failed" line
	// each: the call's line, then the line Kamailio gives each statement
	// enclosing it in its route, innermost first.
	At []Place

	key  hostKey
	addr atomic.Pointer[netip.AddrPort]
	sock atomic.Pointer[sipmsg.Socket]
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

// HostFixer is what fixing the hosts needs of the server: its resolver
// and its sockets (runtime/sip's Transport).
type HostFixer interface {
	// ResolveStatic resolves a host as Kamailio's mk_proxy does.
	ResolveStatic(host string, port, proto int) (netip.AddrPort, error)
	// StaticSocket finds force_send_socket()'s socket by its address or
	// name; the error is a *sip.UnresolvedError or a *sip.NoSocketError.
	StaticSocket(proto int, host string, port int) (*sipmsg.Socket, error)
}

// Refusal is why a host refuses the configuration: the lines to log
// before Kamailio's "fixing failed" ones, and the error.
type Refusal struct {
	Host  *StaticHost
	Lines []RefusalLine
	Err   error
}

// RefusalLine is one log line of a Refusal.
type RefusalLine struct {
	Level  klog.Level
	Origin string
	Text   string
}

// FixHosts resolves the program's hosts in order and finds their sockets,
// and stops at the first that fails, whose refusal it returns (nil when
// every host is fixed). It must run before the program serves SIP.
func (p *Program) FixHosts(f HostFixer) *Refusal {
	for _, h := range p.hosts {
		if h.Socket {
			if r := h.fixSocket(f); r != nil {
				return r
			}
			continue
		}
		a, err := f.ResolveStatic(h.Host, h.Port, h.Proto)
		if err != nil {
			r := &Refusal{Host: h, Err: err, Lines: []RefusalLine{
				{klog.Crit, "core", sip.UnresolvedProxyLine(h.Host)}}}
			if h.Refusal != "" {
				r.Lines = append(r.Lines, RefusalLine{klog.Err, h.Origin, h.Refusal})
			}
			return r
		}
		h.addr.Store(&a)
	}
	return nil
}

// fixSocket finds force_send_socket()'s socket: by its address, or by
// the address its name resolves to. Transports kamgo does not serve
// (TLS, SCTP, WebSocket) are left to the call, which says so.
func (h *StaticHost) fixSocket(f HostFixer) *Refusal {
	switch h.Proto {
	case sipmsg.ProtoNone, sipmsg.ProtoUDP, sipmsg.ProtoTCP:
	default:
		return nil
	}
	s, err := f.StaticSocket(h.Proto, h.Host, h.Port)
	if err != nil {
		text := fmt.Sprintf("fix_actions(): bad force_send_socket argument: %s:%d (kamgo doesn't listen on it)", h.Host, h.Port)
		var ue *sip.UnresolvedError
		if errors.As(err, &ue) {
			text = "fix_actions(): force_send_socket: could not resolve " + h.Host
		}
		return &Refusal{Host: h, Err: err, Lines: []RefusalLine{{klog.Err, "core", text}}}
	}
	h.sock.Store(s)
	return nil
}

// SocketOf is force_send_socket()'s socket once fixed.
func (h *StaticHost) SocketOf() (*sipmsg.Socket, bool) {
	s := h.sock.Load()
	return s, s != nil
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
	sh := f.cp.staticHost(f.n, &StaticHost{StaticHost: h})
	return sh.Addr
}
