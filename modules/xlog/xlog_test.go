package xlog

import (
	"slices"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/routetype"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func newHost(t *testing.T, m *Module) *pvtest.Host {
	t.Helper()
	h := pvtest.NewPVHost(t, m)
	h.Logger.SetThreshold(klog.Info) // debug=2, as in the recording
	return h
}

func TestXlogl(t *testing.T) {
	for _, long := range []int64{0, 1} {
		m := newModule()
		if err := m.SetParam("long_format", value.MakeInt(long)); err != nil {
			t.Fatal(err)
		}
		h := newHost(t, m)
		lit := &ast.StrLit{Value: "with line\n", Rng: diag.Range{File: "k.cfg", Start: diag.Pos{Line: 68}}}
		args := []*module.Arg{{Expr: &ast.StrLit{Value: "L_INFO"}}, {Expr: lit}}
		var call module.Call
		for _, f := range m.Exports().Funcs {
			if f.Name == "xlogl" {
				var err error
				if call, err = f.Compile(h, args); err != nil {
					t.Fatal(err)
				}
			}
		}
		if rc := call(h.Context()); rc != 1 {
			t.Errorf("rc %d", rc)
		}
		want := []string{"INFO: <script>: 68:with line"}
		if long == 1 {
			want = []string{"INFO: <script>: k.cfg:68:with line"}
		}
		if got := h.Lines(); !slices.Equal(got, want) {
			t.Errorf("long_format=%d: got %q want %q", long, got, want)
		}
	}
}

func TestPrefixAndBufSize(t *testing.T) {
	m := newModule()
	_ = m.SetParam("prefix", value.MakeStr("[cfg] "))
	_ = m.SetParam("buf_size", value.MakeInt(8))
	h := newHost(t, m)
	var buf []string
	h.Logger.SetHook(nil)
	h.Logger = klog.New(writerFunc(func(p []byte) { buf = append(buf, string(p)) }), klog.Text)
	call, err := h.Call(m, "xinfo", "\"short\n\"")
	if err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	c.Log = h.Logger
	if rc := call(c); rc != 1 {
		t.Errorf("rc %d", rc)
	}
	long, _ := h.Call(m, "xinfo", "\"much too long\n\"")
	if rc := long(c); rc != -1 {
		t.Errorf("overflow rc %d, want -1", rc)
	}
	if len(buf) != 2 || buf[0] != "INFO: [cfg] short\n" {
		t.Errorf("got %q", buf)
	}
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

var _ = routetype.Any
