// Package cfgrpc is kamgo's cfg_rpc module: the management commands
// (cfg.*) that read and change the configuration groups of
// runtime/cfgvars while the server runs: set a variable now, prepare
// changes and commit or drop them together, list them, read values,
// descriptions and variable names, add and delete group instances, reset
// a group to its declared values.
//
// The command names, parameters, reply shapes and fault codes are
// Kamailio 5.6.3's; the package README lists where kamgo differs.
package cfgrpc

import (
	"errors"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/module"
)

// Name is the module name, as `loadmodule "cfg_rpc.so"` names it.
const Name = "cfg_rpc"

func init() { module.Register(new(Module)) }

// Module is one loaded cfg_rpc module.
type Module struct {
	store *cfgvars.Store
	// ctx holds the delayed changes; all clients share it, as they share
	// the module's one context in Kamailio.
	ctx *cfgvars.Ctx
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{} }}
}

// Provision implements module.Provisioner: it takes the host's
// configuration groups and opens the module's context of changes.
func (m *Module) Provision(h module.Host) error {
	ch, ok := h.(cfgvars.Host)
	if !ok {
		return errors.New("cfg_rpc: the host keeps no configuration groups")
	}
	m.store = ch.Cfg()
	m.ctx = m.store.NewCtx()
	return nil
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)

// Exports implements module.Exporter: cfg_rpc offers RPC commands only.
func (*Module) Exports() module.Exports { return module.Exports{} }

var _ module.Exporter = (*Module)(nil)
