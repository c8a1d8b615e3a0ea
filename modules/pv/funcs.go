package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func (m *Module) funcs() []module.Func {
	return []module.Func{
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
		{Name: "is_int", MinArgs: 1, MaxArgs: 1, Compile: refFunc(func(c *event.Context, r *pv.Ref) bool {
			return r.Get(c).K == value.Int
		})},
		{Name: "not_empty", MinArgs: 1, MaxArgs: 1, Compile: refFunc(func(c *event.Context, r *pv.Ref) bool {
			v := r.Get(c)
			return v.K == value.Str && v.S != ""
		})},
		{Name: "typeof", MinArgs: 2, MaxArgs: 2, Compile: compileTypeof},
	}
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

func compileTypeof(h module.Host, args []*module.Arg) (module.Call, error) {
	r, err := args[0].PV(h)
	if err != nil {
		return nil, fmt.Errorf("typeof: %v", err)
	}
	t, ok := args[1].Literal()
	if !ok {
		return nil, fmt.Errorf("typeof: the type must be a string literal")
	}
	var want value.Kind
	switch t {
	case "int", "i":
		want = value.Int
	case "str", "s":
		want = value.Str
	case "null", "n":
		want = value.Null
	default:
		return nil, fmt.Errorf("typeof: unknown type %q (int, str or null)", t)
	}
	return func(c *event.Context) int {
		if r.Get(c).K == want {
			return 1
		}
		return -1
	}, nil
}
