package interp

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The unit tests run configurations against a small, self-contained set of
// classes and functions (not the real modules): $var (per worker, 0 when
// unset, as Kamailio's), $avp (always undefined), $tmsg (the event's
// message), $ci (read-only), xlog and tret(N) (returns N).

var (
	tvarKey = event.NewKey()
	tmsgKey = event.NewKey()
)

type tvar struct{ name string }

func (v tvar) vars(c *event.Context) map[string]value.Value {
	m, _ := c.Worker.Get(tvarKey).(map[string]value.Value)
	if m == nil {
		m = map[string]value.Value{}
		c.Worker.Set(tvarKey, m)
	}
	return m
}

func (v tvar) Get(c *event.Context) value.Value {
	if c == nil {
		return value.MakeInt(0)
	}
	x, ok := v.vars(c)[v.name]
	if !ok {
		return value.MakeInt(0)
	}
	return x
}

func (v tvar) Set(c *event.Context, x value.Value) error {
	if x.IsNull() {
		x = value.MakeInt(0)
	}
	v.vars(c)[v.name] = x
	return nil
}

type tnull struct{}

func (tnull) Get(*event.Context) value.Value { return value.NullValue }

func testTable(t testing.TB) *pv.Table {
	tb := pv.NewTable()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tb.AddClass(&pv.Class{Name: "var", Module: "test", Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("name required")
		}
		return tvar{p.Name.Text}, nil
	}}))
	must(tb.AddClass(&pv.Class{Name: "avp", Module: "test", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) { return tnull{}, nil }}))
	must(tb.AddClass(&pv.Class{Name: "tmsg", Module: "test", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
		return pv.GetterFunc(func(c *event.Context) value.Value {
			if s, ok := c.Get(tmsgKey).(string); ok {
				return value.MakeStr(s)
			}
			return value.NullValue
		}), nil
	}}))
	// $ci stands for a read-only class.
	must(tb.AddClass(&pv.Class{Name: "ci", Module: "test", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
		return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeStr("call-id") }), nil
	}}))
	AddCoreClasses(tb)
	return tb
}

func testFuncs(tb *pv.Table) map[string]*module.Func {
	xlog := &module.Func{Name: "xlog", MinArgs: 1, MaxArgs: 2,
		Compile: func(_ module.Host, args []*module.Arg) (module.Call, error) {
			lv := klog.Info
			fa := args[0]
			if len(args) == 2 {
				s, ok := args[0].Literal()
				if !ok {
					return nil, fmt.Errorf("level must be a literal")
				}
				l, ok := klog.ParseLevel(s)
				if !ok {
					return nil, fmt.Errorf("bad level %q", s)
				}
				lv, fa = l, args[1]
			}
			s, ok := fa.Literal()
			if !ok {
				return nil, fmt.Errorf("format must be a literal")
			}
			pf, dl := pvsyntax.ParseFormat(s, fa.Expr.Span())
			if dl.HasErrors() {
				return nil, dl
			}
			f, err := tb.CompileFormat(pf)
			if err != nil {
				return nil, err
			}
			return func(c *event.Context) int {
				if c.Log != nil && c.Log.Enabled(lv) {
					c.Log.Log(lv, "script", f.String(c))
				}
				return 1
			}, nil
		}}
	tret := &module.Func{Name: "tret", MinArgs: 1, MaxArgs: 1,
		Compile: func(_ module.Host, args []*module.Arg) (module.Call, error) {
			ev := args[0].Eval
			return func(c *event.Context) int {
				i, _ := value.ToInt(ev(c))
				return int(i)
			}, nil
		}}
	return map[string]*module.Func{"xlog": xlog, "tret": tret}
}

func parseCfg(t testing.TB, src string) *ast.Config {
	t.Helper()
	res := preproc.Process("test.cfg", []byte(src), preproc.Options{})
	cfg, dl := parser.Parse(res)
	all := append(append(diag.List{}, res.Diags...), dl...)
	if all.HasErrors() {
		t.Fatalf("parse: %v", all)
	}
	return cfg
}

const testEvent = "evapi:message-received"

const testPrelude = "event_route[evapi:message-received] {\n\troute(TEST);\n}\n"

// runner runs one compiled program on a worker and records script and
// core log lines.
type runner struct {
	prog  *Program
	log   *klog.Logger
	w     *event.Worker
	mu    sync.Mutex
	lines []string
	core  []string
}

func compileTest(t testing.TB, src string, env *Env) (*runner, diag.List) {
	t.Helper()
	cfg := parseCfg(t, src)
	if env == nil {
		env = &Env{}
	}
	if env.Table == nil {
		env.Table = testTable(t)
	}
	if env.Funcs == nil {
		env.Funcs = testFuncs(env.Table)
	}
	prog, dl := Compile(cfg, env)
	if prog == nil {
		return nil, dl
	}
	r := &runner{prog: prog, log: klog.New(nil, klog.Text), w: event.NewWorker(1)}
	r.log.SetHook(func(lv klog.Level, origin, msg string) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if origin == "script" {
			parts := strings.Split(msg, "\n")
			r.lines = append(r.lines, lv.String()+": "+parts[0])
			r.lines = append(r.lines, parts[1:]...)
		} else {
			r.core = append(r.core, lv.String()+": "+msg)
		}
	})
	return r, dl
}

func (r *runner) send(msg string) int {
	c := &event.Context{Worker: r.w, Log: r.log}
	c.Reset()
	c.Set(tmsgKey, msg)
	rc, _ := r.prog.Run(c, event.Event(testEvent))
	return rc
}
