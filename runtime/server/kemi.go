package server

import (
	"strings"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/kemi"
	"github.com/kamgo/kamgo/runtime/module"
)

// KEMI routing: with `cfgengine "lua"` the core's routes (request, reply,
// onsend, and the failure, branch and onreply routes a transaction arms)
// run as functions of the engine's scripts instead of the configuration's
// blocks, as in Kamailio; event routes keep their native blocks, and a
// module's event callback runs through the engine when there is no block
// (module.RunEvent). The engine is the loaded module that implements
// module.KEMIEngine under that name (app_lua).

// Default callbacks of the core routes without a name, and the value of
// the kemi.* settings that turns one off.
const (
	defaultReplyCallback  = "ksr_reply_route"
	defaultOnSendCallback = "ksr_onsend_route"
	requestCallback       = "ksr_request_route"
)

// kemiState is what one configuration selected: the engine (nil for
// native routes) and the callbacks of the core routes without a name.
type kemiState struct {
	eng           module.KEMIEngine
	reply, onsend string
	exports       *kemiExports
}

// kemiExports is every KEMI function of a load, built once, when the
// engine first asks: the modules are provisioned by then. A reload keeps
// it, since it keeps the modules.
type kemiExports struct {
	once  sync.Once
	funcs []module.KEMIFunc
}

// selectKEMI reads cfgengine and the kemi.reply_route_callback and
// kemi.onsend_route_callback settings of cfg and finds the engine among
// the loaded modules. It stores nothing; the caller does.
func (s *Server) selectKEMI(cfg *ast.Config, diags *diag.List) *kemiState {
	st := &kemiState{reply: defaultReplyCallback, onsend: defaultOnSendCallback}
	if old := s.kemi.Load(); old != nil {
		st.exports = old.exports
	} else {
		st.exports = &kemiExports{}
	}
	var engine *ast.CfgEngine
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.CfgEngine:
			engine = n
		case *ast.CfgVar:
			if n.Group != "kemi" {
				continue
			}
			name := n.Value.Text
			if strings.EqualFold(name, "none") {
				name = ""
			}
			switch n.Name {
			case "reply_route_callback":
				st.reply = name
			case "onsend_route_callback":
				st.onsend = name
			}
		}
	}
	if engine == nil {
		return st
	}
	switch strings.ToLower(engine.Name) {
	case "", "native", "default":
		return st
	}
	for _, l := range s.mods {
		if e, ok := l.inst.(module.KEMIEngine); ok && strings.EqualFold(e.KEMIEngineName(), engine.Name) {
			st.eng = e
			return st
		}
	}
	diags.Errorf(interp.CodeNotImplemented, engine.Rng, "cfgengine %q is not implemented by kamgo: no loaded module runs it", engine.Name)
	return st
}

// KEMIEngine implements module.KEMIHost.
func (h *host) KEMIEngine() module.KEMIEngine {
	if st := h.s.kemi.Load(); st != nil {
		return st.eng
	}
	return nil
}

// KEMIExports implements module.KEMIHost: the core's functions, then each
// loaded module's, in load order.
func (h *host) KEMIExports() []module.KEMIFunc {
	st := h.s.kemi.Load()
	if st == nil {
		return nil
	}
	x := st.exports
	x.once.Do(func() {
		x.funcs = kemi.Core()
		for _, l := range h.s.mods {
			if e, ok := l.inst.(module.KEMIExporter); ok {
				x.funcs = append(x.funcs, e.KEMI()...)
			}
		}
	})
	return x.funcs
}

// runKEMI runs t through the engine when the configuration selected one
// and t is a core route (not an event route or a route[] block, which stay
// native). done is false when t is not the engine's to run.
func (h *host) runKEMI(c *event.Context, t event.Target) (rc int, ok, done bool) {
	st := h.s.kemi.Load()
	if st == nil || st.eng == nil {
		return 0, false, false
	}
	fn, required := "", false
	switch t.Kind {
	case ast.Request:
		fn, required = requestCallback, true
	case ast.Reply:
		fn = st.reply
	case ast.OnSend:
		fn = st.onsend
	case ast.Failure, ast.Branch, ast.OnReply:
		fn = t.Name
	default:
		return 0, false, false
	}
	c.Route = t.RouteType()
	c.RC = 0
	if fn == "" {
		return 1, true, true
	}
	if _, found := st.eng.KEMIRun(c, fn, "", required); !found && required {
		return -1, true, true
	}
	// Kamailio's engines report success to the core whatever the
	// function returned; KSR.x.drop() shows in c.Dropped.
	return 1, true, true
}

// prepareKEMI is the KEMI part of a reload: the engine cfg selects, and
// the scripts of every module that keeps its own (app_lua's load files),
// read and compiled again. When any of them fails the reload is refused;
// otherwise commit makes the next events use what was prepared.
func (s *Server) prepareKEMI(cfg *ast.Config) (commit func(), diags diag.List) {
	st := s.selectKEMI(cfg, &diags)
	var commits []func()
	for _, l := range s.mods {
		r, ok := l.inst.(module.KEMIReloader)
		if !ok {
			continue
		}
		c, err := r.PrepareReload()
		if err != nil {
			diags.Errorf(CodeReload, diag.Range{}, "%s: %v; the running configuration is kept", l.name, err)
			continue
		}
		commits = append(commits, c)
	}
	return func() {
		s.kemi.Store(st)
		for _, c := range commits {
			c()
		}
	}, diags
}
