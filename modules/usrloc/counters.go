package usrloc

import (
	"sort"
	"sync"

	"github.com/kamgo/kamgo/runtime/counters"
)

// RegisterCounters implements counters.Registrant: usrloc's statistics,
// as Kamailio's usrloc registers them. registered_users is the number of
// addresses of record of all tables; each table has <table>_users and
// <table>_contacts (its records and contacts now, which cannot be reset)
// and <table>_expires (the contacts its timer removed, resettable). A
// table made after load (by registrar's fixups) gets its counters at the
// next read of the registry.
func (m *Module) RegisterCounters(r *counters.Registry) error {
	const doc = "usrloc statistic"
	if _, err := r.Register("usrloc", counters.Def{Name: "registered_users", Doc: doc, Func: func() int64 {
		var n int64
		for _, d := range m.tables() {
			recs, _ := d.counts()
			n += int64(recs)
		}
		return n
	}}); err != nil {
		return err
	}
	var mu sync.Mutex
	expires := map[string]*counters.Counter{}
	follow := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range m.tables() {
			if _, done := expires[d.name]; done {
				continue
			}
			d := d
			r.Register("usrloc", counters.Def{Name: d.name + "_users", Doc: doc, NoReset: true,
				Func: func() int64 { recs, _ := d.counts(); return int64(recs) }})
			r.Register("usrloc", counters.Def{Name: d.name + "_contacts", Doc: doc, NoReset: true,
				Func: func() int64 { _, cs := d.counts(); return int64(cs) }})
			c, _ := r.Register("usrloc", counters.Def{Name: d.name + "_expires", Doc: doc})
			expires[d.name] = c
		}
	}
	follow()
	r.OnSync(follow)
	m.OnExpired(func(c *Contact) {
		mu.Lock()
		k := expires[c.Domain]
		mu.Unlock()
		if k == nil {
			follow()
			mu.Lock()
			k = expires[c.Domain]
			mu.Unlock()
		}
		k.Inc()
	})
	return nil
}

// tables returns the tables, sorted by name.
func (m *Module) tables() []*Domain {
	m.mu.Lock()
	ds := make([]*Domain, 0, len(m.domains))
	for _, d := range m.domains {
		ds = append(ds, d)
	}
	m.mu.Unlock()
	sort.Slice(ds, func(i, j int) bool { return ds[i].name < ds[j].name })
	return ds
}

var _ counters.Registrant = (*Module)(nil)
