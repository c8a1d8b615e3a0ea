package textopsx

import (
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.textopsx.*, as Kamailio's
// textopsx exports them. Header expressions are read at each call; a
// bad one fails (-1). An empty value is no value, as in Kamailio: the
// assignments then remove, and remove_hf_value2's second argument, when
// not empty, turns it into an assignment. fnmatch and fnmatch_ex return
// 0 on a match (Kamailio's ki_fnmatch returns fnmatch's own result).
func (m *Module) KEMI() []module.KEMIFunc {
	i, s, x := module.KEMIInt, module.KEMIStr, module.KEMIXVal
	type call = func(c *event.Context, a []value.Value) int
	f := func(name string, params []module.KEMIType, run call) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: i,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIRC(run(c, a))
			}}
	}
	xval := func(name string, get func(c *event.Context, name string) value.Value) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: []module.KEMIType{s}, Ret: x,
			Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return module.KEMIOf(get(c, a[0].S))
			}}
	}
	msgOf := sipmsg.FromContext
	hf := func(o op) call {
		return func(c *event.Context, a []value.Value) int {
			e, err := parseHExpr(a[0].S, o)
			if err != nil {
				m.logf(klog.Err, "%v", err)
				m.logf(klog.Err, "ki_modify_hf(): failed to fix first parameter")
				return -1
			}
			val, has := "", false
			if len(a) > 1 && a[1].S != "" {
				val, has = a[1].S, true
			}
			if !has && (o == opInclude || o == opExclude || o == opExists) {
				return -1
			}
			return m.hfValue(msgOf(c), e, val, has || o == opAppend || o == opInsert)
		}
	}
	iter := func(run func(c *event.Context, name string) int) call {
		return func(c *event.Context, a []value.Value) int { return run(c, a[0].S) }
	}
	iterText := func(run func(c *event.Context, name, text string) int) call {
		return func(c *event.Context, a []value.Value) int { return run(c, a[0].S, a[1].S) }
	}
	match := func(c *event.Context, a []value.Value) int {
		if fnmatch(a[1].S, a[0].S) {
			return 0
		}
		return -1
	}
	ss := []module.KEMIType{s, s}
	one := []module.KEMIType{s}
	return []module.KEMIFunc{
		f("msg_apply_changes", nil, func(c *event.Context, _ []value.Value) int { return m.applyChanges(c) }),
		f("msg_set_buffer", one, func(c *event.Context, a []value.Value) int { return m.setBuffer(c, a[0].S) }),
		f("change_reply_status", []module.KEMIType{i, s}, func(c *event.Context, a []value.Value) int {
			return m.changeStatus(msgOf(c), int(a[0].I), a[1].S, true)
		}),
		f("remove_body", nil, func(c *event.Context, _ []value.Value) int { return removeBody(msgOf(c)) }),
		f("change_reply_status_code", []module.KEMIType{i}, func(c *event.Context, a []value.Value) int {
			return m.changeStatus(msgOf(c), int(a[0].I), "", false)
		}),
		f("keep_hf", nil, func(c *event.Context, _ []value.Value) int { return keepHF(msgOf(c), nil) }),
		f("keep_hf_re", one, func(c *event.Context, a []value.Value) int {
			if a[0].S == "" {
				return keepHF(msgOf(c), nil)
			}
			re, err := ere.Compile(a[0].S, true)
			if err != nil {
				m.logf(klog.Err, "ki_keep_hf_re(): failed to compile regex: %s", a[0].S)
				return -1
			}
			return keepHF(msgOf(c), re)
		}),
		f("fnmatch", ss, match),
		f("fnmatch_ex", []module.KEMIType{s, s, s}, match),
		f("append_hf_value", ss, hf(opAppend)),
		f("insert_hf_value", ss, hf(opInsert)),
		f("assign_hf_value", ss, hf(opAssign)),
		f("assign_hf_value2", ss, hf(opAssign2)),
		f("remove_hf_value", one, hf(opRemove)),
		f("remove_hf_value2", ss, hf(opRemove2)),
		f("include_hf_value", ss, hf(opInclude)),
		f("exclude_hf_value", ss, hf(opExclude)),
		f("hf_value_exists", ss, hf(opExists)),
		f("hf_iterator_start", one, iter(m.hfStart)),
		f("hf_iterator_end", one, iter(m.hfEnd)),
		f("hf_iterator_next", one, iter(m.hfNext)),
		f("hf_iterator_prev", one, iter(m.hfPrev)),
		f("hf_iterator_rm", one, iter(m.hfRm)),
		f("hf_iterator_append", ss, iterText(m.hfAppend)),
		f("hf_iterator_insert", ss, iterText(m.hfInsert)),
		xval("hf_iterator_hname", func(c *event.Context, name string) value.Value {
			_, h := m.hfCur(c, name)
			if h == nil {
				return value.NullValue
			}
			return value.MakeStr(h.Name)
		}),
		xval("hf_iterator_hbody", func(c *event.Context, name string) value.Value {
			msg, h := m.hfCur(c, name)
			if h == nil {
				return value.NullValue
			}
			fl := bodyOf(msg, h)
			return value.MakeStr(msg.Buf[fl.body:fl.end])
		}),
		f("bl_iterator_start", one, iter(m.blStart)),
		f("bl_iterator_end", one, iter(m.blEnd)),
		f("bl_iterator_next", one, iter(m.blNext)),
		f("bl_iterator_rm", one, iter(m.blRm)),
		f("bl_iterator_append", ss, iterText(m.blAppend)),
		f("bl_iterator_insert", ss, iterText(m.blInsert)),
		xval("bl_iterator_value", func(c *event.Context, name string) value.Value {
			b := m.blCur(c, name)
			if b == nil {
				return value.NullValue
			}
			return value.MakeStr(b.msg.Buf[b.at : b.at+b.n])
		}),
	}
}
