package counters

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// counterArg resolves, at load time, the counter a function's first
// argument names: the name is taken as written, never expanded, as
// Kamailio's fixup takes it, and a name no counter has refuses the
// configuration.
func (m *Module) counterArg(a *module.Arg) (*counters.Counter, error) {
	s, ok := a.Literal()
	if !ok {
		return nil, fmt.Errorf("the counter name must be a string")
	}
	return m.lookup(s)
}

// compileInc compiles cnt_inc(name): 1 after adding one.
func (m *Module) compileInc(_ module.Host, args []*module.Arg) (module.Call, error) {
	c, err := m.counterArg(args[0])
	if err != nil {
		return nil, err
	}
	return func(*event.Context) int { c.Inc(); return 1 }, nil
}

// compileAdd compiles cnt_add(name, number): the number is an integer or
// a pseudo-variable holding one; -1 when it holds something else.
func (m *Module) compileAdd(h module.Host, args []*module.Arg) (module.Call, error) {
	c, err := m.counterArg(args[0])
	if err != nil {
		return nil, err
	}
	n, err := args[1].Int(h)
	if err != nil {
		return nil, err
	}
	return func(ctx *event.Context) int {
		v, ok := n(ctx)
		if !ok {
			if ctx.Log != nil {
				ctx.Log.Log(klog.Err, Name, "cnt_add_f(): the value to add is not an integer")
			}
			return -1
		}
		// Kamailio reads the value into a C int.
		c.Add(int64(int32(v)))
		return 1
	}, nil
}

// compileReset compiles cnt_reset(name): 1; a counter that cannot be
// reset keeps its value.
func (m *Module) compileReset(_ module.Host, args []*module.Arg) (module.Call, error) {
	c, err := m.counterArg(args[0])
	if err != nil {
		return nil, err
	}
	return func(*event.Context) int { c.Reset(); return 1 }, nil
}
