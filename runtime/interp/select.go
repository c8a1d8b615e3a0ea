package interp

import (
	"errors"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/selects"
	"github.com/kamgo/kamgo/runtime/value"
)

// cfgStore is the configuration groups of the host the program is
// compiled for; nil when the host keeps none.
func (cp *compiler) cfgStore() *cfgvars.Store {
	if h, ok := cp.env.Host.(cfgvars.Host); ok {
		return h.Cfg()
	}
	return nil
}

// selectExpr compiles a select (`@ruri.user`, `@cfg_get.pstn.gw_ip`)
// from runtime/selects' table. Its value is a string, as Kamailio types a
// select; one with no value is null, like an undefined pseudo-variable.
func (cp *compiler) selectExpr(n *ast.Select) *cexpr {
	f, err := selects.Compile(n.Text, cp.cfgStore())
	var ni *pv.NotImplementedError
	if errors.As(err, &ni) {
		cp.notImplemented(n.Rng, "%v", err)
		return cp.constExpr(value.NullValue, n)
	}
	if err != nil {
		d := cp.diags.Errorf(CodeFixup, n.Rng, "%v", err)
		if cp.route != nil {
			d.Context = cp.route.title
		}
		return cp.constExpr(value.NullValue, n)
	}
	e := &cexpr{node: n, kind: kStr}
	e.val = func(c *event.Context) (value.Value, bool) {
		s, ok := f(c)
		if !ok {
			return value.NullValue, true
		}
		return value.MakeStr(s), true
	}
	e.i = fromVal(e.val, n.Rng)
	return e
}
