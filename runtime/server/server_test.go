package server

import (
	"context"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// tmod is a test module: param "greeting" (str), function say(fmt) that
// logs at INFO through the script origin, Starter counting starts.
type tmod struct {
	greeting string
	started  int
}

// testModules holds tmod; the modules kamgo ships are not in it.
var testModules = func() *module.Registry {
	r := module.NewRegistry()
	r.Register(&tmod{})
	return r
}()

func (*tmod) ModuleInfo() module.Info {
	return module.Info{Name: "tmod", New: func() module.Module { return &tmod{} }}
}

func (m *tmod) SetParam(name string, v value.Value) error {
	m.greeting = v.S
	return nil
}

func (m *tmod) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{{Name: "greeting", Type: module.ParamStr}},
		Funcs: []module.Func{{Name: "say", MinArgs: 1, MaxArgs: 1,
			Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				f, err := args[0].Str(h)
				if err != nil {
					return nil, err
				}
				return func(c *event.Context) int {
					c.Log.Log(klog.Info, "script", m.greeting+f(c))
					return 1
				}, nil
			}}},
	}
}

func (m *tmod) Start(context.Context) error { m.started++; return nil }
func (m *tmod) Stop(context.Context) error  { return nil }

var (
	_ module.Exporter    = (*tmod)(nil)
	_ module.ParamSetter = (*tmod)(nil)
	_ module.Starter     = (*tmod)(nil)
)

func parse(t *testing.T, src string) *ast.Config {
	t.Helper()
	res := preproc.Process("t.cfg", []byte(src), preproc.Options{})
	cfg, dl := parser.Parse(res)
	if all := append(res.Diags, dl...); all.HasErrors() {
		t.Fatal(all)
	}
	return cfg
}

func newLog() (*klog.Logger, *[]string) {
	var lines []string
	l := klog.New(nil, klog.Text)
	l.SetHook(func(lv klog.Level, origin, msg string) {
		if origin == "script" {
			lines = append(lines, lv.String()+": "+msg)
		}
	})
	return l, &lines
}

const base = `loadmodule "/usr/lib/kamailio/modules/tmod.so"
modparam("tmod", "greeting", "hi ")
event_route[test:ev] { say("one"); }
`

func TestLoadRunReload(t *testing.T) {
	lg, lines := newLog()
	s, dl := Load(parse(t, base), Options{Log: lg, Registry: testModules})
	if s == nil {
		t.Fatal(dl)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	w := event.NewWorker(0)
	if rc, ok := s.Dispatch(event.Event("test:ev"), w, nil); !ok || rc != 1 {
		t.Fatalf("dispatch: rc=%d ok=%v", rc, ok)
	}
	if !s.Host().Has(event.Event("test:ev")) || s.Host().Has(event.Event("test:nope")) {
		t.Error("Has")
	}
	// Same modules and params: the new program is swapped in.
	if dl := s.Reload(parse(t, strings.Replace(base, `say("one")`, `say("two")`, 1))); dl.HasErrors() {
		t.Fatal(dl)
	}
	s.Dispatch(event.Event("test:ev"), w, nil)
	// A changed modparam needs a restart: refused, old program kept.
	dl = s.Reload(parse(t, strings.Replace(strings.Replace(base, "hi ", "yo ", 1), `say("one")`, `say("three")`, 1)))
	if !dl.HasErrors() || dl[0].Code != CodeReload {
		t.Fatalf("reload with changed modparam: %v", dl)
	}
	s.Dispatch(event.Event("test:ev"), w, nil)
	want := []string{"INFO: hi one", "INFO: hi two", "INFO: hi two"}
	if strings.Join(*lines, "|") != strings.Join(want, "|") {
		t.Errorf("log %q, want %q", *lines, want)
	}
	if m, _ := s.Module("tmod"); m.(*tmod).started != 1 {
		t.Error("module not started once")
	}
}

func codes(dl diag.List) string {
	var out []string
	for _, d := range dl {
		out = append(out, d.Code+" "+d.Summary+" "+d.Detail)
	}
	return strings.Join(out, "\n")
}

func TestLoadErrors(t *testing.T) {
	_, dl := Load(parse(t, `loadmodule "tmod"
modparam("tmod", "greting", "x")
`), Options{Registry: testModules})
	// The checker reports names Kamailio does not know; what reaches the
	// server unchecked is a parameter kamgo does not run.
	if got := codes(dl); !strings.Contains(got, interp.CodeNotImplemented+" parameter tmod.greting is not implemented by kamgo") {
		t.Errorf("unknown param: %s", got)
	}
	src := `loadmodule "sl.so"
loadmodule "tmod.so"
event_route[test:ev] { sl_send_reply("200", "OK"); say("x"); }
`
	_, dl = Load(parse(t, src), Options{Registry: testModules})
	if !dl.HasErrors() || dl[0].Code != CodeUnknownModule || len(dl[0].Related) != 1 {
		t.Fatalf("missing module: %s", codes(dl))
	}
	lg, lines := newLog()
	s, dl := Load(parse(t, src), Options{Log: lg, Registry: testModules, AllowMissing: []string{"sl"}})
	if s == nil {
		t.Fatal(dl)
	}
	if rc, _ := s.Dispatch(event.Event("test:ev"), event.NewWorker(0), nil); rc != 1 || len(*lines) != 1 {
		t.Errorf("allowed missing: rc=%d lines=%q", rc, *lines)
	}
}
