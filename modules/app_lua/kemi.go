package applua

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.app_lua.*, Kamailio's names
// for the native functions, so that one Lua script can run another's
// functions.
func (m *Module) KEMI() []module.KEMIFunc {
	s := module.KEMIStr
	run := func(n int) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			var buf [3]string
			ps := buf[:n]
			for i := range ps {
				ps[i] = a[i+1].S
			}
			rc, _ := m.run(c, a[0].S, ps, true)
			return module.KEMIRC(rc)
		}
	}
	return []module.KEMIFunc{
		{Module: Name, Name: "dostring", Params: []module.KEMIType{s}, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.doString(c, a[0].S, false))
			}},
		{Module: Name, Name: "dofile", Params: []module.KEMIType{s}, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.doFile(c, a[0].S))
			}},
		{Module: Name, Name: "runstring", Params: []module.KEMIType{s}, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.doString(c, a[0].S, true))
			}},
		{Module: Name, Name: "run", Params: []module.KEMIType{s}, Ret: module.KEMIInt, Call: run(0)},
		{Module: Name, Name: "run_p1", Params: []module.KEMIType{s, s}, Ret: module.KEMIInt, Call: run(1)},
		{Module: Name, Name: "run_p2", Params: []module.KEMIType{s, s, s}, Ret: module.KEMIInt, Call: run(2)},
		{Module: Name, Name: "run_p3", Params: []module.KEMIType{s, s, s, s}, Ret: module.KEMIInt, Call: run(3)},
	}
}
