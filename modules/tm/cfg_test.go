package tm

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

type cfgHost struct{ s *cfgvars.Store }

func (h cfgHost) Cfg() *cfgvars.Store { return h.s }

// TestCfgGroup: a committed change of the tm group is what the next
// transaction reads; the parameters stay as loaded.
func TestCfgGroup(t *testing.T) {
	m := newModule()
	m.cfg.frTimer = 10000
	m.log = klog.New(nil, klog.Text)
	st := cfgvars.New(nil)
	if err := m.declareCfg(cfgHost{st}); err != nil {
		t.Fatal(err)
	}
	if len(m.tmVars()) != 38 {
		t.Errorf("%d variables, Kamailio 5.6 has 38", len(m.tmVars()))
	}
	if m.conf().frTimer != 10000 {
		t.Fatalf("fr_timer %d before any change", m.conf().frTimer)
	}
	tm := cfgvars.Target{Group: "tm"}
	for _, c := range []struct {
		name string
		v    value.Value
		ok   bool
	}{
		{"fr_timer", value.MakeInt(5000), true},
		{"default_reason", value.MakeStr("Try Later"), true},
		{"retr_timer1", value.MakeInt(70000), false},
		{"retr_timer2", value.MakeInt(65535), true},
		{"local_ack_mode", value.MakeInt(3), false},
	} {
		if err := st.SetNow(tm, c.name, c.v); (err == nil) != c.ok {
			t.Errorf("set %s %v: %v", c.name, c.v, err)
		}
	}
	got := m.conf()
	if got.frTimer != 5000 || got.defaultReason != "Try Later" || got.retrTimer1 != 500 || got.retrTimer2 != 65535 || got.localAckMode != 0 {
		t.Errorf("conf after changes: fr %d reason %q retr1 %d retr2 %d ack %d", got.frTimer, got.defaultReason, got.retrTimer1, got.retrTimer2, got.localAckMode)
	}
	if m.cfg.frTimer != 10000 {
		t.Errorf("the parameter changed too: %d", m.cfg.frTimer)
	}
}
