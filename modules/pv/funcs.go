package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func (m *Module) funcs() []module.Func {
	out := []module.Func{
		{Name: "pv_isset", MinArgs: 1, MaxArgs: 1, Compile: refFunc(func(c *event.Context, r *pv.Ref) bool {
			return r.Defined(c)
		})},
		{Name: "pv_unset", MinArgs: 1, MaxArgs: 1, Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
			r, err := args[0].OutPV(h)
			if err != nil {
				return nil, fmt.Errorf("pv_unset: %v", err)
			}
			return func(c *event.Context) int {
				_ = r.Set(c, value.NullValue)
				return 1
			}, nil
		}},
		// is_int holds for integers and for strings that carry one
		// ($rp, $Tf ...), as Kamailio tests the value's int flag.
		{Name: "is_int", MinArgs: 1, MaxArgs: 1, Compile: refFunc(func(c *event.Context, r *pv.Ref) bool {
			v := r.Get(c)
			return v.K == value.Int || v.Num
		})},
		{Name: "not_empty", MinArgs: 1, MaxArgs: 1, Compile: refFunc(func(c *event.Context, r *pv.Ref) bool {
			v := r.Get(c)
			return v.K == value.Str && v.S != ""
		})},
		{Name: "typeof", MinArgs: 2, MaxArgs: 2, Compile: compileTypeof},
		{Name: "pv_evalx", MinArgs: 2, MaxArgs: 2, Compile: compileEvalx},
	}
	out = append(out, m.xavpFuncs()...)
	return append(out, sbranchFuncs()...)
}

// compileEvalx is pv_evalx(dst, format): the format is expanded, the
// result expanded again as a format, and that stored in dst as a string.
func compileEvalx(h module.Host, args []*module.Arg) (module.Call, error) {
	dst, err := args[0].OutPV(h)
	if err != nil {
		return nil, fmt.Errorf("pv_evalx: %v", err)
	}
	format, err := args[1].Str(h)
	if err != nil {
		return nil, fmt.Errorf("pv_evalx: %v", err)
	}
	return func(c *event.Context) int {
		f, err := h.CompileFormat(format(c), diag.Range{})
		if err != nil {
			logf(c, klog.Err, "pv_evalx(): cannot eval reparsed value of second parameter")
			return -1
		}
		if err := dst.Set(c, value.MakeStr(f.String(c))); err != nil {
			logf(c, klog.Err, "pv_evalx(): setting PV failed")
			return -1
		}
		return 1
	}, nil
}

// refFunc compiles a one-argument function over a pseudo-variable that
// returns 1 when test holds and -1 otherwise.
func refFunc(test func(c *event.Context, r *pv.Ref) bool) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		r, err := args[0].PV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			if test(c, r) {
				return 1
			}
			return -1
		}, nil
	}
}

// compileTypeof is typeof(pv, type): the first letter of type picks the
// test (i: an integer, s: a string, n: null); any other type is false, as
// in Kamailio.
func compileTypeof(h module.Host, args []*module.Arg) (module.Call, error) {
	r, err := args[0].PV(h)
	if err != nil {
		return nil, fmt.Errorf("typeof: %v", err)
	}
	t, err := args[1].Str(h)
	if err != nil {
		return nil, fmt.Errorf("typeof: %v", err)
	}
	return func(c *event.Context) int {
		v := r.Get(c)
		var ok bool
		switch ty := t(c); {
		case ty == "":
		case ty[0] == 'i' || ty[0] == 'I':
			ok = v.K == value.Int
		case ty[0] == 's' || ty[0] == 'S':
			ok = v.K == value.Str
		case ty[0] == 'n' || ty[0] == 'N':
			ok = v.K == value.Null
		}
		if ok {
			return 1
		}
		return -1
	}, nil
}
