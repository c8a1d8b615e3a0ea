package textops

import (
	"slices"
	"testing"

	"github.com/kamgo/kamgo/runtime/value"
)

// TestStrIn: str_any_in and str_all_in, with constants and variables;
// an empty text or character list is -1.
func TestStrIn(t *testing.T) {
	for _, tc := range []struct {
		fn, text, chars string
		rc              int
	}{
		{"str_any_in", `"abc"`, `"xyc"`, 1},
		{"str_any_in", `"abc"`, `"xyz"`, -1},
		{"str_any_in", `""`, `"a"`, -1},
		{"str_any_in", `"abc"`, `""`, -1},
		{"str_any_in", `"a;b"`, `";,"`, 1},
		{"str_any_in", "$var(t)", `"é"`, 1}, // bytes: é shares its first byte with è
		{"str_all_in", `"abc"`, `"cba"`, 1},
		{"str_all_in", `"abc"`, `"cbad"`, -1},
		{"str_all_in", `"abc"`, `"aa"`, 1},
		{"str_all_in", `""`, `"a"`, -1},
		{"str_all_in", `"abc"`, `""`, -1},
		{"str_all_in", "$var(t)", "$var(c)", 1},
		{"str_any_in", "$var(t)", "$var(u)", -1},
	} {
		f := newFixture(t, testRequest)
		f.set("t", "xè")
		f.set("c", "x")
		f.set("u", "yz")
		if rc := f.call(tc.fn, tc.text, tc.chars); rc != tc.rc {
			t.Errorf("%s(%s, %s) = %d, want %d", tc.fn, tc.text, tc.chars, rc, tc.rc)
		}
		if lines := f.h.Lines(); len(lines) != 0 {
			t.Errorf("%s(%s, %s) logged %q", tc.fn, tc.text, tc.chars, lines)
		}
	}
}

// TestStrInKEMI: the KEMI forms give the same codes.
func TestStrInKEMI(t *testing.T) {
	f := newFixture(t, testRequest)
	var got []int
	for _, k := range f.m.KEMI() {
		switch k.Name {
		case "str_any_in", "str_all_in":
			for _, a := range [][2]string{{"abc", "cz"}, {"abc", ""}} {
				r := k.Call(f.h, f.c, []value.Value{value.MakeStr(a[0]), value.MakeStr(a[1])})
				got = append(got, int(r.Value.I))
			}
		}
	}
	if want := []int{1, -1, -1, -1}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
