package acc

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.acc.acc_log_request(comment),
// KSR.acc.acc_db_request(comment, table) and KSR.acc.acc_request(comment,
// table), as Kamailio 5.6 exports them.
func (m *Module) KEMI() []module.KEMIFunc {
	s, i := module.KEMIStr, module.KEMIInt
	return []module.KEMIFunc{
		{Module: Name, Name: "acc_log_request", Params: []module.KEMIType{s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				cm, ok := m.kemiComment(c, "ki_acc_log_request", a[0].S)
				if !ok {
					return module.KEMIRC(-1)
				}
				return module.KEMIRC(m.logRequest(c, cm))
			}},
		{Module: Name, Name: "acc_db_request", Params: []module.KEMIType{s, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				if _, ok := m.kemiComment(c, "ki_acc_db_request", a[0].S); !ok {
					return module.KEMIRC(-1)
				}
				m.logf(c, klog.Err, "ki_acc_db_request(): db support not configured")
				return module.KEMIRC(-1)
			}},
		{Module: Name, Name: "acc_request", Params: []module.KEMIType{s, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.request(c, a[0].S, a[1].S))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
