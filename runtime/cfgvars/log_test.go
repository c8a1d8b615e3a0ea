package cfgvars

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestRefusalLines: each way a change is refused logs Kamailio's reason
// (cfg_ctx.c) from the function that refused it, then the variable; a
// change made logs the value as given, a string between quotes.
// modules/ctl's TestKamcmdCfgLog records the common ones from Kamailio.
func TestRefusalLines(t *testing.T) {
	grp := Target{Group: "grp"}
	inst := func(id uint32) Target { return Target{Group: "grp", ID: id, Inst: true} }
	for _, tc := range []struct {
		name string
		op   func(s *Store) error
		want string
	}{
		{"out of range", func(s *Store) error {
			return s.SetNow(Target{Group: "core"}, "udp_mtu_try_proto", value.MakeInt(9))
		}, "ERROR: <core>: cfg_set_now(): integer value is out of range\n" +
			"ERROR: <core>: cfg_set_now(): failed to set the variable: core.udp_mtu_try_proto"},
		{"read-only", func(s *Store) error {
			return s.SetNow(Target{Group: "fixed"}, "ro", value.MakeInt(1))
		}, "ERROR: <core>: cfg_set_now(): variable is read-only\n" +
			"ERROR: <core>: cfg_set_now(): failed to set the variable: fixed.ro"},
		{"fixup", func(s *Store) error {
			return s.SetNow(Target{Group: "core"}, "log_facility", value.MakeStr("LOG_NONE"))
		}, "ERROR: <core>: cfg_set_now(): fixup failed\n" +
			"ERROR: <core>: cfg_set_now(): failed to set the variable: core.log_facility"},
		{"empty string for an integer", func(s *Store) error {
			return s.NewCtx().SetDelayed(Target{Group: "core"}, "debug", value.MakeStr(""))
		}, "ERROR: <core>: convert_val(): cannot convert NULL str value to integer\n" +
			"ERROR: <core>: cfg_set_delayed(): failed to set the variable: core.debug"},
		{"no such instance", func(s *Store) error {
			return s.SetNow(inst(7), "a", value.MakeInt(1))
		}, "ERROR: <core>: cfg_set_now(): global group instance grp[7] is not found\n" +
			"ERROR: <core>: cfg_set_now(): failed to set the variable: grp.a"},
		{"delete of a group value", func(s *Store) error {
			return s.DelNow(grp, "a")
		}, "ERROR: <core>: cfg_set_now(): Only group instance values can be deleted"},
		{"string set", func(s *Store) error {
			return s.SetNow(inst(3), "b", value.MakeStr(`a "b"`))
		}, "INFO: <core>: cfg_set_now(): grp.b has been changed to \"a \"b\"\"\n" +
			"INFO: <core>: cfg_set_now(): group id = 3"},
		{"instance deleted", func(s *Store) error {
			return s.DelNow(inst(3), "a")
		}, "INFO: <core>: cfg_set_now(): grp.a has been deleted\n" +
			"INFO: <core>: cfg_set_now(): group id = 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			if _, err := s.Declare("fixed", []Def{{Name: "ro", Type: Int, ReadOnly: true}}, []value.Value{value.MakeInt(0)}); err != nil {
				t.Fatal(err)
			}
			lg := &linelog.Log{}
			s.log = klog.New(lg, klog.Text)
			_ = tc.op(s)
			if got := strings.Join(lg.Lines(), "\n"); got != tc.want {
				t.Errorf("log:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
