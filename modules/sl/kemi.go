package sl

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.sl.*, as Kamailio's sl exports
// them. The code is a number; sl_forward_reply takes a code and a reason,
// either of them empty to keep the reply's.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	rc := module.KEMIRC
	return []module.KEMIFunc{
		{Module: "sl", Name: "sl_send_reply", Params: []module.KEMIType{i, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(m.reply(c, sipmsg.FromContext(c), int(a[0].I), a[1].S))
			}},
		{Module: "sl", Name: "send_reply", Params: []module.KEMIType{i, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(m.sendReply(c, int(a[0].I), a[1].S, 0))
			}},
		{Module: "sl", Name: "send_reply_mode", Params: []module.KEMIType{i, s, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(m.sendReply(c, int(a[0].I), a[1].S, a[2].I))
			}},
		{Module: "sl", Name: "sl_reply_error", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return rc(m.replyError(c))
			}},
		{Module: "sl", Name: "send_reply_error", Ret: i, Ext: "Kamailio 5.8",
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return rc(m.replyError(c))
			}},
		{Module: "sl", Name: "sl_forward_reply", Params: []module.KEMIType{s, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rc(m.forwardReply(c, a[0].S, a[1].S))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
