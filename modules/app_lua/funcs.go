package applua

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// funcs are the native functions: each argument is a format string, as
// Kamailio's spve fixup makes it.
func (m *Module) funcs() []module.Func {
	one := func(do func(c *event.Context, s string) int) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			s, err := args[0].Str(h)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int { return do(c, s(c)) }, nil
		}
	}
	return []module.Func{
		{Name: "lua_dostring", MinArgs: 1, MaxArgs: 1, Compile: one(func(c *event.Context, s string) int { return m.doString(c, s, false) })},
		{Name: "lua_dofile", MinArgs: 1, MaxArgs: 1, Compile: one(m.doFile)},
		{Name: "lua_runstring", MinArgs: 1, MaxArgs: 1, Compile: one(func(c *event.Context, s string) int { return m.doString(c, s, true) })},
		{Name: "lua_run", MinArgs: 1, MaxArgs: 4, Compile: m.compileRun},
	}
}

// compileRun is lua_run(function [, p1 [, p2 [, p3]]]): the function of
// the load files, called with the string parameters; a missing function
// is an error.
func (m *Module) compileRun(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		var buf [3]string
		ps := buf[:len(fs)-1]
		for i := range ps {
			ps[i] = fs[i+1](c)
		}
		rc, _ := m.run(c, fs[0](c), ps, true)
		return rc
	}, nil
}
