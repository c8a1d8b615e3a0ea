package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// cmod declares a configuration group through the host, as a module with
// runtime settings does, and reads it on each event.
type cmod struct {
	store *cfgvars.Store
	group *cfgvars.Group
	limit int
}

func (*cmod) ModuleInfo() module.Info {
	return module.Info{Name: "cmod", New: func() module.Module { return &cmod{} }}
}

func (m *cmod) Exports() module.Exports {
	return module.Exports{Funcs: []module.Func{{Name: "show_limit",
		Compile: func(module.Host, []*module.Arg) (module.Call, error) {
			return func(c *event.Context) int {
				c.Log.Log(klog.Info, "script", fmt.Sprintf("limit=%d", m.store.Int(c, m.group, m.limit)))
				return 1
			}, nil
		}}}}
}

func (m *cmod) Provision(h module.Host) error {
	m.store = h.(cfgvars.Host).Cfg()
	g, err := m.store.Declare("cmod", []cfgvars.Def{{Name: "limit", Type: cfgvars.Int, Max: 10, Descr: "a limit"}},
		[]value.Value{value.MakeInt(3)})
	if err != nil {
		return err
	}
	m.group = g
	m.limit, _ = g.Var("limit")
	return nil
}

var cfgModules = func() *module.Registry {
	r := module.NewRegistry()
	r.Register(&cmod{})
	return r
}()

func TestModuleGroupThroughHost(t *testing.T) {
	lg, lines := newLog()
	src := `debug=3
loadmodule "cmod.so"
mine.x = "y"
cmod[2].limit = 7
event_route[test:ev] { show_limit(); }
`
	s, dl := Load(parse(t, src), Options{Log: lg, Registry: cfgModules})
	if s == nil {
		t.Fatal(dl)
	}
	w := event.NewWorker(0)
	s.Dispatch(event.Event("test:ev"), w, nil)
	st := s.Cfg()
	if err := st.SetNow(cfgvars.Target{Group: "cmod"}, "limit", value.MakeInt(5)); err != nil {
		t.Fatal(err)
	}
	if err := st.SetNow(cfgvars.Target{Group: "cmod"}, "limit", value.MakeInt(11)); err == nil {
		t.Error("a value above the module's range was taken")
	}
	s.Dispatch(event.Event("test:ev"), w, nil)
	if got := strings.Join(*lines, "|"); got != "INFO: limit=3|INFO: limit=5" {
		t.Errorf("log %q", got)
	}
	if v, _, err := st.Get(cfgvars.Target{Group: "cmod", ID: 2, Inst: true}, "limit"); err != nil || v.I != 7 {
		t.Errorf("cmod[2].limit = %v, %v", v, err)
	}
	var names []string
	for _, g := range st.Groups() {
		names = append(names, g.Name())
	}
	if fmt.Sprint(names) != "[cmod tcp core mine]" {
		t.Errorf("groups %v", names)
	}
	if v, _, _ := st.Get(cfgvars.Target{Group: "core"}, "debug"); v.I != 3 {
		t.Errorf("core.debug = %v, want the core parameter's 3", v)
	}
	// The core group's debug is the logger's level.
	if err := st.SetNow(cfgvars.Target{Group: "core"}, "debug", value.MakeInt(1)); err != nil {
		t.Fatal(err)
	}
	if lg.Threshold() != 1 {
		t.Errorf("threshold %d", lg.Threshold())
	}
	if s.Cfg() != st || s.host.Cfg() != st {
		t.Error("a second store for the same server")
	}
}

func TestCoreGroupFromCoreParams(t *testing.T) {
	src := `log_facility=LOG_LOCAL0
mem_log=2
udp_mtu_try_proto=TCP
dns_srv_loadbalancing=1
corelog=-3
`
	s, dl := Load(parse(t, src), Options{Registry: cfgModules})
	if s == nil {
		t.Fatal(dl)
	}
	st := s.Cfg()
	for name, want := range map[string]int64{"memlog": 2, "udp_mtu_try_proto": 2, "dns_srv_lb": 1, "corelog": -3, "debug": 1, "max_while_loops": 100} {
		if v, _, err := st.Get(cfgvars.Target{Group: "core"}, name); err != nil || v.I != want {
			t.Errorf("core.%s = %v %v, want %d", name, v, err, want)
		}
	}
	if _, _, err := st.Get(cfgvars.Target{Group: "core"}, "log_facility"); err == nil {
		t.Error("log_facility read back")
	}
	if err := st.SetNow(cfgvars.Target{Group: "core"}, "log_facility", value.MakeStr("log_local3")); err != nil {
		t.Errorf("a facility name: %v", err)
	}
	if err := st.SetNow(cfgvars.Target{Group: "core"}, "log_facility", value.MakeStr("LOG_NOPE")); err == nil {
		t.Error("an unknown facility was taken")
	}
	if g := st.Groups(); len(g) != 2 || len(g[1].Defs()) != len(coreVars) || len(g[0].Defs()) != len(tcpVars) {
		t.Error("core and tcp group sizes")
	}
}
