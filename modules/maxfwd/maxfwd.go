// Package maxfwd is kamgo's maxfwd module: the Max-Forwards header of
// requests. mf_process_maxfwd_header (and its aliases maxfwd_process and
// process_maxfwd) decrements the header in the message text, capped by
// the max_limit parameter, or adds one when the request has none;
// is_maxfwd_lt (maxfwd_at_least, mf_lowlimit) compares it with a limit.
//
// Return codes and log lines follow Kamailio 5.6.3's maxfwd module; the
// package README lists where kamgo differs.
package maxfwd

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "maxfwd.so"` names it.
const Name = "maxfwd"

// defaultMaxLimit is max_limit's default.
const defaultMaxLimit = 70

func init() { module.Register(new(Module)) }

// Module is one loaded maxfwd module.
type Module struct {
	// maxLimit caps the value a decremented header gets (modparam
	// max_limit).
	maxLimit int64
	// cfg is the maxfwd configuration group: max_limit as cfg.set leaves it.
	cfg *cfgvars.ModuleGroup
}

// cfgDefs is the maxfwd group of Kamailio's configuration framework.
var cfgDefs = []cfgvars.Def{
	{Name: "max_limit", Type: cfgvars.Int, Min: 0, Max: 255, Descr: "Highest Max-Forwards value a relayed request keeps"},
}

// Provision implements module.Provisioner: it declares the maxfwd group
// with max_limit's value.
func (m *Module) Provision(h module.Host) error {
	g, err := cfgvars.DeclareModule(h, Name, cfgDefs, []value.Value{value.MakeInt(m.maxLimit)})
	m.cfg = g
	return err
}

// limit is max_limit as the event reads it.
func (m *Module) limit(c *event.Context) int64 {
	if m.cfg == nil {
		return m.maxLimit
	}
	return m.cfg.Int(c, 0)
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{maxLimit: defaultMaxLimit} }}
}

// Exports implements module.Exporter. bind_maxfwd is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	process := func(h module.Host, args []*module.Arg) (module.Call, error) {
		return m.compile(h, args, "w_process_maxfwd_header", m.process)
	}
	lt := func(h module.Host, args []*module.Arg) (module.Call, error) {
		return m.compile(h, args, "is_maxfwd_lt", isLT)
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "max_limit", Type: module.ParamInt, Default: value.MakeInt(defaultMaxLimit)},
		},
		Funcs: []module.Func{
			{Name: "mf_process_maxfwd_header", MinArgs: 1, MaxArgs: 1, Compile: process},
			{Name: "maxfwd_process", MinArgs: 1, MaxArgs: 1, Compile: process},
			{Name: "process_maxfwd", MinArgs: 1, MaxArgs: 1, Compile: process},
			{Name: "is_maxfwd_lt", MinArgs: 1, MaxArgs: 1, Compile: lt},
			{Name: "maxfwd_at_least", MinArgs: 1, MaxArgs: 1, Compile: lt},
			{Name: "mf_lowlimit", MinArgs: 1, MaxArgs: 1, Compile: lt},
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "max_limit":
		m.maxLimit = v.I
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
