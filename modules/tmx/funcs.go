package tmx

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// funcs are tmx's script functions, with the forms Kamailio 5.6 exports
// and the via-body flag functions and t_uac_ack_local of 6.1.
func (m *Module) funcs() []module.Func {
	f := func(name string, n int, compile func(h module.Host, args []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: compile}
	}
	plain := func(call module.Call) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) { return call, nil }
	}
	isRoute := func(test func(rt routetype.Mask) bool) module.Call {
		return func(c *event.Context) int { return rc(test(c.Route)) }
	}
	return append([]module.Func{
		f("t_cancel_branches", 1, m.compileCancelBranches),
		{Name: "t_cancel_callid", MinArgs: 3, MaxArgs: 4, Compile: m.compileCancelCallID},
		f("t_reply_callid", 4, m.compileReplyCallID),
		f("t_flush_flags", 0, plain(m.flushFlags)),
		f("t_flush_xflags", 0, plain(m.flushXFlags)),
		f("t_is_failure_route", 0, plain(isRoute(func(rt routetype.Mask) bool { return rt == routetype.Failure }))),
		f("t_is_branch_route", 0, plain(isRoute(func(rt routetype.Mask) bool { return rt == routetype.Branch }))),
		f("t_is_reply_route", 0, plain(isRoute(func(rt routetype.Mask) bool {
			return rt&(routetype.OnReply|routetype.CoreOnReply) != 0
		}))),
		f("t_is_request_route", 0, plain(isRoute(func(rt routetype.Mask) bool { return rt == routetype.Request }))),
		f("t_suspend", 0, plain(m.suspend)),
		f("t_continue", 3, m.compileContinue),
		f("t_reuse_branch", 0, plain(m.reuseBranch)),
		f("t_precheck_trans", 0, plain(m.precheck)),
		{Name: "t_drop", MinArgs: 0, MaxArgs: 1, Compile: m.compileDrop},
	}, append(m.vbflagFuncs(), m.uacAckLocalFunc())...)
}

// rc is a test's return code.
func rc(ok bool) int {
	if ok {
		return 1
	}
	return -1
}

// cancelMode reads t_cancel_branches' argument ("all", "others", "this",
// in any case).
func cancelMode(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "all":
		return tm.CancelAll, true
	case "others":
		return tm.CancelOthers, true
	case "this":
		return tm.CancelThis, true
	}
	return 0, false
}

// compileCancelBranches compiles t_cancel_branches(mode): the mode is a
// constant, as Kamailio's fixup requires.
func (m *Module) compileCancelBranches(_ module.Host, args []*module.Arg) (module.Call, error) {
	s, _ := args[0].Literal()
	mode, ok := cancelMode(s)
	if !ok {
		return nil, fmt.Errorf("invalid param %q", s)
	}
	return func(c *event.Context) int { return m.cancelBranches(c, mode) }, nil
}

// cancelBranches cancels the branches mode selects of the event's INVITE
// transaction: 1 when any was canceled, else -1.
func (m *Module) cancelBranches(c *event.Context, mode int) int {
	return rc(m.tm.CancelBranches(c, mode))
}

// compileCancelCallID compiles t_cancel_callid(callid, cseq, flag[,
// reason]).
func (m *Module) compileCancelCallID(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args[0], args[1])
	if err != nil {
		return nil, err
	}
	flag, err := args[2].Int(h)
	if err != nil {
		return nil, err
	}
	var cause module.IntFunc
	if len(args) == 4 {
		if cause, err = args[3].Int(h); err != nil {
			return nil, err
		}
	}
	return func(c *event.Context) int {
		fl, ok := flag(c)
		if !ok {
			m.log.Log(klog.Err, Name, "t_cancel_callid(): cannot get flag")
			return -1
		}
		var code int64
		if cause != nil {
			if code, ok = cause(c); !ok {
				m.log.Log(klog.Err, Name, "t_cancel_callid(): cannot get flag")
				return -1
			}
		}
		return m.tm.CancelCallID(c, strs[0](c), strs[1](c), int(fl), int(code))
	}, nil
}

// compileReplyCallID compiles t_reply_callid(callid, cseq, code, reason).
func (m *Module) compileReplyCallID(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args[0], args[1], args[3])
	if err != nil {
		return nil, err
	}
	code, err := args[2].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := code(c)
		if !ok {
			m.log.Log(klog.Err, Name, "t_reply_callid(): cannot get reply code")
			return -1
		}
		return m.tm.ReplyCallID(c, strs[0](c), strs[1](c), int(n), strs[2](c))
	}, nil
}

func (m *Module) flushFlags(c *event.Context) int {
	if !m.tm.FlushFlags(c) {
		m.log.Log(klog.Err, Name, "ki_t_flush_flags(): failed to flush flags - no transaction found")
		return -1
	}
	return 1
}

// flushXFlags is t_flush_xflags. kamgo's events keep no extended flags,
// so there is nothing to copy; without a transaction it fails as
// Kamailio's does.
func (m *Module) flushXFlags(c *event.Context) int {
	if _, ok := m.tm.Current(c); !ok {
		m.log.Log(klog.Err, Name, "ki_t_flush_xflags(): failed to flush flags - no transaction found")
		return -1
	}
	return 1
}

// suspend is t_suspend: the request's transaction is created when it has
// none, then suspended; 1 when it is (or was canceled already), -1 when
// it could not be.
func (m *Module) suspend(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if tm.IsFaked(msg) {
		m.log.Log(klog.Err, Name, "ki_t_suspend(): suspending a faked request is not allowed")
		return -1
	}
	if _, ok := m.tm.Current(c); !ok {
		if m.tm.NewTran(c) < 0 {
			m.log.Log(klog.Err, Name, "ki_t_suspend(): cannot create the transaction")
			return -1
		}
		if _, ok := m.tm.Current(c); !ok {
			m.log.Log(klog.Err, Name, "ki_t_suspend(): cannot lookup the transaction")
			return -1
		}
	}
	if m.tm.Suspend(c) < 0 {
		m.log.Log(klog.Err, Name, "ki_t_suspend(): failed to suppend the processing")
		return -1
	}
	return 1
}

// compileContinue compiles t_continue(index, label, route): integers or
// pseudo-variables holding them, and a route name that may be a format
// string.
func (m *Module) compileContinue(h module.Host, args []*module.Arg) (module.Call, error) {
	index, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	label, err := args[1].Int(h)
	if err != nil {
		return nil, err
	}
	route, err := args[2].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		i, ok := index(c)
		if !ok {
			m.log.Log(klog.Err, Name, "w_t_continue(): cannot get transaction index")
			return -1
		}
		l, ok := label(c)
		if !ok {
			m.log.Log(klog.Err, Name, "w_t_continue(): cannot get transaction label")
			return -1
		}
		return m.continueRoute(c, uint32(i), uint32(l), route(c))
	}, nil
}

// continueRoute resumes the suspended transaction index:label in
// route[name].
func (m *Module) continueRoute(c *event.Context, index, label uint32, name string) int {
	if !m.host.Has(event.Target{Kind: ast.Named, Name: name}) {
		m.log.Logf(klog.Err, Name, "w_t_continue(): empty action lists in route block [%s]", name)
		return -1
	}
	if m.tm.Continue(c, index, label, name) < 0 {
		m.log.Logf(klog.Warn, Name, "w_t_continue(): resuming the processing of transaction [%d:%d] failed", index, label)
		return -1
	}
	return 1
}

// reuseBranch is t_reuse_branch, in event_route[tm:branch-failure]: the
// request gets the failed branch's Request-URI, ruid, path, branch flags
// and instance, to be relayed again.
func (m *Module) reuseBranch(c *event.Context) int {
	v, ok := m.tm.Check(c)
	if !ok {
		m.log.Log(klog.Err, Name, "ki_t_reuse_branch(): no transaction")
		return -1
	}
	if c.Route != routetype.BranchFailure {
		m.log.Logf(klog.Err, Name, "ki_t_reuse_branch(): unsupported route_type %d", int(c.Route))
		return -1
	}
	b, ok := m.tm.Branch(c, v.Branch)
	if !ok {
		m.log.Logf(klog.Crit, Name, "ki_t_reuse_branch(): no picked branch (%d) for a final response in MODE_ONFAILURE", v.Branch)
		return -1
	}
	msg := sipmsg.FromContext(c)
	msg.SetRequestURI(b.URI)
	msg.Ruid, msg.PathVec, msg.RuriFlags, msg.Instance = b.Ruid, b.Path, b.Flags, b.Instance
	return 1
}

// compileDrop compiles t_drop([code]): an integer or a pseudo-variable;
// without one, or one that holds no integer, the code is 500.
func (m *Module) compileDrop(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return func(c *event.Context) int { return m.drop(c, 500) }, nil
	}
	code, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		n, ok := code(c)
		if !ok {
			n = 500
		}
		return m.drop(c, int(n))
	}, nil
}

// drop is t_drop: the transaction ends with code as its status and
// nothing sent, and the script stops (0); -1 without a transaction.
func (m *Module) drop(c *event.Context, code int) int {
	if !m.tm.Drop(c, code) {
		m.log.Log(klog.Err, Name, "ki_t_drop_rcode(): no transaction")
		return -1
	}
	return 0
}
