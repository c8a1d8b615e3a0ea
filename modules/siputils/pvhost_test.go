package siputils

import (
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Helpers of the tests of what Kamailio 5.7 to 6.1 added.

// newPVHost returns a host with pv loaded (for $var) and m.
func newPVHost(t *testing.T, m *Module) *pvtest.Host {
	t.Helper()
	return pvtest.NewPVHost(t, m)
}

func setVar(t *testing.T, h *pvtest.Host, c *event.Context, name string, v value.Value) {
	t.Helper()
	h.MustSet(t, c, name, v)
}

func getVar(t *testing.T, h *pvtest.Host, c *event.Context, name string) value.Value {
	t.Helper()
	r, err := h.Ref(name)
	if err != nil {
		t.Fatal(err)
	}
	return r.Get(c)
}

func mustCall(t *testing.T, h *pvtest.Host, m *Module, name string, args ...string) module.Call {
	t.Helper()
	return h.MustCall(t, m, name, args...)
}

// TestKEMILater checks that the KEMI functions later releases added are
// exported with their release and run.
func TestKEMILater(t *testing.T) {
	m := newModule()
	h := newPVHost(t, m)
	want := map[string]string{
		"contact_param_check":        extKamailio58,
		"is_sip":                     extKamailio60,
		"is_http":                    extKamailio60,
		"sip_parse_headers":          extKamailio60,
		"contact_param_encode_alias": extKamailio61,
	}
	c := h.Context()
	sipmsg.Set(c, parse(t, "OPTIONS sip:b@e.com SIP/2.0\r\n", ""))
	for _, f := range m.KEMI() {
		ext, ok := want[f.Name]
		if !ok {
			if f.Ext != "" {
				t.Errorf("%s: Ext %q", f.Name, f.Ext)
			}
			continue
		}
		delete(want, f.Name)
		if f.Ext != ext {
			t.Errorf("%s: Ext %q, want %q", f.Name, f.Ext, ext)
		}
		if f.Name == "is_sip" || f.Name == "sip_parse_headers" {
			if rc := f.Call(h, c, nil); rc.I != 1 {
				t.Errorf("KSR.siputils.%s() = %v, want 1", f.Name, rc)
			}
		}
		if f.Name == "is_http" {
			if rc := f.Call(h, c, nil); rc.I != -1 {
				t.Errorf("KSR.siputils.is_http() = %v, want -1", rc)
			}
		}
	}
	for name := range want {
		t.Errorf("KSR.siputils.%s missing", name)
	}
	names := []string{}
	for _, f := range m.Exports().Funcs {
		if f.Ext != "" {
			names = append(names, f.Name+" "+f.Ext)
		}
	}
	slices.Sort(names)
	if got := strings.Join(names, ", "); got != "contact_param_check Kamailio 5.8, contact_param_encode_alias Kamailio 6.1, "+
		"is_http Kamailio 6.0, is_sip Kamailio 6.0, sip_parse_headers Kamailio 6.0, tel2sip2 Kamailio 5.8" {
		t.Errorf("functions with Ext: %s", got)
	}
}

// TestPCVStatus: $pcv(status) (Kamailio 6.0) is 0 without a charging
// vector, 1 for one read from the message and 3 for one
// sip_p_charging_vector("g") generated, as Kamailio numbers them.
func TestPCVStatus(t *testing.T) {
	m := newModule()
	h := newPVHost(t, m)
	status, err := h.Ref("$pcv(status)")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header, flags string
		want          int64
	}{
		{"", "", 0},
		{"P-Charging-Vector: icid-value=abc;icid-generated-at=1.2.3.4\r\n", "", 1},
		{"", "g", 3},
	} {
		msg := parse(t, "OPTIONS sip:b@e.com SIP/2.0\r\n", tc.header)
		msg.Rcv = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 5060}
		c := h.Context()
		sipmsg.Set(c, msg)
		if tc.flags != "" {
			if rc := m.chargingVector(c, msg, []string{tc.flags}); rc != 1 {
				t.Fatalf("%q: sip_p_charging_vector %d", tc.flags, rc)
			}
		}
		if v := status.Get(c); v.K != value.Int || v.I != tc.want {
			t.Errorf("header %q, flags %q: $pcv(status) %v, want %d", tc.header, tc.flags, v, tc.want)
		}
	}
}
