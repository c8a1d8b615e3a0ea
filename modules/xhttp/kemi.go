package xhttp

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.xhttp.xhttp_reply (0 when the
// reply was sent, -1 otherwise: Kamailio exports the API function, not the
// script one, and it skips the script function's checks) and
// KSR.xhttp.get_hu.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	return []module.KEMIFunc{
		{Module: Name, Name: "xhttp_reply", Params: []module.KEMIType{i, s, s, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(m.Reply(c, int(a[0].I), a[1].S, a[2].S, a[3].S))
			}},
		{Module: Name, Name: "get_hu", Ret: module.KEMIXVal,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				if msg := sipmsg.FromContext(c); msg != nil {
					return module.KEMIOf(value.MakeStr(msg.RURI))
				}
				return module.KEMIOf(value.MakeStr(""))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
