package server

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// reloadable are the core parameters a reload may change.
var reloadable = map[string]bool{"debug": true, "log_prefix": true, "log_prefix_mode": true, "max_while_loops": true, "max_recursive_level": true}

func (s *Server) applyCore(core map[string]value.Value, diags *diag.List) {
	if v, ok := core["debug"]; ok {
		if v.K != value.Int {
			diags.Errorf(CodeCoreParam, diag.Range{}, "debug must be an integer")
		} else {
			s.log.SetThreshold(klog.Level(v.I))
		}
	}
	if s.table != nil {
		s.compileLogPrefix(core, diags)
	}
}

// compileLogPrefix applies log_prefix. Kamailio prints it, static or
// with pseudo-variables, only on the lines of a process while it handles
// a SIP message (and a failure route): never at start-up, in timers or in
// event routes that are not about a received message. So both kinds are
// compiled and expanded per message (messagePrefix).
func (s *Server) compileLogPrefix(core map[string]value.Value, diags *diag.List) {
	mode, ok := core["log_prefix_mode"]
	s.prefixEach.Store(ok && mode.K == value.Int && mode.I == 1)
	v, ok := core["log_prefix"]
	if !ok {
		s.prefix.Store(nil)
		return
	}
	text := value.ToStr(v)
	f, err := s.host.CompileFormat(text, diag.Range{})
	if err != nil {
		diags.Errorf(CodeCoreParam, diag.Range{}, "log_prefix %q: %v", text, err)
		return
	}
	s.prefix.Store(f)
}

// scanned is what the loader needs from a configuration besides routes.
type scanned struct {
	core   map[string]value.Value
	loads  []*ast.LoadModule
	paths  []string
	params []*ast.ModParam
	events map[string]bool
}

func scan(cfg *ast.Config) *scanned {
	sc := &scanned{core: map[string]value.Value{}, events: map[string]bool{}}
	for _, it := range cfg.Items {
		switch n := it.(type) {
		case *ast.CoreParam:
			if len(n.Values) > 0 {
				sc.core[n.Name] = coreValue(n.Values[0])
			} else {
				sc.core[n.Name] = value.NullValue
			}
		case *ast.LoadPath:
			sc.paths = append(sc.paths, n.Path)
		case *ast.LoadModule:
			sc.loads = append(sc.loads, n)
		case *ast.ModParam:
			sc.params = append(sc.params, n)
		case *ast.Route:
			if n.Kind == ast.Event {
				sc.events[n.Name] = true
			}
		}
	}
	return sc
}

func coreValue(v ast.Value) value.Value {
	if v.Kind == ast.ValInt {
		return value.MakeInt(v.Int)
	}
	return value.MakeStr(v.Text)
}
