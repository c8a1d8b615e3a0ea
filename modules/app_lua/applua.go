// Package applua is kamgo's app_lua module: configurations written in Lua
// 5.1 (github.com/yuin/gopher-lua, pure Go), as Kamailio's app_lua runs
// them. `cfgengine "lua"` makes the core's routes Lua functions
// (ksr_request_route, ksr_reply_route, ksr_onsend_route and the failure,
// branch and onreply routes by name) and lets modules call their event
// callbacks (evapi's event_callback); lua_run, lua_dofile, lua_dostring and
// lua_runstring call Lua from native routes. Scripts reach kamgo through
// the KSR table, built from every KEMI function the configuration offers
// (module.KEMIHost): nothing here is written per function.
//
// As Kamailio keeps one Lua interpreter per process, kamgo keeps one per
// worker (event.Worker): the files named by the load parameter run once in
// it, and their globals persist across the events that worker runs. A
// reload of the configuration reads the files again; each worker starts a
// fresh interpreter with them at its next event.
package applua

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "app_lua.so"` names it.
const Name = "app_lua"

// EngineName is the name `cfgengine` selects the engine by.
const EngineName = "lua"

func init() { module.Register(new(Module)) }

// Module is one app_lua instance. The zero value is not ready; use
// Info().New.
type Module struct {
	// load holds the load parameters in the order Kamailio runs them: the
	// last one given first (its list is built by prepending).
	load    []string
	reload  bool
	logMode int64

	host module.Host
	log  *klog.Logger
	// scripts are the compiled load files events run with; a reload swaps
	// them and workers notice at their next event.
	scripts atomic.Pointer[scriptSet]
}

// logExports is the log_mode bit that logs every KSR function an
// interpreter exports, at debug level.
const logExports = 1

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{reload: true} }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "load", Type: module.ParamStr, Multi: true},
			{Name: "reload", Type: module.ParamInt, Default: value.MakeInt(1), Multi: true},
			{Name: "log_mode", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: m.funcs(),
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "load":
		if v.K != value.Str || v.S == "" {
			return errors.New("app_lua: load takes the path of a Lua file")
		}
		m.load = append([]string{v.S}, m.load...)
	case "reload":
		m.reload = v.I != 0
	case "log_mode":
		m.logMode = v.I
	default:
		return fmt.Errorf("app_lua: unknown parameter %q", name)
	}
	return nil
}

// Provision implements module.Provisioner: every load file must exist and
// compile, or the configuration does not start, as in Kamailio.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	m.log = h.Log()
	for _, f := range m.load {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("app_lua: cannot find script: %s (wrong path?)", f)
		}
	}
	set, err := compileScripts(m.load, 1)
	if err != nil {
		return err
	}
	m.scripts.Store(set)
	return nil
}

// Start implements module.Starter: it runs the load files once in a
// probe interpreter, now that every module is provisioned and the KSR
// table complete, so that a script failing at its top level stops the
// start, as it stops Kamailio's workers.
func (m *Module) Start(context.Context) error {
	if len(m.load) == 0 {
		return nil
	}
	st, err := m.newState(m.scripts.Load())
	if err != nil {
		return fmt.Errorf("app_lua: %v", err)
	}
	st.close()
	return nil
}

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error { return nil }

// KEMIEngineName implements module.KEMIEngine.
func (*Module) KEMIEngineName() string { return EngineName }

// PrepareReload implements module.KEMIReloader: the load files are read
// and compiled again (unless the reload parameter is 0); workers start
// fresh interpreters with them once commit has run.
func (m *Module) PrepareReload() (commit func(), err error) {
	old := m.scripts.Load()
	if !m.reload || old == nil || len(m.load) == 0 {
		return func() {}, nil
	}
	set, err := compileScripts(m.load, old.gen+1)
	if err != nil {
		return nil, err
	}
	return func() { m.scripts.Store(set) }, nil
}

var (
	_ module.Module       = (*Module)(nil)
	_ module.Exporter     = (*Module)(nil)
	_ module.ParamSetter  = (*Module)(nil)
	_ module.Provisioner  = (*Module)(nil)
	_ module.Starter      = (*Module)(nil)
	_ module.KEMIEngine   = (*Module)(nil)
	_ module.KEMIReloader = (*Module)(nil)
	_ module.KEMIExporter = (*Module)(nil)
)
