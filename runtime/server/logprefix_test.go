package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestLogPrefix checks that a log_prefix with pseudo-variables is expanded
// once when an event starts (Kamailio expands it when a message arrives),
// and that a constant one is printed as it is.
func TestLogPrefix(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{`"[$var(n)] "`, "INFO: [0] <script>: n=1\nINFO: [1] <script>: n=2\n"},
		{`"static: "`, "INFO: static: <script>: n=1\nINFO: static: <script>: n=2\n"},
	}
	for _, tc := range cases {
		cfg := "log_prefix=" + tc.prefix + `
loadmodule "pv.so"
loadmodule "xlog.so"
event_route[core:worker-one-init] {
	$var(n) = $var(n) + 1;
	xlog("L_INFO", "n=$var(n)\n");
}
`
		ast, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(cfg), preproc.Options{}, module.Catalog())
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var out bytes.Buffer
		srv, ld := server.Load(ast, server.Options{Log: klog.New(&out, klog.Text)})
		if ld.HasErrors() {
			t.Fatal(ld)
		}
		w := event.NewWorker(1)
		for i := 0; i < 2; i++ {
			if _, ok := srv.Dispatch(event.Event("core:worker-one-init"), w, nil); !ok {
				t.Fatal("event route did not run")
			}
		}
		if got := out.String(); !strings.HasSuffix(got, tc.want) {
			t.Errorf("log_prefix=%s:\n got %q\nwant suffix %q", tc.prefix, got, tc.want)
		}
	}
}
