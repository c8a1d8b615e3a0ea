package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The SIP message pseudo-variables read the event's message
// (sipmsg.FromContext): the received SIP message, or Kamailio's faked
// OPTIONS request in events that do not come from SIP. Values are the ones
// Kamailio 5.6.3 gives (spec/conformance/modules/pv/msg records them on
// the faked request). Where Kamailio registers a class under several names ($ru and
// $ruri, $fu and $from ...), every name shares one implementation.

// msgGetter is a read-only message pseudo-variable.
type msgGetter func(c *event.Context, m *sipmsg.Msg) value.Value

func (f msgGetter) Get(c *event.Context) value.Value { return f(c, sipmsg.FromContext(c)) }

// msgVar is a writable message pseudo-variable.
type msgVar struct {
	get msgGetter
	set func(c *event.Context, m *sipmsg.Msg, v value.Value) error
}

func (s msgVar) Get(c *event.Context) value.Value { return s.get(c, sipmsg.FromContext(c)) }

func (s msgVar) Set(c *event.Context, v value.Value) error {
	return s.set(c, sipmsg.FromContext(c), v)
}

// msg adapts a getter that needs only the message.
func msg(f func(m *sipmsg.Msg) value.Value) msgGetter {
	return func(_ *event.Context, m *sipmsg.Msg) value.Value { return f(m) }
}

func strOrNull(s string, ok bool) value.Value {
	if !ok {
		return value.NullValue
	}
	return value.MakeStr(s)
}

// nonEmpty is s, or null when s is empty.
func nonEmpty(s string) value.Value { return strOrNull(s, s != "") }

// fixedClass is a class that takes no name.
func fixedClass(name string, f func(c *event.Context) value.Value) *pv.Class {
	return specClass(name, pv.GetterFunc(f))
}

// specClass registers a spec under a name; the reference takes no name.
func specClass(name string, s pv.Spec) *pv.Class {
	return &pv.Class{Name: name, Module: "pv", Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name != nil {
			return nil, fmt.Errorf("takes no name")
		}
		return s, nil
	}}
}

// specAliases registers one nameless spec under several class names.
func specAliases(s pv.Spec, names ...string) []*pv.Class {
	out := make([]*pv.Class, len(names))
	for i, n := range names {
		out[i] = specClass(n, s)
	}
	return out
}

// namedClass is a class whose name picks one of fixed getters.
func namedClass(class string, getters map[string]pv.Spec) *pv.Class {
	names := make([]string, 0, len(getters))
	for n := range getters {
		names = append(names, n)
	}
	return &pv.Class{Name: class, Module: "pv", Names: sortedStrings(names), Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("missing name")
		}
		s, ok := getters[p.Name.Text]
		if !ok {
			return nil, fmt.Errorf("unknown name %q", p.Name.Text)
		}
		return s, nil
	}}
}

// intValue is a signed C int as pv_get_sintval gives it.
func intValue(n int) value.Value { return value.MakeInt(value.Wrap(int64(n))) }

// strInt is a string that converts to the int n (pv_get_strintval).
func strInt(s string, n int) value.Value { return value.MakeStrInt(s, value.Wrap(int64(n))) }

// msgClasses are the SIP message classes registered by the pv module.
func (m *Module) msgClasses() []*pv.Class {
	var out []*pv.Class
	for _, group := range [][]*pv.Class{
		ruriClasses(), fromToClasses(), headerClasses(), authClasses(), textClasses(),
		netClasses(), viaClasses(), flagClasses(), branchClasses(),
	} {
		out = append(out, group...)
	}
	return out
}
