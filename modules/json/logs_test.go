package json

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestErrorLines checks kamgo's error lines against Kamailio's, as
// recorded in the corelog sections of spec/conformance/modules/json/funcs
// ("ERROR: json fn(): text").
func TestErrorLines(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	for _, tc := range []struct {
		fn   string
		args []string
		rc   int
		want []string
	}{
		{"json_get_field", []string{`"not json"`, `"a"`, `"$var(r)"`}, -1, []string{
			"# ERROR: json _json_get_field(): empty or invalid JSON",
		}},
		{"json_get_string", []string{`"null"`, `"a"`, `"$var(r)"`}, -1, []string{
			"# ERROR: json _json_get_field(): empty or invalid JSON",
		}},
		{"json_get_field", []string{`"[1,2]"`, `"a"`, `"$var(r)"`}, -1, nil},
		{"json_get_field", []string{`"$(var(bad){json.parse,a})"`, `"a"`, `"$var(r)"`}, -1, []string{
			"# ERROR: json tr_json_get_field_object(): empty or invalid JSON",
			"# ERROR: json _json_get_field(): empty or invalid JSON",
		}},
		{"json_get_field", []string{`"$(var(j){json.parse,$var(e)})"`, `"a"`, `"$var(r)"`}, -1, []string{
			"# ERROR: json json_tr_eval(): value cannot get spec value in json transform",
			"# ERROR: json _json_get_field(): empty or invalid JSON",
		}},
	} {
		m := &Module{}
		h, err := pvtest.NewHost(pvm.New(), m)
		if err != nil {
			t.Fatal(err)
		}
		call, err := h.Call(m, tc.fn, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		c := h.Context()
		for name, v := range map[string]string{"$var(bad)": "not json", "$var(j)": `{"a":1}`, "$var(e)": ""} {
			r, _ := h.Ref(name)
			if err := r.Set(c, value.MakeStr(v)); err != nil {
				t.Fatal(err)
			}
		}
		if rc := call(c); rc != tc.rc {
			t.Errorf("%s%v: rc %d", tc.fn, tc.args, rc)
		}
		var got []string
		for _, l := range h.Lines() {
			got = append(got, "# "+strings.Replace(l, ": <json>: ", ": json ", 1))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s%v:\n got  %q\n want %q", tc.fn, tc.args, got, tc.want)
		}
	}
}
