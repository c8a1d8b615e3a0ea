package tm_test

import (
	"testing"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestEveryArityLoads: every form of a function tm exports with several
// argument counts loads (the loader keeps one module.Func per name, so
// tm merges its forms: mergeForms).
func TestEveryArityLoads(t *testing.T) {
	src := "loadmodule \"tm.so\"\nrequest_route {\n\tt_relay();\n\tt_relay(\"127.0.0.1\", \"5060\");\n\tt_lookup_cancel(\"1\");\n}\n"
	cfg, diags, _ := check.AnalyzeSource("arity.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	if _, ld := server.Load(cfg, server.Options{Log: klog.New(nil, klog.Text)}); ld.HasErrors() {
		t.Errorf("load: %v", ld.Error())
	}
}
