package pv

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.pvx.*, the functions Kamailio's
// pv module exports to KEMI (KSR.pv.* are the core's, runtime/kemi).
// Names are plain strings: "x" for $var(x), $xavp(x) or $avp(x), without
// indexes or pseudo-variables. Results follow Kamailio 5.6.3's ki_*
// functions; README.md lists where kamgo differs.
func (m *Module) KEMI() []module.KEMIFunc {
	m.init()
	kc := &module.KEMICache{}
	var out []module.KEMIFunc
	add := func(name string, ret module.KEMIType, call kemiCall, params ...module.KEMIType) {
		out = append(out, module.KEMIFunc{Module: "pvx", Name: name, Params: params, Ret: ret, Call: call})
	}
	s, i, x, r := module.KEMIStr, module.KEMIInt, module.KEMIXVal, module.KEMIInt

	for _, f := range sbranchFuncs() {
		add(f.Name, r, native(f.Compile, 0))
	}
	add("var_seti", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		m.workerVars(c).set(m.varID(a[0].S), value.MakeInt(a[1].I))
		return rc(1)
	}, s, i)
	add("var_sets", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		m.workerVars(c).set(m.varID(a[0].S), value.MakeStr(a[1].S))
		return rc(1)
	}, s, s)
	add("var_get", x, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		id, ok := m.lookupVar(a[0].S)
		if !ok {
			logf(c, klog.Warn, "ki_var_get(): $var(%s) is not defined - return value 0", a[0].S)
			return rc(0)
		}
		return module.KEMIOf(m.workerVars(c).get(id))
	}, s)
	add("shv_seti", r, func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
		m.setShv(a[0].S, value.MakeInt(a[1].I))
		return rc(1)
	}, s, i)
	add("shv_sets", r, func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
		m.setShv(a[0].S, value.MakeStr(a[1].S))
		return rc(1)
	}, s, s)
	add("shv_get", x, func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
		m.shvMu.RLock()
		v, ok := m.shv[a[0].S]
		m.shvMu.RUnlock()
		if !ok {
			return rc(0)
		}
		return module.KEMIOf(v)
	}, s)
	add("pv_var_to_xavp", r, native(m.compileVarToXavp, 2), s, s)
	add("pv_xavp_to_var", r, native(m.compileXavpToVar, 1), s)
	add("pv_xavp_print", r, native(printFunc("XAVP", familyXavp), 0))
	add("pv_xavu_print", r, native(printFunc("XAVU", familyXavu), 0))
	add("pv_xavi_print", r, native(printFunc("XAVI", familyXavi), 0))
	add("xavp_params_explode", r, native(compileParamsExplode(false), 2), s, s)
	add("xavp_params_implode", r, paramsImplode(kc, familyXavp), s, s)
	add("xavu_params_explode", r, native(compileParamsExplode(true), 2), s, s)
	add("xavu_params_implode", r, paramsImplode(kc, familyXavu), s, s)
	add("xavp_slist_explode", r, native(compileSlistExplode, 4), s, s, s, s)

	// The functions Kamailio exported to KEMI after 5.6.
	since := func(release, name string, ret module.KEMIType, call kemiCall, params ...module.KEMIType) {
		add(name, ret, call, params...)
		out[len(out)-1].Ext = "Kamailio " + release
	}
	since("5.7", "shvinc_get", x, func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
		return module.KEMIOf(value.MakeInt(m.shvInc(a[0].S)))
	}, s)
	since("5.7", "xavp_lshift", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(lshift(&eventXavps(c).xavp, a[0].S, a[1].I))
	}, s, i)
	since("5.7", "xavp_push_dst", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(pushDst(c, a[0].S))
	}, s)
	since("5.8", "xavp_params_implode_qval", r, paramsImplodeMode(kc, familyXavp, true), s, s)
	since("6.0", "xavp_xparams_explode", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(xparamsExplode(c, a[0].S, a[1].S, a[2].S))
	}, s, s, s)
	since("6.1", "xavp_rm_all", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(rmAll(&eventXavps(c).xavp, a[0].S))
	}, s)
	since("6.1", "xavi_rm_all", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(rmAll(&eventXavps(c).xavi, a[0].S))
	}, s)

	for _, fam := range []struct {
		name string
		of   familyOf
	}{{"xavp", familyXavp}, {"xavu", familyXavu}, {"xavi", familyXavi}} {
		n, of, unique := fam.name, fam.of, fam.name == "xavu"
		add(n+"_seti", r, xavSet(of, unique, func(a []value.Value) value.Value { return value.MakeInt(a[1].I) }), s, i)
		add(n+"_sets", r, xavSet(of, unique, func(a []value.Value) value.Value { return value.MakeStr(a[1].S) }), s, s)
		add(n+"_get", x, xavGet(of, nullNil), s)
		add(n+"_gete", x, xavGet(of, nullEmpty), s)
		add(n+"_getw", x, xavGet(of, nullPrint), s)
		if !unique {
			add(n+"_getd", x, xavGetd(of, false), s)
			add(n+"_getd_p1", x, xavGetd(of, true), s, i)
			add(n+"_get_keys", x, xavKeys(of), s, i)
		}
		add(n+"_rm", r, xavRm(of, unique), s)
		add(n+"_is_null", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			it := of(eventXavps(c)).get(a[0].S, nil, 0)
			return isNullRC(it)
		}, s)
		add(n+"_child_seti", r, xavChildSet(of, unique, func(a []value.Value) value.Value { return value.MakeInt(a[2].I) }), s, s, i)
		add(n+"_child_sets", r, xavChildSet(of, unique, func(a []value.Value) value.Value { return value.MakeStr(a[2].S) }), s, s, s)
		add(n+"_child_rm", r, xavChildRm(of, unique), s, s)
		// Kamailio 5.6.3's xavu_child_is_null looks the root item up in
		// the xavp list, not the xavu one; kamgo does the same.
		lookupOf := of
		if unique {
			lookupOf = familyXavp
		}
		add(n+"_child_is_null", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return isNullRC(childItem(lookupOf(eventXavps(c)), a[0].S, a[1].S))
		}, s, s)
		add(n+"_child_get", x, xavChildGet(of, nullNil), s, s)
		add(n+"_child_gete", x, xavChildGet(of, nullEmpty), s, s)
		add(n+"_child_getw", x, xavChildGet(of, nullPrint), s, s)
	}

	add("evalx", r, func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		if a[0].S == "" {
			logf(c, klog.Err, "ki_pv_evalx(): invalid destination var name")
			return rc(-1)
		}
		dst, err := kc.PV(h, a[0].S)
		if err != nil {
			logf(c, klog.Err, "ki_pv_evalx(): cannot get pv spec for [%s]", a[0].S)
			return rc(-1)
		}
		f, err := kc.Format(h, a[1].S)
		if err != nil {
			logf(c, klog.Err, "ki_pv_evalx(): cannot eval reparsed value of second parameter")
			return rc(-1)
		}
		if err := dst.Set(c, value.MakeStr(f.String(c))); err != nil {
			logf(c, klog.Err, "ki_pv_evalx(): setting PV failed")
			return rc(-1)
		}
		return rc(1)
	}, s, s)

	add("avp_seti", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		st := avps(c)
		st[a[0].S] = append(st[a[0].S], value.MakeInt(a[1].I))
		return rc(1)
	}, s, i)
	add("avp_sets", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		st := avps(c)
		st[a[0].S] = append(st[a[0].S], value.MakeStr(a[1].S))
		return rc(1)
	}, s, s)
	avpGet := func(mode xnull) kemiCall {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			stack := avps(c)[a[0].S]
			if len(stack) == 0 {
				return mode.value()
			}
			return module.KEMIOf(stack[len(stack)-1])
		}
	}
	add("avp_get", x, avpGet(nullNil), s)
	add("avp_gete", x, avpGet(nullEmpty), s)
	add("avp_getw", x, avpGet(nullPrint), s)
	add("avp_rm", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		st := avps(c)
		if stack := st[a[0].S]; len(stack) > 0 {
			st[a[0].S] = stack[:len(stack)-1]
		}
		return rc(1)
	}, s)
	add("avp_is_null", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		if len(avps(c)[a[0].S]) == 0 {
			return rc(1)
		}
		return rc(-1)
	}, s)
	add("xavp_copy", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(xavpCopy(c, a[0].S, int(a[1].I), a[2].S, 0, false))
	}, s, i, s)
	add("xavp_copy_dst", r, func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return rc(xavpCopy(c, a[0].S, int(a[1].I), a[2].S, int(a[3].I), true))
	}, s, i, s, i)
	return out
}

type kemiCall = func(module.Host, *event.Context, []value.Value) module.KEMIValue

func rc(n int) module.KEMIValue { return module.KEMIRC(n) }

// kemiArgsKey holds, while a native function runs for a KEMI call, the
// KEMI arguments its compiled arguments stand for.
var kemiArgsKey = event.NewKey()

// kemiExpr marks an argument computed when the function runs, so that
// module.Arg.Str takes its value as it is, not as a format string.
var kemiExpr = &ast.Paren{}

// native runs a native function whose arguments it reads with
// module.Arg.Str or Arg.Int on the KEMI call's arguments, for the
// functions whose KEMI form behaves as the native one. The function is
// compiled once; its arguments read the KEMI values of each call.
func native(compile func(module.Host, []*module.Arg) (module.Call, error), n int) kemiCall {
	args := make([]*module.Arg, n)
	for i := range args {
		i := i
		args[i] = &module.Arg{Expr: kemiExpr, Eval: func(c *event.Context) value.Value {
			if a, ok := c.Get(kemiArgsKey).([]value.Value); ok && i < len(a) {
				return a[i]
			}
			return value.NullValue
		}}
	}
	call, err := compile(nil, args)
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		if err != nil {
			logf(c, klog.Err, "%v", err)
			return rc(-1)
		}
		prev := c.Get(kemiArgsKey)
		c.Set(kemiArgsKey, a)
		n := call(c)
		c.Set(kemiArgsKey, prev)
		return rc(n)
	}
}

func (m *Module) setShv(name string, v value.Value) {
	m.shvMu.Lock()
	m.shv[name] = v
	m.shvMu.Unlock()
}

// xnull is what a getter returns for a missing or null value: nil (get),
// "" (gete) or "<null>" (getw).
type xnull uint8

const (
	nullNil xnull = iota
	nullEmpty
	nullPrint
)

func (n xnull) value() module.KEMIValue {
	switch n {
	case nullEmpty:
		return module.KEMIOf(value.MakeStr(""))
	case nullPrint:
		return module.KEMIOf(value.MakeStr("<null>"))
	}
	return module.KEMIOf(value.NullValue)
}

// itemValue is an item's KEMI value; a list is its <<xavp:...>> text.
func itemValue(it *xitem, mode xnull) module.KEMIValue {
	if it == nil || it.kind == xNull {
		return mode.value()
	}
	return module.KEMIOf(it.value())
}

func isNullRC(it *xitem) module.KEMIValue {
	if it == nil || it.kind == xNull {
		return rc(1)
	}
	return rc(-1)
}

// xavSet adds a root item (xavp, xavi: in front) or sets it (xavu).
func xavSet(of familyOf, unique bool, val func([]value.Value) value.Value) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		it := f.newItem(a[0].S, val(a))
		if unique {
			f.setUnique(it, nil)
		} else {
			f.add(it, nil)
		}
		return rc(1)
	}
}

func xavGet(of familyOf, mode xnull) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return itemValue(of(eventXavps(c)).get(a[0].S, nil, 0), mode)
	}
}

// xavRm removes the first root item of that name (xavp, xavi) or every one
// (xavu); 1 when there was none.
func xavRm(of familyOf, unique bool) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		if !unique {
			f.rmIndex(a[0].S, 0, nil)
			return rc(1)
		}
		if n := f.rmName(a[0].S, true, nil); n > 0 {
			return rc(n)
		}
		return rc(1)
	}
}

// childItem returns the first child named cname of the first root item
// named rname, or nil.
func childItem(f *xfamily, rname, cname string) *xitem {
	sub := f.get(rname, nil, 0).childList()
	if sub == nil {
		return nil
	}
	return f.get(cname, sub, 0)
}

func xavChildSet(of familyOf, unique bool, val func([]value.Value) value.Value) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		child := f.newItem(a[1].S, val(a))
		if unique {
			f.setUniqueChild(a[0].S, child)
		} else {
			f.setChild(a[0].S, child)
		}
		return rc(1)
	}
}

func xavChildRm(of familyOf, unique bool) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		sub := f.get(a[0].S, nil, 0).childList()
		if sub == nil {
			return rc(1)
		}
		if !unique {
			f.rmIndex(a[1].S, 0, sub)
			return rc(1)
		}
		if n := f.rmName(a[1].S, true, sub); n > 0 {
			return rc(n)
		}
		return rc(1)
	}
}

func xavChildGet(of familyOf, mode xnull) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		return itemValue(childItem(of(eventXavps(c)), a[0].S, a[1].S), mode)
	}
}

// xavGetd is xavp_getd (every root item named name from the first, as an
// array of dicts) and, with one, xavp_getd_p1 (the dict of the item at an
// index, negative from the end).
func xavGetd(of familyOf, one bool) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		name, idx := a[0].S, 0
		if one {
			idx = int(a[1].I)
			if idx < 0 {
				n := f.count(name, nil)
				if -idx > n {
					return nullNil.value()
				}
				idx += n
			}
		}
		it := f.get(name, nil, idx)
		if it == nil {
			return nullNil.value()
		}
		if one {
			return module.KEMIValue{Dict: itemDict(c, f, it)}
		}
		arr := []module.KEMIValue{}
		for ; it != nil; idx++ {
			if d := itemDict(c, f, it); d != nil {
				arr = append(arr, module.KEMIValue{Dict: d})
			}
			it = f.get(name, nil, idx+1)
		}
		return module.KEMIValue{Array: arr}
	}
}

// itemDict is a list item as a dict: each name of its child list (in the
// order names first appear) maps to the array of that name's values; a
// nested list is a dict again. A value item has no dict (nil).
func itemDict(c *event.Context, f *xfamily, it *xitem) []module.KEMIElement {
	if it.kind != xList {
		logf(c, klog.Err, "ki_xav_dict(): %s not xavp?", it.name)
		return nil
	}
	d := []module.KEMIElement{}
	for _, key := range keyNames(f, it.sub) {
		arr := []module.KEMIValue{}
		for _, ch := range it.sub {
			if !f.same(ch.name, key) {
				continue
			}
			if ch.kind == xList {
				arr = append(arr, module.KEMIValue{Dict: itemDict(c, f, ch)})
				continue
			}
			arr = append(arr, module.KEMIOf(ch.value()))
		}
		d = append(d, module.KEMIElement{Name: key, Value: module.KEMIValue{Array: arr}})
	}
	return d
}

// keyNames lists the names of l, each once, in the order they first appear.
func keyNames(f *xfamily, l []*xitem) []string {
	var out []string
next:
	for _, it := range l {
		for _, k := range out {
			if f.same(k, it.name) {
				continue next
			}
		}
		out = append(out, it.name)
	}
	return out
}

// xavKeys is xavp_get_keys(name, index): the names in the child list of
// the item at index, as an array.
func xavKeys(of familyOf) kemiCall {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		f := of(eventXavps(c))
		it := f.get(a[0].S, nil, int(a[1].I))
		if it == nil {
			return nullNil.value()
		}
		arr := []module.KEMIValue{}
		if it.kind != xList {
			logf(c, klog.Err, "xavp_get_list_key_names(): %s not xavp?", it.name)
			return module.KEMIValue{Array: arr}
		}
		for _, k := range keyNames(f, it.sub) {
			arr = append(arr, module.KEMIOf(value.MakeStr(k)))
		}
		return module.KEMIValue{Array: arr}
	}
}

// paramsImplode is xavp_params_implode(name, pv) and xavu_...: the child
// list of the first root item named name, serialized as "n=v;...", is
// stored in the pseudo-variable pv names.
func paramsImplode(kc *module.KEMICache, of familyOf) kemiCall {
	return paramsImplodeMode(kc, of, false)
}

// paramsImplodeMode is paramsImplode that, with quote, writes string
// values in double quotes (xavp_params_implode_qval).
func paramsImplodeMode(kc *module.KEMICache, of familyOf, quote bool) kemiCall {
	return func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		const fn = "ki_xavp_params_implode(): "
		if a[0].S == "" {
			logf(c, klog.Err, fn+"invalid xavp name")
			return rc(-1)
		}
		if a[1].S == "" {
			logf(c, klog.Err, fn+"invalid output var name")
			return rc(-1)
		}
		dst, err := kc.PV(h, a[1].S)
		if err != nil {
			logf(c, klog.Err, fn+"cannot get pv spec for [%s]", a[1].S)
			return rc(-1)
		}
		if !dst.Writable() {
			logf(c, klog.Err, fn+"read only output variable [%s]", a[1].S)
			return rc(-1)
		}
		s := serializeMode(of(eventXavps(c)), a[0].S, quote)
		if s == "" {
			return rc(-1)
		}
		if err := dst.Set(c, value.MakeStr(s)); err != nil {
			logf(c, klog.Err, fn+"setting PV failed [%s]", a[1].S)
			return rc(-1)
		}
		return rc(1)
	}
}
