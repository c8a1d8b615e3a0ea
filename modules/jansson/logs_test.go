package jansson

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
// recorded in the corelog sections of spec/conformance/modules/jansson/funcs
// ("ERROR: jansson fn(): text"; the
// pointer-valued positions Kamailio prints in some json_path_set lines
// are left out).
func TestErrorLines(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	for _, tc := range []struct {
		fn   string
		args []string
		want []string
	}{
		{"jansson_get", []string{`"a"`, `"not json"`, `"$var(r)"`}, []string{
			"# ERROR: jansson janssonmod_get_helper(): failed to parse json: not json",
			"# ERROR: jansson janssonmod_get_helper(): json error at line 1, col 3: '[' or '{' expected near 'not'",
		}},
		{"jansson_get", []string{`""`, `"{} x"`, `"$var(r)"`}, []string{
			"# ERROR: jansson janssonmod_get_helper(): failed to parse json: {} x",
			"# ERROR: jansson janssonmod_get_helper(): json error at line 1, col 4: end of file expected near 'x'",
		}},
		{"jansson_array_size", []string{`"z"`, `"{}"`, `"$var(n)"`}, []string{
			"# ERROR: jansson janssonmod_array_size(): failed to find z in json",
		}},
		{"jansson_array_size", []string{`"a"`, `"bad"`, `"$var(n)"`}, []string{
			"# ERROR: jansson janssonmod_array_size(): json error at line 1: '[' or '{' expected near 'bad'",
		}},
		{"jansson_set", []string{`"bogus"`, `"a"`, `"7"`, `"$var(j)"`}, []string{
			"# ERROR: jansson janssonmod_set(): unrecognized input type",
		}},
		{"jansson_set", []string{`"int"`, `"a[5]"`, `"9"`, `"$var(a)"`}, []string{
			"# ERROR: jansson json_path_set(): array index out of bound at pos 4",
		}},
		{"jansson_set", []string{`"int"`, `"z[0]"`, `"9"`, `"$var(j)"`}, []string{
			"# ERROR: jansson json_path_set(): new array is not allowed at pos 2",
		}},
		{"jansson_set", []string{`"int"`, `"n.m.k"`, `"1"`, `"$var(n)"`}, []string{
			"# ERROR: jansson json_path_set(): object expected at pos 4",
		}},
		{"jansson_set", []string{`"int"`, `""`, `"1"`, `"$var(j)"`}, []string{
			"# ERROR: jansson json_path_set(): invalid JSON path at pos 0",
		}},
		{"jansson_set", []string{`"int"`, `"o."`, `"1"`, `"$var(j)"`}, []string{
			"# ERROR: jansson json_path_set(): invalid JSON path at pos 2",
		}},
		{"jansson_set", []string{`"int"`, `"o..x"`, `"1"`, `"$var(j)"`}, []string{
			"# ERROR: jansson json_path_set(): empty token at pos 3",
		}},
		{"jansson_set", []string{`"int"`, `"[0]"`, `"1"`, `"$var(j)"`}, []string{
			"# ERROR: jansson json_path_set(): array expected at pos 3",
		}},
		{"jansson_set", []string{`"int"`, `"a"`, `"1"`, `"x"`}, nil}, // not a pseudo-variable: refused at load
		{"jansson_xdecode", []string{`"5"`, `"x"`}, []string{
			"# ERROR: jansson jansson_xdecode(): failed to parse json: 5",
			"# ERROR: jansson jansson_xdecode(): json error at line 1, col 1: '[' or '{' expected near '5'",
		}},
	} {
		m := &Module{}
		h, err := pvtest.NewHost(pvm.New(), m)
		if err != nil {
			t.Fatal(err)
		}
		call, err := h.Call(m, tc.fn, tc.args...)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s%v compiled", tc.fn, tc.args)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		c := h.Context()
		for name, v := range map[string]string{"$var(j)": `{"o":{"x":1}}`, "$var(a)": `{"a":[1,2]}`, "$var(n)": `{"n":5}`} {
			r, _ := h.Ref(name)
			if err := r.Set(c, value.MakeStr(v)); err != nil {
				t.Fatal(err)
			}
		}
		if rc := call(c); rc != -1 {
			t.Errorf("%s%v: rc %d", tc.fn, tc.args, rc)
		}
		var got []string
		for _, l := range h.Lines() {
			got = append(got, "# "+strings.Replace(l, ": <jansson>: ", ": jansson ", 1))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s%v:\n got  %q\n want %q", tc.fn, tc.args, got, tc.want)
		}
	}
}
