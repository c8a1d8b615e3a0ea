package nathelper

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.nathelper.*, as Kamailio
// 5.6.3 exports them.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	var cache module.KEMICache
	fn := func(name string, params []module.KEMIType, run func(h module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(run(h, c, sipmsg.FromContext(c), a))
			}}
	}
	return []module.KEMIFunc{
		fn("nat_uac_test", []module.KEMIType{i}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.natUACTest(c, msg, a[0].I)
		}),
		fn("fix_nated_contact", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.fixNatedContact(c, msg)
		}),
		fn("fix_nated_register", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.fixNatedRegister(c, msg)
		}),
		fn("set_contact_alias", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.setContactAlias(c, msg, false)
		}),
		fn("set_contact_alias_trim", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.setContactAlias(c, msg, true)
		}),
		fn("handle_ruri_alias", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.handleRURIAlias(c, msg, 0)
		}),
		fn("handle_ruri_alias_mode", []module.KEMIType{i}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.handleRURIAlias(c, msg, a[0].I)
		}),
		fn("is_rfc1918", []module.KEMIType{s}, func(_ module.Host, c *event.Context, _ *sipmsg.Msg, a []value.Value) int {
			if m.is1918(a[0].S) == 1 {
				return 1
			}
			return -1
		}),
		fn("add_contact_alias", nil, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.addContactAlias(c, msg, nil)
		}),
		fn("add_contact_alias_addr", []module.KEMIType{s, s, s}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.addContactAlias(c, msg, &aliasAddr{ip: a[0].S, port: a[1].S, proto: a[2].S})
		}),
		fn("add_rcv_param", []module.KEMIType{i}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.addRcvParam(c, msg, a[0].I != 0)
		}),
		fn("fix_nated_sdp", []module.KEMIType{i}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.fixNatedSDP(c, msg, a[0].I, "")
		}),
		fn("fix_nated_sdp_ip", []module.KEMIType{i, s}, func(_ module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.fixNatedSDP(c, msg, a[0].I, a[1].S)
		}),
		fn("set_alias_to_pv", []module.KEMIType{s}, func(h module.Host, c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.setAliasToPV(c, msg, h, &cache, a[0].S)
		}),
	}
}

var _ module.KEMIExporter = (*Module)(nil)
