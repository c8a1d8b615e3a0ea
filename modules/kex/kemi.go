package kex

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.kex.setdebug(level) and
// KSR.kex.resetdebug(), as Kamailio's kex exports them. The flag and $du
// functions are the core's in KEMI (KSR.setsflag, KSR.setdsturi ...).
func (m *Module) KEMI() []module.KEMIFunc {
	i := module.KEMIInt
	return []module.KEMIFunc{
		{Module: "kex", Name: "setdebug", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.setDebug(c, a[0].I))
			}},
		{Module: "kex", Name: "resetdebug", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(m.resetDebug(c))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
