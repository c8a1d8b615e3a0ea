package pv

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestValNumTransformations: {val.*} (Kamailio 5.7) and {num.*} (6.1),
// which also transform a null value. No Kamailio of those releases runs
// here: the expectations are what pv_trans.c does, except where
// spec/deviations.md says otherwise ({val.jsonqe} of a plain string,
// {num.ldigit} of a negative number).
func TestValNumTransformations(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	// $rp is a string that carries an integer, as Kamailio's port.
	m, err := sipmsg.Parse("OPTIONS sip:bob@b.org:5070 SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID: x\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	sipmsg.Set(c, m)
	for name, v := range map[string]value.Value{
		"$var(s)":    value.MakeStr("abc"),
		"$var(q)":    value.MakeStr("say \"hi\"\\\n\t\x01é"),
		"$var(e)":    value.MakeStr(""),
		"$var(i)":    value.MakeInt(4096),
		"$var(neg)":  value.MakeInt(-9870),
		"$var(zero)": value.MakeInt(0),
		"$var(d)":    value.MakeStr("123"),
		"$var(min)":  value.MakeInt(-9223372036854775808),
	} {
		h.MustSet(t, c, name, v)
	}
	for _, tc := range []struct {
		in   string
		want value.Value
	}{
		{"$(vn(none){val.n0})", value.MakeInt(0)},
		{"$(vn(none){val.N0})", value.MakeInt(0)},
		{"$(var(s){val.n0})", value.MakeStr("abc")},
		{"$(var(i){val.n0})", value.MakeInt(4096)},
		{"$(vn(none){val.ne})", value.MakeStr("")},
		{"$(var(s){val.ne})", value.MakeStr("abc")},
		{"$(var(i){val.ne})", value.MakeInt(4096)},
		{"$(vn(none){val.json})", value.MakeStr("")},
		{"$(var(s){val.json})", value.MakeStr("abc")},
		{"$(var(q){val.json})", value.MakeStr(`say \"hi\"\\\n\t\u0001é`)},
		{"$(var(i){val.json})", value.MakeInt(4096)},
		{"$(vn(none){val.jsonqe})", value.MakeStr(`""`)},
		{"$(var(e){val.jsonqe})", value.MakeStr(`""`)},
		{"$(var(s){val.jsonqe})", value.MakeStr(`"abc"`)},
		{"$(var(q){val.jsonqe})", value.MakeStr(`"say \"hi\"\\\n\t\u0001é"`)},
		{"$(var(i){val.jsonqe})", value.MakeInt(4096)},
		{"$(rp{val.jsonqe})", value.MakeStr(`"5070"`)},
		{"$(vn(none){val.ne}{s.len})", value.MakeInt(0)},

		{"$(var(i){num.fdigit})", value.MakeInt(4)},
		{"$(var(i){num.ldigit})", value.MakeInt(6)},
		{"$(var(neg){num.fdigit})", value.MakeInt(9)},
		{"$(var(neg){num.ldigit})", value.MakeInt(0)},
		{"$(var(zero){num.fdigit})", value.MakeInt(0)},
		{"$(rp{num.fdigit})", value.MakeInt(5)},
		{"$(rp{num.LDIGIT})", value.MakeInt(0)},
		{"$(var(min){num.fdigit})", value.MakeInt(9)},
		{"$(var(min){num.ldigit})", value.MakeInt(8)},
		{"$(var(d){num.fdigit})", value.MakeInt(0)}, // a string without the int flag
		{"$(var(s){num.ldigit})", value.MakeInt(0)},
		{"$(vn(none){num.fdigit})", value.MakeInt(0)},
		{"$(var(d){s.int}{num.fdigit})", value.MakeInt(1)},
	} {
		if got := mustRef(t, h, tc.in).Get(c); got != tc.want {
			t.Errorf("%s = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if got := mustRef(t, h, "$(var(neg){num.ldigit})").Get(c); got.String() != "0" {
		t.Errorf("$(var(neg){num.ldigit}) prints %q", got.String())
	}
	h.MustSet(t, c, "$var(neg)", value.MakeInt(-123))
	if got := mustRef(t, h, "$(var(neg){num.ldigit})").Get(c); got != value.MakeInt(3) {
		t.Errorf("ldigit of -123 = %+v, want 3", got)
	}
	if got := expand(t, h, c, "[$(vn(none){val.ne})][$(vn(none){val.n0})]"); got != "[][0]" {
		t.Errorf("format = %q", got)
	}
	for _, bad := range []string{"$(var(s){val.nope})", "$(var(s){val.n0,1})", "$(var(s){num.digit})"} {
		if _, err := h.Ref(bad); err == nil {
			t.Errorf("%s accepted at load time", bad)
		}
	}
}
