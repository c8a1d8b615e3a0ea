package rtjson

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.rtjson.init_routes(doc),
// push_routes(), next_route() and update_branch(), as Kamailio exports
// them. Unlike the native function, init_routes takes an empty document
// to the JSON reader, which refuses it as invalid.
func (m *Module) KEMI() []module.KEMIFunc {
	none := func(name string, run func(c *event.Context) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(rc(run(c)))
			}}
	}
	return []module.KEMIFunc{
		{Module: Name, Name: "init_routes", Params: []module.KEMIType{module.KEMIStr}, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(rc(m.initRoutes(c, a[0].S)))
			}},
		none("push_routes", m.pushRoutes),
		none("next_route", m.nextRoute),
		none("update_branch", m.updateBranch),
	}
}

var _ module.KEMIExporter = (*Module)(nil)
