// Package pvtest is test support for kamgo's script-side modules (pv,
// xlog, cfgutils, jansson, json): a module.Host backed by a pv.Table, for
// unit tests of single functions and references (pseudo-variables parsed
// with lang/pvsyntax). The behaviour recorded from Kamailio is replayed by
// spec/conformance.
package pvtest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Host is a module.Host for tests: a pv.Table holding the classes and
// transformations of the given modules, and a logger whose lines are kept
// as "LEVEL: <origin>: text".
type Host struct {
	Table   *pv.Table
	Logger  *klog.Logger
	Modules map[string]module.Module

	mu      sync.Mutex
	buf     bytes.Buffer
	lines   []string
	workers *event.Pool
}

// NewHost returns a host with the exports of mods registered in its table.
// Modules that take parameters are returned unprovisioned; call Provision.
func NewHost(mods ...module.Module) (*Host, error) {
	h := &Host{Table: pv.NewTable(), Modules: map[string]module.Module{}, workers: event.NewPool(1, 1)}
	h.Logger = klog.New(&h.buf, klog.Text)
	h.Logger.SetThreshold(klog.Dbg)
	h.Logger.SetHook(func(lv klog.Level, origin, msg string) {
		h.mu.Lock()
		h.lines = append(h.lines, lv.String()+": <"+origin+">: "+msg)
		h.mu.Unlock()
	})
	for _, m := range mods {
		h.Modules[m.ModuleInfo().Name] = m
		ex, ok := m.(module.Exporter)
		if !ok {
			continue
		}
		e := ex.Exports()
		for _, c := range e.Classes {
			if err := h.Table.AddClass(c); err != nil {
				return nil, err
			}
		}
		for _, t := range e.Trans {
			if err := h.Table.AddTrans(t); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := h.Table.Class("rc"); !ok {
		// $rc belongs to the core; tests need it to see return codes.
		_ = h.Table.AddClass(&pv.Class{Name: "rc", Module: "core", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(c *event.Context) value.Value { return value.MakeInt(c.RC) }), nil
		}})
	}
	return h, nil
}

// Lines returns the log lines so far and forgets them.
func (h *Host) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.lines
	h.lines = nil
	return out
}

// Context returns a fresh event context on a fresh worker.
func (h *Host) Context() *event.Context {
	return &event.Context{Worker: event.NewWorker(1), Log: h.Logger, RC: 1}
}

// Ref compiles a pseudo-variable written as text.
func (h *Host) Ref(text string) (*pv.Ref, error) {
	return h.CompilePV(text, diag.Range{})
}

// Log implements module.Host.
func (h *Host) Log() *klog.Logger { return h.Logger }

// PV implements module.Host.
func (h *Host) PV() *pv.Table { return h.Table }

// CompilePV implements module.Host.
func (h *Host) CompilePV(text string, r diag.Range) (*pv.Ref, error) {
	p, d := pvsyntax.ParsePV(text, r)
	if d != nil {
		return nil, d
	}
	return h.Table.Compile(p)
}

// CompileFormat implements module.Host.
func (h *Host) CompileFormat(text string, r diag.Range) (*pv.Format, error) {
	f, l := pvsyntax.ParseFormat(text, r)
	if l.HasErrors() {
		return nil, l
	}
	return h.Table.CompileFormat(f)
}

// Workers implements module.Host: one worker.
func (h *Host) Workers() *event.Pool { return h.workers }

// Has implements module.Host: there are no routes.
func (h *Host) Has(event.Target) bool { return false }

// Run implements module.Host: there are no routes.
func (h *Host) Run(*event.Context, event.Target) (int, bool) { return 0, false }

// Module implements module.Host.
func (h *Host) Module(name string) (module.Module, bool) {
	m, ok := h.Modules[name]
	return m, ok
}

// CoreParam implements module.Host.
func (h *Host) CoreParam(string) (value.Value, bool) { return value.NullValue, false }

var _ module.Host = (*Host)(nil)

// Args builds call arguments from source-like text: "quoted" strings
// become string literals, integers become int literals and $... become
// pseudo-variables. Eval evaluates them against h's table.
func (h *Host) Args(texts ...string) ([]*module.Arg, error) {
	var out []*module.Arg
	for _, t := range texts {
		a, err := h.arg(t)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (h *Host) arg(t string) (*module.Arg, error) {
	switch {
	case strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) >= 2:
		s := t[1 : len(t)-1]
		f, err := h.CompileFormat(s, diag.Range{})
		if err != nil {
			return nil, err
		}
		lit := &ast.StrLit{Value: s}
		return &module.Arg{Expr: lit, Eval: func(c *event.Context) value.Value { return value.MakeStr(f.String(c)) }}, nil
	case strings.HasPrefix(t, "$"):
		p, d := pvsyntax.ParsePV(t, diag.Range{})
		if d != nil {
			return nil, d
		}
		r, err := h.Table.Compile(p)
		if err != nil {
			return nil, err
		}
		return &module.Arg{Expr: p, Eval: r.Get}, nil
	}
	var n int64
	if _, err := fmt.Sscanf(t, "%d", &n); err != nil {
		return nil, fmt.Errorf("bad argument %q", t)
	}
	return &module.Arg{Expr: &ast.IntLit{Value: n, Text: t}, Eval: func(*event.Context) value.Value { return value.MakeInt(n) }}, nil
}

// Call compiles and returns the named function of m with the given
// argument texts (see Args).
func (h *Host) Call(m module.Module, name string, args ...string) (module.Call, error) {
	ex, ok := m.(module.Exporter)
	if !ok {
		return nil, fmt.Errorf("module exports nothing")
	}
	as, err := h.Args(args...)
	if err != nil {
		return nil, err
	}
	for _, f := range ex.Exports().Funcs {
		if f.Name == name && len(as) >= f.MinArgs && (f.MaxArgs < 0 || len(as) <= f.MaxArgs) {
			return f.Compile(h, as)
		}
	}
	return nil, fmt.Errorf("no function %s with %d args", name, len(as))
}

// NewPVHost is NewHost for a test, with the registered pv module (the
// test imports it) loaded before mods: $var and the other core classes.
func NewPVHost(t testing.TB, mods ...module.Module) *Host {
	t.Helper()
	pvm, ok := module.Lookup("pv")
	if !ok {
		t.Fatal("pvtest: module pv is not registered (import modules/pv)")
	}
	h, err := NewHost(append([]module.Module{pvm.New()}, mods...)...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// MustSet assigns v to the pseudo-variable name in c; an error fails t.
func (h *Host) MustSet(t testing.TB, c *event.Context, name string, v value.Value) {
	t.Helper()
	r, err := h.Ref(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Set(c, v); err != nil {
		t.Fatal(err)
	}
}

// MustCall is Call for a test: an error fails it.
func (h *Host) MustCall(t testing.TB, m module.Module, name string, args ...string) module.Call {
	t.Helper()
	f, err := h.Call(m, name, args...)
	if err != nil {
		t.Fatalf("%s(%s): %v", name, strings.Join(args, ", "), err)
	}
	return f
}
