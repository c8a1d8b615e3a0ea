package maxfwd

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.maxfwd.process_maxfwd(limit)
// and KSR.maxfwd.is_maxfwd_lt(limit), as Kamailio exports them.
func (m *Module) KEMI() []module.KEMIFunc {
	i := module.KEMIInt
	return []module.KEMIFunc{
		{Module: Name, Name: "process_maxfwd", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.process(c, sipmsg.FromContext(c), a[0].I))
			}},
		{Module: Name, Name: "is_maxfwd_lt", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(isLT(c, sipmsg.FromContext(c), a[0].I))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
