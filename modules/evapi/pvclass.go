package evapi

import (
	"errors"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// envKey is the event.Context slot holding the *env of an evapi event.
var envKey = event.NewKey()

// env is the evapi part of an event: the connection and, for
// message-received, the frame. One env per connection is reused for every
// event; the payload is copied to a string only when a route reads it.
type env struct {
	c      *client
	lp     *loop  // the loop running the event; nil on other goroutines
	more   bool   // message-received with more frames of the read to come
	msg    []byte // nil outside message-received
	hasMsg bool
	str    string
	strOK  bool
}

func (e *env) set(msg []byte) {
	e.msg, e.hasMsg = msg, msg != nil
	e.str, e.strOK = "", false
}

// envOf returns the evapi env of c, or nil outside evapi events.
func envOf(c *event.Context) *env {
	if c == nil {
		return nil
	}
	e, _ := c.Get(envKey).(*env)
	return e
}

// pvNames are the inner names $evapi accepts; any other is a load error,
// as in Kamailio (which says "unknown PV msrp name").
var pvNames = []string{"conidx", "msg", "srcaddr", "srcport"}

func (m *Module) pvClass() *pv.Class {
	return &pv.Class{
		Name:    "evapi",
		Module:  Name,
		Names:   pvNames,
		Compile: compileEvapiPV,
	}
}

func compileEvapiPV(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, errors.New("missing name: one of conidx, msg, srcaddr, srcport")
	}
	if p.Name.Dyn != nil {
		return nil, errors.New("the name must be a literal: one of conidx, msg, srcaddr, srcport")
	}
	var get func(e *env) value.Value
	switch p.Name.Text {
	case "conidx":
		get = func(e *env) value.Value { return value.MakeInt(int64(e.c.idx)) }
	case "msg":
		get = func(e *env) value.Value {
			if !e.hasMsg {
				return value.NullValue
			}
			if !e.strOK {
				e.str, e.strOK = string(e.msg), true
			}
			return value.MakeStr(e.str)
		}
	case "srcaddr":
		get = func(e *env) value.Value { return value.MakeStr(e.c.addr) }
	case "srcport":
		get = func(e *env) value.Value { return value.MakeInt(int64(e.c.port)) }
	default:
		return nil, errors.New("unknown name " + p.Name.Text + ": one of conidx, msg, srcaddr, srcport")
	}
	return evapiSpec(get), nil
}

// evapiSpec reads $evapi(name). It is null outside evapi events and once
// the script closed the connection with evapi_close(), as in Kamailio.
// Assignments are accepted and ignored, as Kamailio's setter does.
type evapiSpec func(e *env) value.Value

func (s evapiSpec) Get(c *event.Context) value.Value {
	e := envOf(c)
	if e == nil || e.c.scriptClosed.Load() {
		return value.NullValue
	}
	return s(e)
}

func (s evapiSpec) Set(*event.Context, value.Value) error { return nil }

var (
	_ pv.Spec   = evapiSpec(nil)
	_ pv.Setter = evapiSpec(nil)
)
