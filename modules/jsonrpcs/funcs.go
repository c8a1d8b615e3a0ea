package jsonrpcs

import (
	"context"
	"errors"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// replyKey is the worker slot holding the *Reply of the worker's last
// jsonrpc_exec: like Kamailio's, which each process keeps for itself,
// $jsonrpl reads the last response of the worker running the route.
var replyKey = event.NewKey()

// lastReply returns the reply $jsonrpl reads on c, nil before any.
func lastReply(c *event.Context) *Reply {
	if c == nil {
		return nil
	}
	var v any
	if c.Worker != nil {
		v = c.Worker.Get(replyKey)
	} else {
		v = c.Get(replyKey)
	}
	r, _ := v.(*Reply)
	return r
}

func setReply(c *event.Context, r *Reply) {
	if c.Worker != nil {
		c.Worker.Set(replyKey, r)
	} else {
		c.Set(replyKey, r)
	}
}

// compileExec compiles jsonrpc_exec(cmd): cmd is a format string whose
// pseudo-variables are expanded per call.
func (m *Module) compileExec(h module.Host, args []*module.Arg) (module.Call, error) {
	cmd, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.Exec(c, cmd(c)) }, nil
}

// Exec is jsonrpc_exec: it runs the JSON-RPC request cmd and keeps the
// response for $jsonrpl. It returns 1 when the request was run or
// answered with an error, -1 when cmd is empty or not a JSON document
// (then the previous response stays).
func (m *Module) Exec(c *event.Context, cmd string) int {
	if cmd == "" {
		logf(c, klog.Err, "jsonrpc_exec(): cannot get the rpc command parameter")
		return -1
	}
	res := m.exec(context.Background(), []byte(cmd), false)
	if !res.parsed {
		logf(c, klog.Err, "jsonrpc_exec_ex(): invalid json doc [[%s]]", cmd)
		return -1
	}
	r := res.Reply
	setReply(c, &r)
	return 1
}

// pvNames are the inner names $jsonrpl accepts.
var pvNames = []string{"body", "code", "text"}

func (m *Module) pvClass() *pv.Class {
	return &pv.Class{Name: "jsonrpl", Module: Name, Names: pvNames, Compile: compileJsonrpl}
}

// compileJsonrpl compiles $jsonrpl(code|text|body): the status code (0
// before any jsonrpc_exec), the status text and the response document
// (null before any).
func compileJsonrpl(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Dyn != nil {
		return nil, errors.New("unknown inner name: one of code, text, body")
	}
	var get func(r *Reply) value.Value
	switch p.Name.Text {
	case "code":
		return pv.GetterFunc(func(c *event.Context) value.Value {
			if r := lastReply(c); r != nil {
				return value.MakeInt(int64(uint32(r.Code)))
			}
			return value.MakeInt(0)
		}), nil
	case "text":
		get = func(r *Reply) value.Value { return value.MakeStr(r.Text) }
	case "body":
		get = func(r *Reply) value.Value { return value.MakeStr(r.Body) }
	default:
		return nil, errors.New("unknown inner name [" + p.Name.Text + "]")
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		if r := lastReply(c); r != nil {
			return get(r)
		}
		return value.NullValue
	}), nil
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c != nil && c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
