package auth

import (
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.auth.*, as Kamailio 5.6
// exports them (the functions run without the native wrappers' checks of
// their arguments), and the challenge functions Kamailio 5.7 adds.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	fn := func(name, ext string, params []module.KEMIType, call func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i, Ext: ext,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(call(c, sipmsg.FromContext(c), a))
			}}
	}
	return []module.KEMIFunc{
		fn("consume_credentials", "", nil, func(c *event.Context, msg *sipmsg.Msg, _ []value.Value) int {
			return m.consume(c, msg)
		}),
		fn("auth_challenge", "", []module.KEMIType{s, i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.challenge(c, a[0].S, a[1].I, msg.Method != "REGISTER")
		}),
		fn("pv_auth_check", "", []module.KEMIType{s, s, i, i}, func(c *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.authCheck(c, msg, a[0].S, a[1].S, a[2].I, a[3].I)
		}),
		fn("has_credentials", "", []module.KEMIType{s}, func(_ *event.Context, msg *sipmsg.Msg, a []value.Value) int {
			return m.hasCredentials(msg, a[0].S)
		}),
		fn("www_challenge", "Kamailio 5.7", []module.KEMIType{s, i}, func(c *event.Context, _ *sipmsg.Msg, a []value.Value) int {
			return m.challenge(c, a[0].S, a[1].I, false)
		}),
		fn("proxy_challenge", "Kamailio 5.7", []module.KEMIType{s, i}, func(c *event.Context, _ *sipmsg.Msg, a []value.Value) int {
			return m.challenge(c, a[0].S, a[1].I, true)
		}),
		fn("auth_get_www_authenticate", "Kamailio 5.7", []module.KEMIType{s, i, s}, func(c *event.Context, _ *sipmsg.Msg, a []value.Value) int {
			return m.kemiGetWWW(c, a[0].S, a[1].I, a[2].S)
		}),
	}
}

// kemiGetWWW is KSR.auth.auth_get_www_authenticate: the destination is a
// pseudo-variable named by text.
func (m *Module) kemiGetWWW(c *event.Context, realm string, flags int64, dst string) int {
	if m.host == nil {
		return -1
	}
	r, err := m.host.CompilePV(dst, diag.Range{})
	if err != nil || !r.Writable() {
		m.logf(errLevel, "ki_auth_get_www_authenticate(): cannot get pv spec for [%s]", dst)
		return -1
	}
	return m.getWWW(c, realm, flags, r)
}

var _ module.KEMIExporter = (*Module)(nil)
