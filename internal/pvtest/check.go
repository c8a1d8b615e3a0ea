package pvtest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/value"
)

// CheckFile replays every case of the file at path the way a configuration
// runs it: the file's config (File.Config, the one Kamailio recorded) is
// checked with lang/check, loaded with runtime/server and each case's
// route[C<n>] is run on one worker, one event per case, as Kamailio's
// single evapi dispatcher did. The script log is compared with the
// recorded one; lines starting with "# " are Kamailio's own module/core
// messages and are not compared. Cases named in skip are not run.
//
// The test binary must register the modules the cases use (pv and xlog at
// least); loadmodule lines naming unregistered modules are allowed, and a
// stand-in evapi module is registered when the real one is not.
func CheckFile(t *testing.T, path string, skip ...string) {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"pv", "xlog"} {
		if _, ok := module.Lookup(m); !ok {
			t.Fatalf("module %s is not registered in this test binary: import it", m)
		}
	}
	reg := testRegistry()
	text := strings.NewReplacer("%%SIP_PORT%%", "5060", "%%EVAPI_PORT%%", "8448").Replace(f.Config())
	cfg, diags, _ := check.AnalyzeSource(path, []byte(text), preproc.Options{Env: os.LookupEnv}, reg.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	var missing []string
	for _, it := range cfg.Items {
		if lm, ok := it.(*ast.LoadModule); ok {
			name := lm.Module()
			if _, ok := reg.Lookup(name); !ok {
				missing = append(missing, name)
			}
		}
	}
	var (
		mu    sync.Mutex
		lines []string
	)
	lg := klog.New(nil, klog.Text)
	lg.SetHook(func(lv klog.Level, origin, msg string) {
		if origin != "script" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		parts := strings.Split(msg, "\n")
		lines = append(lines, lv.String()+": "+parts[0])
		lines = append(lines, parts[1:]...)
	})
	srv, ld := server.Load(cfg, server.Options{Log: lg, Registry: reg, AllowMissing: missing})
	if ld.HasErrors() || srv == nil {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	w := event.NewWorker(1)
	for i, c := range f.Cases {
		if slices.Contains(skip, c.Name) {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			mu.Lock()
			lines = nil
			mu.Unlock()
			ctx := srv.AcquireContext(w)
			_, ok := srv.Host().Run(ctx, event.Route(fmt.Sprintf("C%d", i), routetype.Event))
			srv.ReleaseContext(ctx)
			if !ok {
				t.Fatalf("route C%d not found", i)
			}
			mu.Lock()
			got := lines
			mu.Unlock()
			var want []string
			for _, l := range c.Log {
				if !strings.HasPrefix(l, "# ") {
					want = append(want, l)
				}
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("log:\n got  %q\n want %q", got, want)
			}
		})
	}
}

// testRegistry returns the modules of this test binary plus, unless the
// real one is among them, a stand-in "evapi" (its functions return 1,
// $evapi(...) is null): the case files' config has the recorder's evapi
// event route.
func testRegistry() *module.Registry {
	reg := module.NewRegistry()
	for _, name := range module.Registered() {
		info, _ := module.Lookup(name)
		reg.Register(info.New())
	}
	if _, ok := reg.Lookup("evapi"); !ok {
		reg.Register(evapiStub{})
	}
	return reg
}

type evapiStub struct{}

func (evapiStub) ModuleInfo() module.Info {
	return module.Info{Name: "evapi", New: func() module.Module { return evapiStub{} }}
}

func (evapiStub) SetParam(string, value.Value) error { return nil }

func (evapiStub) Exports() module.Exports {
	one := func(module.Host, []*module.Arg) (module.Call, error) {
		return func(*event.Context) int { return 1 }, nil
	}
	return module.Exports{
		Params: []module.Param{{Name: "workers", Type: module.ParamInt}, {Name: "bind_addr", Type: module.ParamStr}},
		Funcs:  []module.Func{{Name: "evapi_relay", MinArgs: 1, MaxArgs: 1, Compile: one}},
		Classes: []*pv.Class{{Name: "evapi", Module: "evapi", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(*event.Context) value.Value { return value.NullValue }), nil
		}}},
		Events: []string{"evapi:message-received"},
	}
}
