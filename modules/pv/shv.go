package pv

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// shvSpec is $shv(name): shared by all workers. Unset reads as int 0;
// assigning $null leaves an empty string, as Kamailio 5.6.3 does.
type shvSpec struct {
	m    *Module
	name func(c *event.Context) string
}

func (m *Module) compileShv(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return &shvSpec{m: m, name: name}, nil
}

func (s *shvSpec) Get(c *event.Context) value.Value {
	s.m.shvMu.RLock()
	v, ok := s.m.shv[s.name(c)]
	s.m.shvMu.RUnlock()
	if !ok {
		return value.MakeInt(0)
	}
	return v
}

func (s *shvSpec) Set(c *event.Context, v value.Value) error {
	if v.IsNull() {
		v = value.MakeStr("")
	}
	v = v.Plain()
	s.m.shvMu.Lock()
	s.m.shv[s.name(c)] = v
	s.m.shvMu.Unlock()
	return nil
}

func (s *shvSpec) Defined(*event.Context) bool { return true }
