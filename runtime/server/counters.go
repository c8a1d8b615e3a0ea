package server

import (
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/sip"
)

// counterSet is a server's statistics: its counters registry, and the
// core's counters the SIP transport bumps (when kex registered them).
type counterSet struct {
	reg  *counters.Registry
	core *sip.CoreCounters
	net  *sip.NetCounters // tcp and dns (rpc_stats.go)
}

func (s *Server) counterSet() *counterSet {
	s.countersOnce.Do(func() { s.counters = &counterSet{reg: counters.NewRegistry()} })
	return s.counters
}

// registerCounters asks every module instance that keeps statistics to
// register them, in load order, once all have provisioned and before the
// routes compile (cnt_inc and $stat name counters at compile time). A
// counter registered twice is a provisioning error, as Kamailio's
// register_stat refuses it.
func (s *Server) registerCounters(diags *diag.List) {
	set := s.counterSet()
	for _, l := range s.mods {
		if r, ok := l.inst.(counters.Registrant); ok {
			if err := r.RegisterCounters(set.reg); err != nil {
				diags.Errorf(CodeProvision, diag.Range{}, "%s: %v", l.name, err)
			}
		}
	}
	set.core = sip.BindCoreCounters(set.reg)
	s.registerCoreStats(set, diags)
	if set.core == nil {
		return
	}
	// Kamailio runs the pre-script callbacks of the modules loaded before
	// kex after kex's counting.
	for _, l := range s.mods {
		if l.name == "kex" {
			break
		}
		if layer, ok := l.inst.(sip.Layer); ok {
			set.core.CountBefore(layer)
		}
	}
}

// Counters is the server's statistics registry.
func (s *Server) Counters() *counters.Registry { return s.counterSet().reg }

// Counters lets modules reach the registry through the host.
func (h *host) Counters() *counters.Registry { return h.s.Counters() }

// CoreCounters gives the SIP transport the core's counters: nil when no
// module registered them (Kamailio counts them only with kex loaded).
func (r sipRouter) CoreCounters() *sip.CoreCounters { return r.s.counterSet().core }

var (
	_ counters.Host      = (*host)(nil)
	_ sip.CountingRouter = sipRouter{}
)
