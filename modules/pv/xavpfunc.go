package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// The functions over extended AVPs. Return codes, error messages and list
// effects are those of Kamailio 5.6.3's pv module and core/xavp.c.

func (m *Module) xavpFuncs() []module.Func {
	xavp, xavi, xavu := familyXavp, familyXavi, familyXavu
	return append([]module.Func{
		{Name: "pv_xavp_print", Compile: printFunc("XAVP", xavp)},
		{Name: "pv_xavu_print", Compile: printFunc("XAVU", xavu)},
		{Name: "pv_xavi_print", Compile: printFunc("XAVI", xavi)},
		{Name: "pv_var_to_xavp", MinArgs: 2, MaxArgs: 2, Compile: m.compileVarToXavp},
		{Name: "pv_xavp_to_var", MinArgs: 1, MaxArgs: 1, Compile: m.compileXavpToVar},
		{Name: "xavp_copy", MinArgs: 3, MaxArgs: 4, Compile: compileXavpCopy},
		{Name: "xavp_params_explode", MinArgs: 2, MaxArgs: 2, Compile: compileParamsExplode(false)},
		{Name: "xavu_params_explode", MinArgs: 2, MaxArgs: 2, Compile: compileParamsExplode(true)},
		{Name: "xavp_params_implode", MinArgs: 2, MaxArgs: 2, Compile: compileParamsImplode(xavp)},
		{Name: "xavu_params_implode", MinArgs: 2, MaxArgs: 2, Compile: compileParamsImplode(xavu)},
		{Name: "xavp_slist_explode", MinArgs: 4, MaxArgs: 4, Compile: compileSlistExplode},
		{Name: "xavp_child_seti", MinArgs: 3, MaxArgs: 3, Compile: compileChildSeti(xavp)},
		{Name: "xavi_child_seti", MinArgs: 3, MaxArgs: 3, Compile: compileChildSeti(xavi)},
		{Name: "xavp_child_sets", MinArgs: 3, MaxArgs: 3, Compile: compileChildSets(xavp)},
		{Name: "xavi_child_sets", MinArgs: 3, MaxArgs: 3, Compile: compileChildSets(xavi)},
		{Name: "xavp_rm", MinArgs: 1, MaxArgs: 1, Compile: compileRm(xavp)},
		{Name: "xavi_rm", MinArgs: 1, MaxArgs: 1, Compile: compileRm(xavi)},
		{Name: "xavp_child_rm", MinArgs: 2, MaxArgs: 2, Compile: compileChildRm(xavp)},
		{Name: "xavi_child_rm", MinArgs: 2, MaxArgs: 2, Compile: compileChildRm(xavi)},
	}, newerXavpFuncs()...)
}

type familyOf func(x *xavps) *xfamily

// strArgs compiles string arguments (Kamailio's spve fixup).
func strArgs(h module.Host, name string, args []*module.Arg) ([]module.StrFunc, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return fs, nil
}

// setChild sets child under the first root item named name
// (xavp_set_child_xval): a root item holding a value is replaced by a new
// list item; an existing child of that name is replaced by one at the
// front of the child list.
func (f *xfamily) setChild(name string, child *xitem) {
	r := f.get(name, nil, 0)
	if r != nil && r.kind != xList {
		f.remove(r, nil)
		r = nil
	}
	if r == nil {
		f.add(f.newList(name, []*xitem{child}), nil)
		return
	}
	if old := f.get(child.name, &r.sub, 0); old != nil {
		f.remove(old, &r.sub)
	}
	f.add(child, &r.sub)
}

func compileChildSeti(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		names, err := strArgs(h, "child_seti", args[:2])
		if err != nil {
			return nil, err
		}
		val, err := args[2].Int(h)
		if err != nil {
			return nil, fmt.Errorf("child_seti: %v", err)
		}
		return func(c *event.Context) int {
			n, ok := val(c)
			if !ok {
				module.NotInt(c)
				logf(c, klog.Err, "w_xav_child_seti(): failed to get the value")
				return -1
			}
			f := fam(eventXavps(c))
			f.setChild(names[0](c), f.newItem(names[1](c), value.MakeInt(value.Wrap(n))))
			return 1
		}, nil
	}
}

func compileChildSets(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := strArgs(h, "child_sets", args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			f := fam(eventXavps(c))
			f.setChild(fs[0](c), f.newItem(fs[1](c), value.MakeStr(fs[2](c))))
			return 1
		}, nil
	}
}

// compileRm is xavp_rm/xavi_rm: the first root item of that name goes; the
// function returns 1 whether or not there was one.
func compileRm(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := strArgs(h, "rm", args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			fam(eventXavps(c)).rmIndex(fs[0](c), 0, nil)
			return 1
		}, nil
	}
}

// compileChildRm removes the first child of that name under the first root
// item of that name; it returns 1 whether or not there was one.
func compileChildRm(fam familyOf) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := strArgs(h, "child_rm", args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			f := fam(eventXavps(c))
			if sub := f.get(fs[0](c), nil, 0).childList(); sub != nil {
				f.rmIndex(fs[1](c), 0, sub)
			}
			return 1
		}, nil
	}
}
