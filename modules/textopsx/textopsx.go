// Package textopsx is kamgo's textopsx module, the extensions of textops:
// msg_apply_changes and msg_set_buffer (the message rebuilt or replaced
// and parsed again), msg_changed_route (a route run on the rebuilt copy),
// the reply status changes, remove_body and keep_hf,
// fnmatch, the functions that edit one value or parameter of a header's
// comma-separated list (append_hf_value ... hf_value_exists), and the
// iterators over the headers and over the body's lines with their
// pseudo-variables ($hfitname, $hfitbody, $blitval).
//
// Every change except the re-parses is a lump (runtime/sipmsg's Insert,
// Remove, Replace): it shows in the message as it is sent and in $mbu,
// and in later reads only after msg_apply_changes, as in Kamailio 5.6.3.
package textopsx

import (
	"fmt"
	"github.com/kamgo/kamgo/lang/routetype"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
)

// Name is the module name, as `loadmodule "textopsx.so"` names it.
const Name = "textopsx"

func init() { module.Register(new(Module)) }

// Module is one loaded textopsx module. It has no parameters.
type Module struct {
	host module.Host
	log  *klog.Logger
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{} }}
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	return nil
}

// logf logs a line of the module's own functions (fn names the C
// function Kamailio logs it from).
func (m *Module) logf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

// corelogf logs a line Kamailio's core logs for the module's functions
// (sip_msg_apply_changes, del_lump).
func (m *Module) corelogf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, "core", format, args...)
	}
}

// Exports implements module.Exporter. bind_textopsx is an API for other
// C modules, not a script function.
func (m *Module) Exports() module.Exports {
	type compile = func(module.Host, []*module.Arg) (module.Call, error)
	f := func(name string, n int, c compile) module.Func {
		return module.Func{Name: name, MinArgs: n, MaxArgs: n, Compile: c}
	}
	return module.Exports{
		Funcs: []module.Func{
			f("msg_apply_changes", 0, m.compileApplyChanges),
			{Name: "msg_changed_route", MinArgs: 1, MaxArgs: 1, Compile: m.compileChangedRoute, Ext: "Kamailio 6.0", Routes: routetype.Any},
			f("msg_set_buffer", 1, m.compileSetBuffer),
			f("change_reply_status", 2, m.compileChangeStatus),
			f("change_reply_status_code", 1, m.compileChangeStatusCode),
			f("remove_body", 0, m.compileRemoveBody),
			{Name: "keep_hf", MinArgs: 0, MaxArgs: 1, Compile: m.compileKeepHF},
			{Name: "fnmatch", MinArgs: 2, MaxArgs: 3, Compile: m.compileFnmatch},
			f("append_hf_value", 2, m.compileHFValue(opAppend)),
			f("insert_hf_value", 2, m.compileHFValue(opInsert)),
			f("remove_hf_value", 1, m.compileHFValue(opRemove)),
			f("assign_hf_value", 2, m.compileHFValue(opAssign)),
			f("remove_hf_value2", 1, m.compileHFValue(opRemove2)),
			f("assign_hf_value2", 2, m.compileHFValue(opAssign2)),
			f("include_hf_value", 2, m.compileHFValue(opInclude)),
			f("exclude_hf_value", 2, m.compileHFValue(opExclude)),
			f("hf_value_exists", 2, m.compileHFValue(opExists)),
			f("hf_iterator_start", 1, m.compileIter(m.hfStart)),
			f("hf_iterator_next", 1, m.compileIter(m.hfNext)),
			f("hf_iterator_prev", 1, m.compileIter(m.hfPrev)),
			f("hf_iterator_end", 1, m.compileIter(m.hfEnd)),
			f("hf_iterator_rm", 1, m.compileIter(m.hfRm)),
			f("hf_iterator_append", 2, m.compileIterText(m.hfAppend)),
			f("hf_iterator_insert", 2, m.compileIterText(m.hfInsert)),
			f("bl_iterator_start", 1, m.compileIter(m.blStart)),
			f("bl_iterator_next", 1, m.compileIter(m.blNext)),
			f("bl_iterator_end", 1, m.compileIter(m.blEnd)),
			f("bl_iterator_rm", 1, m.compileIter(m.blRm)),
			f("bl_iterator_append", 2, m.compileIterText(m.blAppend)),
			f("bl_iterator_insert", 2, m.compileIterText(m.blInsert)),
		},
		Classes: []*pv.Class{
			{Name: "hfitname", Module: Name, Compile: m.compileIterPV("hfitname", m.hfName)},
			{Name: "hfitbody", Module: Name, Compile: m.compileIterPV("hfitbody", m.hfBody)},
			{Name: "blitval", Module: Name, Compile: m.compileIterPV("blitval", m.blValue)},
		},
	}
}

// fixupErr is the load-time error of a bad argument, with the C function
// that reports it.
func fixupErr(fn, format string, args ...any) error {
	return fmt.Errorf("%s(): %s", fn, fmt.Sprintf(format, args...))
}

var (
	_ module.Module       = (*Module)(nil)
	_ module.Exporter     = (*Module)(nil)
	_ module.Provisioner  = (*Module)(nil)
	_ module.KEMIExporter = (*Module)(nil)
)
