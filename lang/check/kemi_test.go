package check

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
)

// kemiDiags checks src and returns what kemiCallbacks reports, as
// "LINE severity message".
func kemiDiags(t *testing.T, src string) []string {
	t.Helper()
	_, diags, _ := AnalyzeSource("kemi.cfg", []byte(src), preproc.Options{}, nil)
	var out []string
	for _, d := range diags {
		if d.Code == CodeKEMICallback {
			out = append(out, strconv.Itoa(d.Subject.Start.Line)+" "+d.Severity.String()+" "+d.Summary)
		}
	}
	return out
}

func TestKEMICallbacks(t *testing.T) {
	const evapi = "loadmodule \"evapi.so\"\nmodparam(\"evapi\", \"event_callback\", \"ksr_evapi_event\")\n"
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"native", evapi, []string{`2 warning evapi's event_callback "ksr_evapi_event" is never called: the config's routes are native (no cfgengine)`}},
		{"cfgengine native", evapi + "cfgengine \"native\"\n", []string{`2 warning evapi's event_callback "ksr_evapi_event" is never called: the config's routes are native (no cfgengine)`}},
		{"lua", "loadmodule \"app_lua.so\"\n" + evapi + "modparam(\"app_lua\", \"load\", \"/x.lua\")\ncfgengine \"lua\"\n", nil},
		{"lua then native", "loadmodule \"app_lua.so\"\n" + evapi + "cfgengine \"lua\"\ncfgengine \"native\"\n", nil},
		{"empty", "loadmodule \"evapi.so\"\nmodparam(\"evapi\", \"event_callback\", \"\")\n", nil},
		{"sl", "loadmodule \"sl.so\"\nmodparam(\"sl\", \"event_callback_lres_sent\", \"ksr_sl_sent\")\n",
			[]string{`2 warning sl's event_callback_lres_sent "ksr_sl_sent" is never called: the config's routes are native (no cfgengine)`}},
		{"integer mode", "loadmodule \"htable.so\"\nmodparam(\"htable\", \"event_callback_mode\", 1)\n", nil},
		{"pattern", "loadmodule \"evapi.so\"\nloadmodule \"htable.so\"\nmodparam(\"evapi|htable\", \"event_callback\", \"cb\")\n", []string{
			`3 warning evapi's event_callback "cb" is never called: the config's routes are native (no cfgengine)`,
			`3 warning htable's event_callback "cb" is never called: the config's routes are native (no cfgengine)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := kemiDiags(t, tc.src); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestKEMICallbackRefused: xhttp, xmlrpc and kazoo do not start with a
// callback and no engine (Kamailio 5.6.3: "mod_init(): failed to find kemi
// engine"), an error.
func TestKEMICallbackRefused(t *testing.T) {
	src := "loadmodule \"sl.so\"\nloadmodule \"xhttp.so\"\nmodparam(\"xhttp\", \"event_callback\", \"ksr_xhttp_event\")\n"
	got := kemiDiags(t, src)
	want := `3 error xhttp's event_callback "ksr_xhttp_event" needs a KEMI engine: Kamailio does not start without one`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q", got)
	}
}

// TestKEMICallbackExample: the code's example gets it and its fix gets
// no diagnostic, as cmd/kamgo's TestCodeExamples will check once the code
// is no longer reserved.
func TestKEMICallbackExample(t *testing.T) {
	code, ok := diag.Lookup(CodeKEMICallback)
	if !ok {
		t.Fatal("not registered")
	}
	if got := kemiDiags(t, code.Example); len(got) != 1 {
		t.Errorf("example: %q", got)
	}
	_, diags, _ := AnalyzeSource("fix.cfg", []byte(code.Fix), preproc.Options{}, nil)
	if got := kemiDiags(t, code.Fix); len(diags) > 0 || len(got) > 0 {
		t.Errorf("fix: %v %q", diags, got)
	}
}
