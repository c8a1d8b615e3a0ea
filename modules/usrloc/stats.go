package usrloc

import (
	"fmt"
	"io"
	"sort"
)

// WriteMetrics implements module.MetricsWriter: per table, the registered
// users (Kamailio's usrloc:registered_users statistic) and contacts.
func (m *Module) WriteMetrics(w io.Writer) error {
	m.mu.Lock()
	names := make([]string, 0, len(m.domains))
	for n := range m.domains {
		names = append(names, n)
	}
	m.mu.Unlock()
	sort.Strings(names)
	if _, err := fmt.Fprint(w, "# HELP kamgo_usrloc_registered_users Addresses of record with at least one contact, by table.\n# TYPE kamgo_usrloc_registered_users gauge\n"); err != nil {
		return err
	}
	counts := make([][2]int, len(names))
	for i, n := range names {
		d, _ := m.Domain(n)
		counts[i][0], counts[i][1] = d.counts()
		if _, err := fmt.Fprintf(w, "kamgo_usrloc_registered_users{table=%q} %d\n", n, counts[i][0]); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprint(w, "# HELP kamgo_usrloc_contacts Contacts, by table.\n# TYPE kamgo_usrloc_contacts gauge\n"); err != nil {
		return err
	}
	for i, n := range names {
		if _, err := fmt.Fprintf(w, "kamgo_usrloc_contacts{table=%q} %d\n", n, counts[i][1]); err != nil {
			return err
		}
	}
	return nil
}

// counts is the number of records and of contacts in the table.
func (d *Domain) counts() (records, contacts int) {
	for i := range d.slots {
		s := &d.slots[i]
		s.mu.Lock()
		records += len(s.recs)
		for _, r := range s.recs {
			contacts += len(r.Contacts)
		}
		s.mu.Unlock()
	}
	return records, contacts
}
