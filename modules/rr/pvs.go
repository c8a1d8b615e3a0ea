package rr

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The pseudo-variables of rr: $route_uri, $fti, $tti and $rdir(id|name).

func (m *Module) classes() []*pv.Class {
	plain := func(name string, get func(c *event.Context, msg *sipmsg.Msg) value.Value) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name != nil {
				return nil, fmt.Errorf("$%s takes no name", name)
			}
			return pv.GetterFunc(func(c *event.Context) value.Value { return get(c, sipmsg.FromContext(c)) }), nil
		}}
	}
	tag := func(from bool) func(c *event.Context, msg *sipmsg.Msg) value.Value {
		return func(c *event.Context, msg *sipmsg.Msg) value.Value {
			if t, ok := m.initialTag(c, msg, from); ok {
				return value.MakeStr(t)
			}
			return value.NullValue
		}
	}
	return []*pv.Class{
		// Kamailio's $route_uri fails without a Route; xlog prints that as
		// nothing.
		plain("route_uri", func(c *event.Context, msg *sipmsg.Msg) value.Value {
			return value.MakeStr(routeURI(c, msg))
		}),
		plain("fti", tag(true)),
		plain("tti", tag(false)),
		{Name: "rdir", Module: Name, Names: []string{"id", "name"}, Compile: m.compileRdir},
	}
}

// compileRdir compiles $rdir(id) (1 downstream, 2 upstream) and
// $rdir(name) ("downstream", "upstream").
func (m *Module) compileRdir(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || (p.Name.Text != "id" && p.Name.Text != "name") {
		text := ""
		if p.Name != nil {
			text = p.Name.Text
		}
		return nil, fmt.Errorf("pv_parse_rdir_name(): unknown PV af key: %s", text)
	}
	byName := p.Name.Text == "name"
	return pv.GetterFunc(func(c *event.Context) value.Value {
		d := m.direction(c, sipmsg.FromContext(c))
		if !byName {
			return value.MakeInt(int64(d))
		}
		if d == upstream {
			return value.MakeStr("upstream")
		}
		return value.MakeStr("downstream")
	}), nil
}
