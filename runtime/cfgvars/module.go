package cfgvars

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// ModuleGroup is a module's configuration group as the module reads it:
// on each event the value current when the event started (or the
// instance cfg_select chose), so that cfg.set reaches the next message
// without a restart.
type ModuleGroup struct {
	s    *Store
	g    *Group
	vals []value.Value // without a store: the values declared
}

// DeclareModule declares the group name of a module on the store of h
// (a module.Host) with the values its parameters gave. Without a store
// (a host that keeps none) the group reads the declared values.
func DeclareModule(h any, name string, defs []Def, vals []value.Value) (*ModuleGroup, error) {
	ch, ok := h.(Host)
	if !ok || ch.Cfg() == nil {
		return &ModuleGroup{vals: vals}, nil
	}
	s := ch.Cfg()
	g, err := s.Declare(name, defs, vals)
	if err != nil {
		return nil, err
	}
	return &ModuleGroup{s: s, g: g}, nil
}

// Get returns variable i as the event c reads it (c nil: the current value).
func (m *ModuleGroup) Get(c *event.Context, i int) value.Value {
	if m.s == nil {
		if i < 0 || i >= len(m.vals) {
			return value.NullValue
		}
		return m.vals[i]
	}
	return m.s.View(c).Get(m.g, i)
}

// Int returns integer variable i as the event c reads it.
func (m *ModuleGroup) Int(c *event.Context, i int) int64 {
	v := m.Get(c, i)
	if v.K != value.Int {
		return 0
	}
	return v.I
}

// Str returns string variable i as the event c reads it.
func (m *ModuleGroup) Str(c *event.Context, i int) string { return value.ToStr(m.Get(c, i)) }
