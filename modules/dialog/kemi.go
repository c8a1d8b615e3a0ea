package dialog

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: the KSR.dialog functions of
// Kamailio 5.6.3's sr_kemi_dialog_exports.
func (m *Module) KEMI() []module.KEMIFunc {
	s, i, x := module.KEMIStr, module.KEMIInt, module.KEMIXVal
	var kc module.KEMICache
	f := func(name string, params []module.KEMIType, ret module.KEMIType, call func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue) module.KEMIFunc {
		return module.KEMIFunc{Module: Name, Name: name, Params: params, Ret: ret, Call: call}
	}
	intRC := func(run func(c *event.Context, a []value.Value) int) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return module.KEMIRC(run(c, a))
		}
	}
	prof := func(run func(c *event.Context, p *profile, val string, withVal bool) int, withVal bool) func(*event.Context, []value.Value) int {
		return func(c *event.Context, a []value.Value) int {
			p := m.kemiProfile(c, a[0].S)
			if p == nil {
				return -1
			}
			val := ""
			if withVal {
				val = a[1].S
			}
			if p.hasValue && val == "" {
				m.logf(c, klog.Err, "invalid value parameter")
				return -1
			}
			return run(c, p, val, withVal)
		}
	}
	size := func(withVal bool) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
		return func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			p := m.kemiProfile(c, a[0].S)
			pvName, val := a[len(a)-1].S, ""
			if withVal {
				val = a[1].S
			}
			if p == nil || pvName == "" {
				return module.KEMIRC(-1)
			}
			ref, err := kc.PV(h, pvName)
			if err != nil || (ref.Node.Class != "avp" && ref.Node.Class != "var") {
				m.logf(c, klog.Err, "return must be an AVP or SCRIPT VAR!")
				return module.KEMIRC(-1)
			}
			if p.hasValue && withVal && val == "" {
				m.logf(c, klog.Err, "invalid value parameter")
				return module.KEMIRC(-1)
			}
			if err := ref.Set(c, value.MakeInt(int64(m.size(p, val, withVal)))); err != nil {
				return module.KEMIRC(-1)
			}
			return module.KEMIRC(1)
		}
	}
	varGet := func(mode int) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			v := (&varSpec{m: m, name: a[0].S}).Get(c)
			if v.IsNull() {
				switch mode {
				case 1:
					return module.KEMIOf(value.MakeStr(""))
				case 2:
					return module.KEMIOf(value.MakeStr("<null>"))
				}
			}
			return module.KEMIOf(v)
		}
	}
	none := []module.KEMIType{}
	return []module.KEMIFunc{
		f("dlg_manage", none, i, intRC(func(c *event.Context, _ []value.Value) int { return m.manage(c) })),
		f("dlg_bye", []module.KEMIType{s}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			d := m.ctxDialog(ctxOf(c))
			m.mu.Unlock()
			if d == nil {
				return -1
			}
			switch strings.ToLower(a[0].S) {
			case "caller":
				return rc(m.byeOne(c, d, caller, ""))
			case "callee":
				return rc(m.byeOne(c, d, callee, ""))
			}
			return rc(m.byeAll(c, d, ""))
		})),
		f("is_known_dlg", none, i, intRC(func(c *event.Context, _ []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			return rc(m.msgDialog(c) != nil)
		})),
		f("dlg_set_timeout", []module.KEMIType{i}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			d := m.msgDialog(c)
			if d == nil {
				return -1
			}
			return rc(m.setTimeout(d, a[0].I))
		})),
		f("dlg_set_timeout_id", []module.KEMIType{i, i, i}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			d := m.lookup(uint32(a[1].I), uint32(a[2].I))
			if d == nil {
				return -1
			}
			return rc(m.setTimeout(d, a[0].I))
		})),
		f("dlg_set_property", []module.KEMIType{s}, i, intRC(func(c *event.Context, a []value.Value) int { return m.property(c, a[0].S, true) })),
		f("dlg_reset_property", []module.KEMIType{s}, i, intRC(func(c *event.Context, a []value.Value) int { return m.property(c, a[0].S, false) })),
		f("dlg_get", []module.KEMIType{s, s, s}, i, intRC(func(c *event.Context, a []value.Value) int { return m.get(c, a[0].S, a[1].S, a[2].S) })),
		f("set_dlg_profile_static", []module.KEMIType{s}, i, intRC(prof(m.setProfile, false))),
		f("set_dlg_profile", []module.KEMIType{s, s}, i, intRC(prof(m.setProfile, true))),
		f("unset_dlg_profile_static", []module.KEMIType{s}, i, intRC(prof(m.unsetProfile, false))),
		f("unset_dlg_profile", []module.KEMIType{s, s}, i, intRC(prof(m.unsetProfile, true))),
		f("is_in_profile_static", []module.KEMIType{s}, i, intRC(prof(m.inProfile, false))),
		f("is_in_profile", []module.KEMIType{s, s}, i, intRC(prof(m.inProfile, true))),
		f("get_profile_size_static", []module.KEMIType{s, s}, i, size(false)),
		f("get_profile_size", []module.KEMIType{s, s, s}, i, size(true)),
		f("dlg_setflag", []module.KEMIType{i}, i, intRC(func(c *event.Context, a []value.Value) int { return m.setFlag(c, a[0].I) })),
		f("dlg_resetflag", []module.KEMIType{i}, i, intRC(func(c *event.Context, a []value.Value) int { return m.resetFlag(c, a[0].I) })),
		f("dlg_isflagset", []module.KEMIType{i}, i, intRC(func(c *event.Context, a []value.Value) int { return m.isFlagSet(c, a[0].I) })),
		f("dlg_db_load_callid", []module.KEMIType{s}, i, intRC(func(c *event.Context, _ []value.Value) int {
			m.logf(c, klog.Err, "no database connection to load the dialog from")
			return -1
		})),
		f("dlg_db_load_extra", none, i, intRC(func(c *event.Context, _ []value.Value) int {
			m.logf(c, klog.Err, "no database connection to load the dialogs from")
			return -1
		})),
		f("var_sets", []module.KEMIType{s, s}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			list := localVars(c)
			if d := m.msgDialog(c); d != nil {
				list = &d.vars
			}
			setVar(list, a[0].S, a[1].S, true)
			return 1
		})),
		f("var_get", []module.KEMIType{s}, x, varGet(0)),
		f("var_gete", []module.KEMIType{s}, x, varGet(1)),
		f("var_getw", []module.KEMIType{s}, x, varGet(2)),
		f("var_rm", []module.KEMIType{s}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			list := localVars(c)
			if d := m.msgDialog(c); d != nil {
				list = &d.vars
			}
			setVar(list, a[0].S, "", false)
			return 1
		})),
		f("var_is_null", []module.KEMIType{s}, i, intRC(func(c *event.Context, a []value.Value) int {
			m.mu.Lock()
			defer m.mu.Unlock()
			// Kamailio 5.6.3 answers 1 when the dialog has the variable
			// (and when there is no dialog), -1 when it has not
			d := m.msgDialog(c)
			if d == nil {
				return 1
			}
			for _, v := range d.vars {
				if v.key == a[0].S {
					return 1
				}
			}
			return -1
		})),
		f("dlg_bridge", []module.KEMIType{s, s, s}, i, intRC(func(c *event.Context, a []value.Value) int {
			return rc(m.bridge(c, a[0].S, a[1].S, a[2].S, "", true))
		})),
	}
}

// kemiProfile finds a profile by name for the KEMI functions.
func (m *Module) kemiProfile(c *event.Context, name string) *profile {
	if name == "" {
		m.logf(c, klog.Err, "invalid profile identifier")
		return nil
	}
	p := m.profiles[name]
	if p == nil {
		m.logf(c, klog.Crit, "profile <%s> not defined", name)
	}
	return p
}

var _ module.KEMIExporter = (*Module)(nil)
