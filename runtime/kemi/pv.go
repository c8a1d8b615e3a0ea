package kemi

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// pvFuncs are KSR.pv.*: pseudo-variables named by text ("$var(x)",
// "$(evapi(msg){s.len})"), compiled once per text through kc.
func pvFuncs(kc *module.KEMICache) []module.KEMIFunc {
	ref := func(h module.Host, c *event.Context, text string, lv klog.Level) *pv.Ref {
		r, err := kc.PV(h, text)
		if err != nil {
			logf(c, lv, "sr_kemi_pv_get_mode(): cannot get pv spec for [%s]", text)
			return nil
		}
		return r
	}
	get := func(mode xnull) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
		return func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			r := ref(h, c, a[0].S, klog.Err)
			if r == nil {
				return mode.value()
			}
			v := r.Get(c)
			if v.IsNull() {
				return mode.value()
			}
			return module.KEMIOf(v)
		}
	}
	// getv returns the value, or def when it is null or cannot be read.
	getv := func(h module.Host, c *event.Context, text string, def value.Value) module.KEMIValue {
		r := ref(h, c, text, klog.Err)
		if r == nil {
			return module.KEMIOf(def)
		}
		if v := r.Get(c); !v.IsNull() {
			return module.KEMIOf(v)
		}
		return module.KEMIOf(def)
	}
	set := func(h module.Host, c *event.Context, text string, v value.Value, what string) module.KEMIValue {
		r := ref(h, c, text, klog.Err)
		if r == nil {
			return falsy
		}
		if !r.Writable() {
			// Kamailio's pv_set_spec_value does nothing, successfully.
			return truth
		}
		if err := r.Set(c, v); err != nil {
			logf(c, klog.Err, "sr_kemi_pv_%s(): unable to %s pv [%s]", what, what, text)
			return falsy
		}
		return truth
	}
	return []module.KEMIFunc{
		{Module: "pv", Name: "get", Params: str1, Ret: module.KEMIXVal, Call: get(nullNil)},
		{Module: "pv", Name: "getw", Params: str1, Ret: module.KEMIXVal, Call: get(nullPrint)},
		{Module: "pv", Name: "gete", Params: str1, Ret: module.KEMIXVal, Call: get(nullEmpty)},
		{Module: "pv", Name: "geti", Params: str1, Ret: module.KEMIInt,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				r := ref(h, c, a[0].S, klog.Warn)
				if r == nil {
					return falsy
				}
				v := r.Get(c)
				switch {
				case v.K == value.Int || v.Num:
					return module.KEMIRC(int(int32(v.I)))
				case v.K == value.Str:
					n, _ := value.Str2Sint(v.S)
					return module.KEMIRC(int(int32(n)))
				}
				return falsy
			}},
		{Module: "pv", Name: "getvn", Params: strI, Ret: module.KEMIXVal,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return getv(h, c, a[0].S, a[1])
			}},
		{Module: "pv", Name: "getvs", Params: str2, Ret: module.KEMIXVal,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return getv(h, c, a[0].S, a[1])
			}},
		{Module: "pv", Name: "seti", Params: strI, Ret: module.KEMIBool,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return set(h, c, a[0].S, value.MakeInt(value.Wrap(a[1].I)), "set")
			}},
		{Module: "pv", Name: "sets", Params: str2, Ret: module.KEMIBool,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return set(h, c, a[0].S, value.MakeStr(a[1].S), "set")
			}},
		{Module: "pv", Name: "unset", Params: str1, Ret: module.KEMIBool,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				return set(h, c, a[0].S, value.NullValue, "unset")
			}},
		{Module: "pv", Name: "is_null", Params: str1, Ret: module.KEMIBool,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				r := ref(h, c, a[0].S, klog.Err)
				return boolRC(r == nil || r.Get(c).IsNull())
			}},
	}
}
