package jansson

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestPVGet: jansson_pv_get reads the document from the variable its
// second argument names, as stored (a "$" in the JSON is not expanded),
// and otherwise behaves as jansson_get: the value at the path into dst,
// -1 with dst kept for a bad document or a path that leads nowhere. A
// variable without a string (null) logs Kamailio's line and gives -1.
func TestPVGet(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  value.Value // $avp(doc); null leaves it unset
		path string
		rc   int
		want string // $var(out) afterwards; it starts as "keep"
		log  []string
	}{
		{"string", value.MakeStr(`{"a":{"b":[1,"$ru x"]}}`), "a.b[1]", 1, "$ru x", nil},
		{"integer member", value.MakeStr(`{"n":42}`), "n", 1, "42", nil},
		{"object", value.MakeStr(`{"o":{"k":true}}`), "o", 1, `{"k":true}`, nil},
		{"missing path", value.MakeStr(`{"n":42}`), "m", -1, "keep", nil},
		{"not json", value.MakeStr(`nope`), "n", -1, "keep", []string{
			"ERROR: jansson janssonmod_get_helper(): failed to parse json: nope",
			"ERROR: jansson janssonmod_get_helper(): json error at line 1, col 4: '[' or '{' expected near 'nope'",
		}},
		{"integer variable", value.MakeInt(7), "n", -1, "keep", []string{
			"ERROR: jansson janssonmod_get_helper(): failed to parse json: 7",
			"ERROR: jansson janssonmod_get_helper(): json error at line 1, col 1: '[' or '{' expected near '7'",
		}},
		{"no value", value.NullValue, "n", -1, "keep", []string{
			"ERROR: jansson janssonmod_pv_get(): cannot get json string value",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Module{}
			h := pvtest.NewPVHost(t, m)
			call := h.MustCall(t, m, "jansson_pv_get", `"`+tc.path+`"`, `"$avp(doc)"`, `"$var(out)"`)
			c := h.Context()
			if !tc.src.IsNull() {
				h.MustSet(t, c, "$avp(doc)", tc.src)
			}
			h.MustSet(t, c, "$var(out)", value.MakeStr("keep"))
			if rc := call(c); rc != tc.rc {
				t.Errorf("rc %d, want %d", rc, tc.rc)
			}
			out, _ := h.Ref("$var(out)")
			if got := out.Get(c).String(); got != tc.want {
				t.Errorf("$var(out) = %q, want %q", got, tc.want)
			}
			var lines []string
			for _, l := range h.Lines() {
				lines = append(lines, strings.Replace(l, ": <jansson>: ", ": jansson ", 1))
			}
			if !slices.Equal(lines, tc.log) {
				t.Errorf("log:\n got  %q\n want %q", lines, tc.log)
			}
		})
	}
}

// TestPVGetArguments: the source must name a pseudo-variable and the
// destination a writable one; anything else is refused at load, as
// Kamailio's fixup_pvar_null refuses it.
func TestPVGetArguments(t *testing.T) {
	m := &Module{}
	h := pvtest.NewPVHost(t, m)
	for _, args := range [][]string{
		{`"a"`, `"{}"`, `"$var(out)"`},
		{`"a"`, `"$var(doc)"`, `"$rm"`},
	} {
		if _, err := h.Call(m, "jansson_pv_get", args...); err == nil {
			t.Errorf("jansson_pv_get(%s) compiled", strings.Join(args, ", "))
		}
	}
	if _, err := h.Call(m, "jansson_pv_get", `"a"`, `$var(doc)`, `$var(out)`); err != nil {
		t.Errorf("bare variables: %v", err)
	}
}
