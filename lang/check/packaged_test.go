package check

import (
	"testing"

	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
)

// TestNotPackaged: a module of Kamailio's sources that Debian 12 does not
// package is a warning when the config is checked for 5.6 (Debian's
// release), and nothing for the other releases.
func TestNotPackaged(t *testing.T) {
	src := []byte(`loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "http_async_client.so"
request_route {
	t_relay();
}
`)
	for _, tt := range []struct {
		release string
		want    int // KC1013 warnings
	}{{"5.6", 1}, {"5.7", 0}, {"6.1", 0}} {
		cat, err := catalog.LoadRelease(tt.release)
		if err != nil {
			t.Fatal(err)
		}
		_, diags, _ := AnalyzeSource("k.cfg", src, preproc.Options{}, cat)
		n := 0
		for _, d := range diags {
			switch {
			case d.Code == CodeNotPackaged && d.Severity == diag.Warning && d.Subject.Start.Line == 3:
				n++
			default:
				t.Errorf("%s: unexpected %v", tt.release, d)
			}
		}
		if n != tt.want {
			t.Errorf("%s: %d KC1013 warnings, want %d: %v", tt.release, n, tt.want, diags)
		}
	}
}
