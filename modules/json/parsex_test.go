package json

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestParsex: {json.parsex,path} (Kamailio 6.1) takes the separator from
// the path's first character. Read from Kamailio 6.1.4's json_trans.c and
// json_funcs.c: no Kamailio 6.1 runs here, so there is no recording.
func TestParsex(t *testing.T) {
	pvm, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(pvm.New(), &Module{})
	if err != nil {
		t.Fatal(err)
	}
	c := h.Context()
	j, _ := h.Ref("$var(j)")
	if err := j.Set(c, value.MakeStr(`{"a.b":{"c":[1,{"d":"x"}]},"k":5,"e":{"f":2}}`)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text, want string
	}{
		{"$(var(j){json.parsex,/a.b/c[1]/d})", "x"},
		{"$(var(j){json.parsex,|k})", "5"},
		{"$(var(j){json.parsex,.e.f})", "2"},
		{"$(var(j){json.parsex,/e%f})", ""}, // % stands for '.' in a key
		{"$(var(j){json.parsex,/zz})", ""},
		{"$(var(j){json.PARSEX,//k//})", "5"},
		{"$(var(j){json.parse,e.f})", "2"},
		{"$(var(j){json.parse,a.b})", ""},
	} {
		r, err := h.Ref(tc.text)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if got := value.ToStr(r.Get(c)); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.text, got, tc.want)
		}
	}
	if _, err := h.Ref("$(var(j){json.parsey,/k})"); err == nil {
		t.Error("{json.parsey} compiled")
	}
}
