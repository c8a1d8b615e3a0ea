package siputils

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// compile0 compiles a function without arguments.
func compile0(run func(c *event.Context, msg *sipmsg.Msg) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) {
		return func(c *event.Context) int { return run(c, sipmsg.FromContext(c)) }, nil
	}
}

// compileStrs compiles a function whose arguments are strings with
// pseudo-variables (Kamailio's fixup_spve_*).
func compileStrs(run func(c *event.Context, msg *sipmsg.Msg, args []string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := module.Strs(h, args...)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			vals := make([]string, len(fs))
			for i, f := range fs {
				vals[i] = f(c)
			}
			return run(c, sipmsg.FromContext(c), vals)
		}, nil
	}
}

// compileLiteral compiles a function whose one argument is taken as
// written, pseudo-variables not expanded (Kamailio's fixup_str_null).
func compileLiteral(run func(c *event.Context, msg *sipmsg.Msg, args []string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return compileLiterals(run)
}

// compileLiterals compiles a function whose arguments are taken as
// written (fixup_str_str, or no fixup at all): a string literal is not
// expanded; any other expression is evaluated.
func compileLiterals(run func(c *event.Context, msg *sipmsg.Msg, args []string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		fs, err := literals(h, args)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			vals := make([]string, len(fs))
			for i, f := range fs {
				vals[i] = f(c)
			}
			return run(c, sipmsg.FromContext(c), vals)
		}, nil
	}
}

func literals(h module.Host, args []*module.Arg) ([]module.StrFunc, error) {
	fs := make([]module.StrFunc, len(args))
	for i, a := range args {
		if lit, ok := a.Literal(); ok {
			fs[i] = func(*event.Context) string { return lit }
			continue
		}
		f, err := a.Str(h)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return fs, nil
}

// compilePV compiles a function whose argument names a pseudo-variable
// that must hold a string (fixup_pvar_null); fn is the C function that
// logs the errors.
func compilePV(fn string, run func(c *event.Context, s string) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		r, err := args[0].PV(h)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context) int {
			// An integer has a string form too ($var(x) = 12 reads "12").
			v := r.Get(c)
			if v.IsNull() {
				logf(c, klog.Err, "%s(): pseudo variable value is not string", fn)
				return -1
			}
			s := v.S
			if v.K != value.Str {
				s = v.String()
			}
			if s == "" {
				return -1
			}
			return run(c, s)
		}, nil
	}
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
