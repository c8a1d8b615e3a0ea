package tmx

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// uacAckLocalFunc is t_uac_ack_local(callid, cseq[, headers[, body]])
// (Kamailio 6.1, any route): the ACK of the 2xx to a local INVITE sent
// with tm's automatic ACK turned off (t_set_no_auto_ack). Every argument is
// a format string; headers are whole header lines. Kamailio 6.1 reads
// the headers and body from integer-or-variable parameters and from no
// parameter at all in the shorter forms (spec/deviations.md).
func (m *Module) uacAckLocalFunc() module.Func {
	return module.Func{Name: "t_uac_ack_local", MinArgs: 2, MaxArgs: 4, Ext: "Kamailio 6.1", Routes: routetype.Any,
		Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
			strs, err := module.Strs(h, args...)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int {
				var hdrs, body string
				if len(strs) > 2 {
					hdrs = strs[2](c)
				}
				if len(strs) > 3 {
					body = strs[3](c)
				}
				if m.tm.AckLocal(c, strs[0](c), strs[1](c), hdrs, body) < 0 {
					return -1
				}
				return 1
			}, nil
		}}
}

// uacAckLocalKEMI is KSR.tmx.t_uac_ack_local(callid, cseq, headers,
// body): tm's result as it is, 0 when the ACK was sent.
func (m *Module) uacAckLocalKEMI() module.KEMIFunc {
	s := module.KEMIStr
	return module.KEMIFunc{Module: Name, Name: "t_uac_ack_local", Params: []module.KEMIType{s, s, s, s}, Ret: module.KEMIInt, Ext: "Kamailio 6.1",
		Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return module.KEMIRC(m.tm.AckLocal(c, a[0].S, a[1].S, a[2].S, a[3].S))
		}}
}
