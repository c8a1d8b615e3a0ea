package tmx

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// kemiContinueEvent is the argument the continue callback gets.
const kemiContinueEvent = "tmx:continue"

// KEMI implements module.KEMIExporter: KSR.tmx.*, as Kamailio's tmx
// exports them. t_continue's third argument names a function of the
// script engine, run as the route of the resumed transaction.
func (m *Module) KEMI() []module.KEMIFunc {
	i, s := module.KEMIInt, module.KEMIStr
	rcOf := module.KEMIRC
	none := func(name string, f func(c *event.Context) int) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue { return rcOf(f(c)) }}
	}
	route := func(test func(rt routetype.Mask) bool) func(c *event.Context) int {
		return func(c *event.Context) int { return rc(test(c.Route)) }
	}
	return []module.KEMIFunc{
		none("t_precheck_trans", m.precheck),
		none("t_is_request_route", route(func(rt routetype.Mask) bool { return rt == routetype.Request })),
		none("t_is_reply_route", route(func(rt routetype.Mask) bool { return rt&(routetype.OnReply|routetype.CoreOnReply) != 0 })),
		none("t_is_failure_route", route(func(rt routetype.Mask) bool { return rt == routetype.Failure })),
		none("t_is_branch_route", route(func(rt routetype.Mask) bool { return rt == routetype.Branch })),
		none("t_suspend", m.suspend),
		{Module: Name, Name: "t_continue", Params: []module.KEMIType{i, i, s}, Ret: i,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rcOf(m.continueKEMI(h, c, uint32(a[0].I), uint32(a[1].I), a[2].S))
			}},
		none("t_flush_flags", m.flushFlags),
		none("t_flush_xflags", m.flushXFlags),
		{Module: Name, Name: "t_cancel_branches", Params: []module.KEMIType{s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				mode, ok := cancelMode(a[0].S)
				if !ok {
					m.log.Logf(klog.Err, Name, "ki_t_cancel_branches(): invalid param \"%s\"", a[0].S)
					return rcOf(-1)
				}
				return rcOf(m.cancelBranches(c, mode))
			}},
		none("t_reuse_branch", m.reuseBranch),
		{Module: Name, Name: "t_cancel_callid", Params: []module.KEMIType{s, s, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rcOf(m.tm.CancelCallID(c, a[0].S, a[1].S, int(a[2].I), 0))
			}},
		{Module: Name, Name: "t_cancel_callid_reason", Params: []module.KEMIType{s, s, i, i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rcOf(m.tm.CancelCallID(c, a[0].S, a[1].S, int(a[2].I), int(a[3].I)))
			}},
		{Module: Name, Name: "t_reply_callid", Params: []module.KEMIType{s, s, i, s}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rcOf(m.tm.ReplyCallID(c, a[0].S, a[1].S, int(a[2].I), a[3].S))
			}},
		none("t_drop", func(c *event.Context) int { return m.drop(c, 500) }),
		m.uacAckLocalKEMI(),
		{Module: Name, Name: "t_drop_rcode", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return rcOf(m.drop(c, int(a[0].I)))
			}},
	}
}

// continueKEMI is KSR.tmx.t_continue: the suspended transaction resumes
// with the engine's function cbname, which gets "tmx:continue".
func (m *Module) continueKEMI(h module.Host, c *event.Context, index, label uint32, cbname string) int {
	run := func(ctx *event.Context) {
		if eng := module.EngineOf(h); eng != nil {
			eng.KEMIRun(ctx, cbname, kemiContinueEvent, false)
		}
	}
	if m.tm.ContinueFunc(c, index, label, run) < 0 {
		m.log.Logf(klog.Warn, Name, "ki_t_continue(): resuming the processing of transaction [%d:%d] failed", index, label)
		return -1
	}
	return 1
}

var _ module.KEMIExporter = (*Module)(nil)
