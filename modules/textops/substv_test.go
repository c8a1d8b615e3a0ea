package textops

import (
	"slices"
	"testing"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestSubstV: subst_v's code, the variable it sets (left alone when it
// fails) and the lines it logs.
func TestSubstV(t *testing.T) {
	for _, tc := range []struct {
		text, expr string
		rc         int
		out        string
		log        []string
	}{
		{text: `"abcabc"`, expr: `"/b/X/"`, rc: 1, out: "aXcabc"},
		{text: `"abcabc"`, expr: `"/b/X/g"`, rc: 1, out: "aXcaXc"},
		{text: `"ABC"`, expr: `"/b/x/i"`, rc: 1, out: "AxC"},
		{text: "$var(in)", expr: `"/(a)(b)/[\2\1]/"`, rc: 1, out: "x[ba]y"},
		{text: `"a-$var(in)"`, expr: "$var(re)", rc: 1, out: "a-xaYy"},
		{text: `"user"`, expr: `"/user/\u/"`, rc: 1, out: "sip:bob@example.com"},
		{text: `"abc"`, expr: `"/z/X/"`, rc: -1, out: "old"},
		{text: `"abc"`, expr: `"/ab"`, rc: -1, out: "old", log: []string{
			"ERROR: <core>: subst_parser(): no separator found: /ab",
			"ERROR: <textops>: subst_v_helper_f(): bad subst re: /ab"}},
		{text: `"abc"`, expr: `"/a/b/q"`, rc: -1, out: "old", log: []string{
			"ERROR: <core>: subst_parser(): unknown flag q in /a/b/q",
			"ERROR: <textops>: subst_v_helper_f(): bad subst re: /a/b/q"}},
		{text: `"abc"`, expr: `"/a/b"`, rc: -1, out: "old", log: []string{
			"ERROR: <core>: parse_repl(): missing separator: /b",
			"ERROR: <textops>: subst_v_helper_f(): bad subst re: /a/b"}},
		{text: `"abc"`, expr: `"/x*/X/"`, rc: -1, out: "old", log: []string{
			"ERROR: <core>: subst_run(): Matched string is empty, invalid regexp?",
			"ERROR: <textops>: subst_v_helper_f(): substitution failed"}},
	} {
		f := newFixture(t, testRequest)
		f.set("in", "xaby")
		f.set("re", "/b/Y/")
		f.set("out", "old")
		if rc := f.call("subst_v", tc.text, tc.expr, "$var(out)"); rc != tc.rc {
			t.Errorf("subst_v(%s, %s) = %d, want %d", tc.text, tc.expr, rc, tc.rc)
		}
		if got := f.get("out"); got != tc.out {
			t.Errorf("subst_v(%s, %s): $var(out) %q, want %q", tc.text, tc.expr, got, tc.out)
		}
		if lines := f.h.Lines(); !slices.Equal(lines, tc.log) {
			t.Errorf("subst_v(%s, %s): log %q, want %q", tc.text, tc.expr, lines, tc.log)
		}
	}
}

// TestSubstVReadOnly: the fixup refuses a destination that cannot be
// set; KEMI, which names it at the call, fails with Kamailio's line.
func TestSubstVReadOnly(t *testing.T) {
	f := newFixture(t, testRequest)
	if _, err := f.h.Call(f.m, "subst_v", `"a"`, `"/a/b/"`, "$rm"); err == nil {
		t.Error("subst_v into $rm compiled")
	}
	var k module.KEMIFunc
	for _, x := range f.m.KEMI() {
		if x.Name == "subst_v" {
			k = x
		}
	}
	args := func(s ...string) []value.Value {
		var out []value.Value
		for _, x := range s {
			out = append(out, value.MakeStr(x))
		}
		return out
	}
	if r := k.Call(f.h, f.c, args("a", "/a/b/", "$rm")); r.Value.I != -1 {
		t.Errorf("KEMI into $rm: %v", r.Value)
	}
	if r := k.Call(f.h, f.c, args("a", "/a/b/", "$var(k)")); r.Value.I != 1 || f.get("k") != "b" {
		t.Errorf("KEMI: %v, $var(k) %q", r.Value, f.get("k"))
	}
	want := []string{"ERROR: <textops>: subst_v_helper_f(): the variable is read only"}
	if lines := f.h.Lines(); !slices.Equal(lines, want) {
		t.Errorf("log %q, want %q", lines, want)
	}
}
