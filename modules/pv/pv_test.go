package pv

import (
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func newHost(t *testing.T) (*pvtest.Host, *Module) {
	t.Helper()
	m := newModule()
	h, err := pvtest.NewHost(m)
	if err != nil {
		t.Fatal(err)
	}
	return h, m
}

// TestTransDeviations covers what kamgo answers where Kamailio 5.6.3's
// output is corrupted by buffer bugs (the spec/conformance cases
// modules/pv/trans/012, 024, 027 and 028, whose log varies from run to
// run).
func TestTransDeviations(t *testing.T) {
	h, _ := newHost(t)
	c := h.Context()
	_ = mustRef(t, h, "$var(u)").Set(c, valueStr("sip:alice:pw@example.com:5070;transport=tcp"))
	_ = mustRef(t, h, "$var(s)").Set(c, valueStr("a=b=c"))
	for in, want := range map[string]string{
		"$(var(u){uri.saor})":                         "sip:alice@example.com",
		"$(var(u){uri.suri})":                         "sip:alice@example.com:5070;transport=tcp",
		"$(var(u){uri.duri})":                         "sip:example.com:5070;transport=tcp",
		"$(var(s){s.before,=})":                       "a",
		"$(var(s){s.after,=})":                        "b=c",
		"$(var(s){s.rbefore,=})":                      "a=b",
		"$(var(s){s.rafter,=})":                       "",
		"$(var(s){s.encode.base58}{s.decode.base58})": "a=b=c",
	} {
		if got := mustRef(t, h, in).Get(c).String(); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	if _, err := h.Ref("$(var(s){s.nope})"); err == nil {
		t.Error("unknown op accepted at load time")
	}
	if _, err := h.Ref("$(var(s){s.substr,1,-1})"); err == nil {
		t.Error("negative substr length accepted at load time")
	}
}

func mustRef(t *testing.T, h *pvtest.Host, s string) *pv.Ref {
	t.Helper()
	r, err := h.Ref(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func valueStr(s string) value.Value { return value.MakeStr(s) }
