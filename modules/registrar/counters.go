package registrar

import cnt "github.com/kamgo/kamgo/runtime/counters"

// RegisterCounters implements cnt.Registrant: registrar's statistics,
// as Kamailio's registrar registers them. accepted_regs and rejected_regs
// count save()'s outcomes from load on (and can be reset); max_expires,
// max_contacts and default_expire hold the parameters' values and
// default_expires_range and expires_range stay 0, as Kamailio sets them
// once at start and never after (none can be reset).
func (m *Module) RegisterCounters(r *cnt.Registry) error {
	const doc = "registrar statistic"
	param := func(name string) func() int64 {
		v := m.ints[name]
		return func() int64 { return v }
	}
	zero := func() int64 { return 0 }
	_, err := r.RegisterAll("registrar", []cnt.Def{
		{Name: "max_expires", Doc: doc, Func: param("max_expires")},
		{Name: "max_contacts", Doc: doc, Func: param("max_contacts")},
		{Name: "default_expire", Doc: doc, Func: param("default_expires")},
		{Name: "default_expires_range", Doc: doc, Func: zero},
		{Name: "expires_range", Doc: doc, Func: zero},
		{Name: "accepted_regs", Doc: doc, Func: func() int64 { return int64(m.stats.accepted.Load()) }, Offset: true},
		{Name: "rejected_regs", Doc: doc, Func: func() int64 { return int64(m.stats.rejected.Load()) }, Offset: true},
	})
	return err
}

var _ cnt.Registrant = (*Module)(nil)
