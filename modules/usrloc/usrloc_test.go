package usrloc_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestLoadRefuses: what needs a database or sends keepalives is refused
// at load with a message saying why; a bad nat_bflag too.
func TestLoadRefuses(t *testing.T) {
	for _, tc := range []struct{ param, want string }{
		{`modparam("usrloc", "db_mode", 1)`, "db_mode 1 needs a database: kamgo has no database layer"},
		{`modparam("usrloc", "db_mode", 3)`, "db_mode 3 needs a database"},
		{`modparam("usrloc", "rm_expired_delay", 10)`, "rm_expired_delay needs db_mode 3"},
		{`modparam("usrloc", "nat_bflag", 32)`, "bflag index (32) too big"},
	} {
		src := "loadmodule \"usrloc.so\"\n" + tc.param + "\nrequest_route {\n\tdrop;\n}\n"
		cfg, diags, _ := check.AnalyzeSource("u.cfg", []byte(src), preproc.Options{}, module.Catalog())
		if diags.HasErrors() {
			t.Fatalf("check: %v", diags.Error())
		}
		_, ld := server.Load(cfg, server.Options{})
		if !ld.HasErrors() || !strings.Contains(ld.Error(), tc.want) {
			t.Errorf("%s: load errors %q, want %q", tc.param, ld.Error(), tc.want)
		}
	}
	src := "loadmodule \"usrloc.so\"\nmodparam(\"usrloc\", \"db_mode\", 0)\nmodparam(\"usrloc\", \"preload\", \"location\")\nrequest_route {\n\tdrop;\n}\n"
	cfg, _, _ := check.AnalyzeSource("u.cfg", []byte(src), preproc.Options{}, module.Catalog())
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("db_mode 0: %v", ld.Error())
	}
	m, _ := srv.Module("usrloc")
	if _, ok := m.(*usrloc.Module).Domain("location"); !ok {
		t.Error("the preloaded table is not registered")
	}
}
