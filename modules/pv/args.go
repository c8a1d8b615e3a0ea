package pv

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// intFunc evaluates an integer argument; ok is false when the value is not
// an integer.
type intFunc func(c *event.Context) (n int64, ok bool)

// intArg compiles an argument Kamailio fixes up as "int or pseudo-
// variable" (fixup_igp, fixup_var_int): a number, written bare or as a
// string, is fixed at load time; a pseudo-variable must hold an integer
// when the function runs (an AVP holding a string of digits converts, as
// get_int_fparam allows). Anything else is a load-time error.
func intArg(h module.Host, a *module.Arg) (intFunc, error) {
	if n, ok := a.IntLiteral(); ok {
		return func(*event.Context) (int64, bool) { return n, true }, nil
	}
	var p *ast.PVar
	switch e := a.Expr.(type) {
	case *ast.PVar:
		p = e
	case *ast.StrLit:
		s := strings.TrimSpace(e.Value)
		if !strings.HasPrefix(s, "$") {
			n, ok := value.Str2Sint(s)
			if !ok {
				return nil, fmt.Errorf("%q is not an integer", e.Value)
			}
			return func(*event.Context) (int64, bool) { return n, true }, nil
		}
	default:
		eval := a.Eval
		return func(c *event.Context) (int64, bool) {
			v := eval(c)
			return v.I, v.K == value.Int || v.Num
		}, nil
	}
	r, err := a.PV(h)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = r.Node
	}
	avp := p.Class == "avp"
	return func(c *event.Context) (int64, bool) {
		v := r.Get(c)
		switch {
		case v.K == value.Int || v.Num:
			return v.I, true
		case avp && v.K == value.Str:
			return str2int(v.S)
		}
		return 0, false
	}, nil
}

// str2int is Kamailio's str2int: decimal digits only, as an unsigned 32-bit
// number taken as a C int.
func str2int(s string) (int64, bool) {
	var n uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<32-1 {
			return 0, false
		}
	}
	return int64(int32(uint32(n))), true
}

// logf logs a module message for the event, when it has a logger.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, "pv", format, args...)
	}
}
