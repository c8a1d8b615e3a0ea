package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestWriteMetrics checks that the server collects the counters of the
// modules that export them (evapi here).
func TestWriteMetrics(t *testing.T) {
	cfg := `loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:0")
`
	ast, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(cfg), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	srv, ld := server.Load(ast, server.Options{})
	if ld.HasErrors() {
		t.Fatal(ld)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(context.Background())
	var b bytes.Buffer
	if err := srv.WriteMetrics(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# TYPE kamgo_evapi_connections_total counter", "kamgo_evapi_connections_total 0"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}
