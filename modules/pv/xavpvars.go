package pv

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// pv_var_to_xavp and pv_xavp_to_var: script variables to and from
// extended AVPs.

func (m *Module) compileVarToXavp(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := strArgs(h, "pv_var_to_xavp", args)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		name, xname := fs[0](c), fs[1](c)
		f := &eventXavps(c).xavp
		f.rmName(xname, true, nil)
		vs := m.workerVars(c)
		if name == "*" {
			var sub []*xitem
			for id, n := range m.varNames() {
				v := vs.get(id)
				if v.K == value.Str && v.S == "" {
					continue
				}
				sub = append(sub, f.newItem(n, v))
			}
			if len(sub) > 0 {
				f.add(f.newList(xname, sub), nil)
			}
			return 1
		}
		id, ok := m.lookupVar(name)
		if !ok {
			logf(c, klog.Err, "pv_var_to_xavp(): script var [%s] not found", name)
			return -1
		}
		f.add(f.newList(xname, []*xitem{f.newItem(name, vs.get(id))}), nil)
		return 1
	}, nil
}

func (m *Module) compileXavpToVar(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := strArgs(h, "pv_xavp_to_var", args)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		xname := fs[0](c)
		f := &eventXavps(c).xavp
		it := f.get(xname, nil, 0)
		if it == nil {
			logf(c, klog.Err, "pv_xavp_to_var(): xavp [%s] not found", xname)
			return -1
		}
		if it.kind != xList {
			logf(c, klog.Err, "pv_xavp_to_var(): %s not xavp type?", xname)
			return -1
		}
		vs := m.workerVars(c)
		for ; it != nil; it = f.next(f.root, it) {
			for _, ch := range it.sub {
				if ch.kind != xInt && ch.kind != xStr {
					logf(c, klog.Err, "pv_xavp_to_var_helper(): avp type not STR nor INT")
					return -1
				}
				vs.set(m.varID(ch.name), ch.value())
			}
		}
		return 1
	}, nil
}
