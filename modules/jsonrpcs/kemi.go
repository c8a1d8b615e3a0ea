package jsonrpcs

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.jsonrpcs.exec(cmd) and its
// twin execx(cmd), and KSR.jsonrpcs.response(), the last response
// document ("" before any), and KSR.jsonrpcs.dispatch(), jsonrpc_dispatch.
func (m *Module) KEMI() []module.KEMIFunc {
	s, i := module.KEMIStr, module.KEMIInt
	exec := func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return module.KEMIRC(m.Exec(c, a[0].S))
	}
	return []module.KEMIFunc{
		{Module: Name, Name: "exec", Params: []module.KEMIType{s}, Ret: i, Call: exec},
		{Module: Name, Name: "execx", Params: []module.KEMIType{s}, Ret: i, Call: exec},
		{Module: Name, Name: "dispatch", Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return module.KEMIRC(m.dispatch(c))
			}},
		{Module: Name, Name: "response", Ret: module.KEMIXVal,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				if r := lastReply(c); r != nil {
					return module.KEMIOf(value.MakeStr(r.Body))
				}
				return module.KEMIOf(value.MakeStr(""))
			}},
	}
}

var _ module.KEMIExporter = (*Module)(nil)
