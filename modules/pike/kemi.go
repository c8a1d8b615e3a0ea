package pike

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.pike.pike_check_req() and
// KSR.pike.pike_check_ip(addr), with the native functions' results.
func (m *Module) KEMI() []module.KEMIFunc {
	return []module.KEMIFunc{
		{Module: Name, Name: "pike_check_req", Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(m.checkReq(c))
			}},
		{Module: Name, Name: "pike_check_ip", Params: []module.KEMIType{module.KEMIStr}, Ret: module.KEMIInt,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.checkIP(c, a[0].S))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
