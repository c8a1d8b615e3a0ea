package server

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// host is the module.Host implementation.
type host struct{ s *Server }

var (
	_ module.Host    = (*host)(nil)
	_ module.Aborter = (*host)(nil)
)

// Abort asks whoever runs the server to stop it (Server.Aborted).
func (h *host) Abort(reason string) { h.s.Abort(reason) }

func (h *host) Log() *klog.Logger { return h.s.log }
func (h *host) PV() *pv.Table     { return h.s.table }

func (h *host) CompilePV(text string, r diag.Range) (*pv.Ref, error) {
	p, d := pvsyntax.ParsePV(text, r)
	if d != nil {
		return nil, d
	}
	return h.s.table.Compile(p)
}

func (h *host) CompileFormat(text string, r diag.Range) (*pv.Format, error) {
	f, l := pvsyntax.ParseFormat(text, r)
	if l.HasErrors() {
		return nil, l
	}
	return h.s.table.CompileFormat(f)
}

func (h *host) Has(t event.Target) bool {
	if p := h.s.prog.Load(); p != nil {
		return p.Has(t)
	}
	// Modules provision before the program is compiled; event routes are
	// known from the scan.
	return t.Kind == ast.Event && (*h.s.events.Load())[t.Name]
}

func (h *host) Run(c *event.Context, t event.Target) (int, bool) {
	p := h.s.prog.Load()
	if p == nil {
		return 0, false
	}
	if c.Log == nil {
		c.Log = h.s.log
	}
	if after := h.s.routeLogPrefix(c, t); after != nil {
		defer after()
	}
	h.s.attachSIP(c)
	if rc, ok, done := h.runKEMI(c, t); done {
		return rc, ok
	}
	return p.Run(c, t)
}

func (h *host) Workers() *event.Pool { return h.s.workers }

func (h *host) Module(name string) (module.Module, bool) { return h.s.Module(name) }

func (h *host) CoreParam(name string) (value.Value, bool) {
	v, ok := (*h.s.core.Load())[name]
	return v, ok
}
