package evapi

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// fakeHost is a module.Host whose event routes are Go functions.
type fakeHost struct {
	log     *klog.Logger
	table   *pv.Table
	routes  map[string]func(c *event.Context) int
	modules map[string]module.Module

	mu    sync.Mutex
	lines []string // "LEVEL: <origin>: text" of every log line
}

func newFakeHost() *fakeHost {
	h := &fakeHost{log: klog.New(nil, klog.Text), table: pv.NewTable(),
		routes: map[string]func(*event.Context) int{}, modules: map[string]module.Module{}}
	h.log.SetHook(func(lv klog.Level, origin, msg string) {
		h.mu.Lock()
		h.lines = append(h.lines, lv.String()+": <"+origin+">: "+msg)
		h.mu.Unlock()
	})
	return h
}

func (h *fakeHost) Log() *klog.Logger { return h.log }
func (h *fakeHost) PV() *pv.Table     { return h.table }
func (h *fakeHost) CompilePV(text string, r diag.Range) (*pv.Ref, error) {
	p, d := pvsyntax.ParsePV(text, r)
	if d != nil {
		return nil, fmt.Errorf("%s", d.Summary)
	}
	return h.table.Compile(p)
}
func (h *fakeHost) CompileFormat(text string, r diag.Range) (*pv.Format, error) {
	f, ds := pvsyntax.ParseFormat(text, r)
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return h.table.CompileFormat(f)
}
func (h *fakeHost) Workers() *event.Pool { return event.NewPool(1, 1) }
func (h *fakeHost) Has(t event.Target) bool {
	_, ok := h.routes[t.Name]
	return ok && t.Kind == ast.Event
}
func (h *fakeHost) Run(c *event.Context, t event.Target) (int, bool) {
	if c.Worker == nil {
		panic("Run without a worker")
	}
	r, ok := h.routes[t.Name]
	if !ok || t.Kind != ast.Event {
		return 0, false
	}
	return r(c), true
}
func (h *fakeHost) Module(name string) (module.Module, bool) {
	m, ok := h.modules[name]
	return m, ok
}
func (h *fakeHost) CoreParam(string) (value.Value, bool) { return value.NullValue, false }

// logged returns the log lines that contain sub.
func (h *fakeHost) logged(sub string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// lit is a string-literal argument.
func lit(s string) *module.Arg { return &module.Arg{Expr: &ast.StrLit{Value: s}} }

// dyn is a non-literal argument evaluated by f.
func dyn(f func(c *event.Context) string) *module.Arg {
	return &module.Arg{Expr: &ast.PVar{Text: "$var(t)", Class: "var"},
		Eval: func(c *event.Context) value.Value { return value.MakeStr(f(c)) }}
}

// call compiles module function name of m at a call site with args.
func call(t testing.TB, h *fakeHost, m *Module, name string, args ...*module.Arg) module.Call {
	t.Helper()
	for _, f := range m.Exports().Funcs {
		if f.Name == name {
			if len(args) < f.MinArgs || len(args) > f.MaxArgs {
				t.Fatalf("%s: %d args", name, len(args))
			}
			c, err := f.Compile(h, args)
			if err != nil {
				t.Fatalf("compile %s: %v", name, err)
			}
			return c
		}
	}
	t.Fatalf("no function %s", name)
	return nil
}

// pvGet compiles $evapi(name) and returns a reader of it.
func pvGet(t testing.TB, h *fakeHost, name string) func(c *event.Context) value.Value {
	t.Helper()
	r, err := h.CompilePV("$evapi("+name+")", diag.Range{})
	if err != nil {
		t.Fatal(err)
	}
	return r.Get
}

// newTestModule makes a provisioned module with params set, listening on a
// free 127.0.0.1 port once started.
func newTestModule(t testing.TB, params map[string]value.Value) (*Module, *fakeHost) {
	t.Helper()
	m := newModule()
	h := newFakeHost()
	if err := m.SetParam("bind_addr", value.MakeStr("127.0.0.1:0")); err != nil {
		t.Fatal(err)
	}
	for k, v := range params {
		if err := m.SetParam(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range m.Exports().Classes {
		if err := h.table.AddClass(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	return m, h
}

func start(t testing.TB, m *Module) {
	t.Helper()
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Stop(ctx); err != nil {
			t.Error(err)
		}
	})
}

// tclient is a test client with a read buffer.
type tclient struct {
	t    testing.TB
	c    net.Conn
	buf  []byte
	name string
}

func dial(t testing.TB, m *Module) *tclient {
	t.Helper()
	c, err := net.Dial("tcp", m.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetNoDelay(true)
	t.Cleanup(func() { c.Close() })
	return &tclient{t: t, c: c}
}

func (c *tclient) send(chunks ...string) {
	c.t.Helper()
	for i, s := range chunks {
		if i > 0 {
			// Give the server a chance to read the chunks separately; the
			// result must not depend on whether it did.
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := c.c.Write([]byte(s)); err != nil {
			c.t.Fatalf("write: %v", err)
		}
	}
}

// until reads until token has arrived and returns what came before it.
func (c *tclient) until(token string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tmp := make([]byte, 64<<10)
	for {
		if i := strings.Index(string(c.buf), token); i >= 0 {
			out := string(c.buf[:i])
			c.buf = c.buf[i+len(token):]
			return out
		}
		c.c.SetReadDeadline(deadline)
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			c.t.Fatalf("%s: waiting for %q: %v (got %d bytes: %.200q)", c.name, token, err, len(c.buf), c.buf)
		}
	}
}

// eof reads until the server closes the connection and returns the bytes.
func (c *tclient) eof() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	tmp := make([]byte, 64<<10)
	for {
		n, err := c.c.Read(tmp)
		c.buf = append(c.buf, tmp[:n]...)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.t.Fatalf("%s: no EOF (got %d bytes: %.200q)", c.name, len(c.buf), c.buf)
			}
			out := string(c.buf)
			c.buf = nil
			return out
		}
	}
}

// waitFor polls cond (bounded) until it holds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 2000; i++ {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func diagRange() diag.Range { return diag.Range{} }
