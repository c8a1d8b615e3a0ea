package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/selects"
	"github.com/kamgo/kamgo/runtime/value"
)

// $sel(name): Kamailio's select framework, through runtime/selects (the
// table the interpreter's `@name` uses too): the core message selects and
// the configuration selects (cfg_get, cfg_selected). Any other name is
// refused at load time, as Kamailio refuses a name no loaded module
// provides. A select with no value reads null.
func (m *Module) compileSelect(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	var cfg *cfgvars.Store
	if h, ok := m.host.(cfgvars.Host); ok {
		cfg = h.Cfg()
	}
	f, err := selects.Compile(p.Name.Text, cfg)
	if err != nil {
		return nil, err
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		s, ok := f(c)
		return strOrNull(s, ok)
	}), nil
}
