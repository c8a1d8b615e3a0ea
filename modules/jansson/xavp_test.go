package jansson

import (
	"testing"

	"github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestFieldNode checks how XAVP members become JSON values: a nested list
// prints as "<<xavp>>" and a string that is not UTF-8 has none (jansson
// refuses it, so jansson_xencode fails).
func TestFieldNode(t *testing.T) {
	for _, tc := range []struct {
		f    pv.XavpField
		want string
	}{
		{pv.XavpField{Name: "a", Value: value.MakeInt(-3)}, "-3"},
		{pv.XavpField{Name: "a", Value: value.MakeStr("x\"")}, `"x\""`},
		{pv.XavpField{Name: "a"}, "null"},
		{pv.XavpField{Name: "a", List: true}, `"<<xavp>>"`},
		{pv.XavpField{Name: "a", Value: value.MakeStr("\xff")}, ""},
	} {
		got := ""
		if n := fieldNode(tc.f); n != nil {
			got = n.Jansson(false)
		}
		if got != tc.want {
			t.Errorf("%+v: got %s want %s", tc.f, got, tc.want)
		}
	}
}
