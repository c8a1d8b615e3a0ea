package check

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/preproc"
)

// TestConstArgsFile checks that every line of constargs.txt is read and
// names a function form that the catalog of some release has (a line
// without "since" or "until" holds where the form exists).
func TestConstArgsFile(t *testing.T) {
	n := 0
	for _, line := range strings.Split(constArgsText, "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") {
			n++
		}
	}
	forms := loadConstArgs()
	if len(forms) != n || n < 300 {
		t.Fatalf("read %d forms from %d lines", len(forms), n)
	}
	found := map[constForm]bool{}
	for _, rel := range catalog.Releases() {
		cat, err := catalog.LoadRelease(rel)
		if err != nil {
			t.Fatal(err)
		}
		for form := range forms {
			for _, f := range cat.Func(form.name) {
				if _, ok := f.Accepts(form.args); ok && f.Module == form.module {
					found[form] = true
				}
			}
		}
	}
	for form := range forms {
		if !found[form] {
			t.Errorf("no release has %s.%s with %d arguments", form.module, form.name, form.args)
		}
	}
}

// TestConstArgs checks which arguments are refused for which release:
// Kamailio 6.0 made evapi_relay and sl_send_reply take run-time values.
func TestConstArgs(t *testing.T) {
	const head = "loadmodule \"pv.so\"\nloadmodule \"xlog.so\"\nloadmodule \"evapi.so\"\nloadmodule \"sl.so\"\nloadmodule \"cfgutils.so\"\nloadmodule \"textops.so\"\nrequest_route {\n"
	tests := []struct {
		stmt string
		want map[string]bool // release -> refused
	}{
		{`evapi_relay($var(x));`, map[string]bool{"5.6": true, "5.8": true, "6.0": false, "6.1": false}},
		{`evapi_relay("$var(x)");`, map[string]bool{"5.6": false, "6.1": false}},
		{`evapi_relay("a" + "b");`, map[string]bool{"5.6": false}},
		{`evapi_relay(-(1 + 2));`, map[string]bool{"5.6": false}},
		{`evapi_relay("a" + $var(x));`, map[string]bool{"5.6": true}},
		{`evapi_relay((method == "INVITE"));`, map[string]bool{"5.6": true}},
		{`evapi_relay(@ruri);`, map[string]bool{"5.6": true}},
		{`evapi_relay(selval(1, "a", $var(x)));`, map[string]bool{"5.6": true}},
		{`evapi_multicast("tag", $var(x));`, map[string]bool{"5.6": true, "6.0": false}},
		{`sl_send_reply($var(code), "OK");`, map[string]bool{"5.6": true, "5.8": true, "6.0": false}},
		{`xlog("L_INFO", $var(x));`, map[string]bool{"5.6": true, "6.1": true}},
		{`set_gflag($var(x));`, map[string]bool{"5.6": true, "6.1": true}},
		{`lock($var(x));`, map[string]bool{"5.6": false, "6.1": false}},
		{`search_body($var(re));`, map[string]bool{"5.6": false}},
		{`append_hf($var(h));`, map[string]bool{"5.6": true}},
		{`if (is_method($rm)) exit;`, map[string]bool{"5.6": true}},
	}
	for _, tc := range tests {
		for rel, refused := range tc.want {
			cat, err := catalog.LoadRelease(rel)
			if err != nil {
				t.Fatal(err)
			}
			src := head + "\t" + tc.stmt + "\n}\n"
			_, diags, _ := AnalyzeSource("c.cfg", []byte(src), preproc.Options{}, cat)
			got := false
			for _, d := range diags {
				if d.Code == CodeNotConstant {
					got = true
					if d.Subject.Start.Line != 8 {
						t.Errorf("%s %s: at line %d", rel, tc.stmt, d.Subject.Start.Line)
					}
				} else if d.Code == "KC2023" {
					continue
				} else {
					t.Errorf("%s %s: other finding %s", rel, tc.stmt, d)
				}
			}
			if got != refused {
				t.Errorf("%s %s: refused %v, want %v (%v)", rel, tc.stmt, got, refused, diags)
			}
		}
	}
}
