package registrar

import cnt "github.com/kamgo/kamgo/runtime/counters"

// RegisterCounters implements cnt.Registrant: registrar's statistics,
// as Kamailio's registrar registers them. accepted_regs and rejected_regs
// count save()'s outcomes from load on (and can be reset); max_expires
// and default_expire follow the registrar group's variables,
// default_expires_range and expires_range are 0 until cfg.set changes
// them and max_contacts keeps the parameter's value, as in Kamailio (none
// can be reset).
func (m *Module) RegisterCounters(r *cnt.Registry) error {
	const doc = "registrar statistic"
	maxContacts := m.ints["max_contacts"] // no callback updates it in Kamailio
	param := func(name string) func() int64 {
		return func() int64 { return m.live(name) }
	}
	_, err := r.RegisterAll("registrar", []cnt.Def{
		{Name: "max_expires", Doc: doc, Func: param("max_expires")},
		{Name: "max_contacts", Doc: doc, Func: func() int64 { return maxContacts }},
		{Name: "default_expire", Doc: doc, Func: param("default_expires")},
		{Name: "default_expires_range", Doc: doc, Func: m.ranges.defaultRange.Load},
		{Name: "expires_range", Doc: doc, Func: m.ranges.rng.Load},
		{Name: "accepted_regs", Doc: doc, Func: func() int64 { return int64(m.stats.accepted.Load()) }, Offset: true},
		{Name: "rejected_regs", Doc: doc, Func: func() int64 { return int64(m.stats.rejected.Load()) }, Offset: true},
	})
	return err
}

var _ cnt.Registrant = (*Module)(nil)
