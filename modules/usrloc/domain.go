package usrloc

import (
	"sync"

	"github.com/kamgo/kamgo/runtime/corehash"
)

// Domain is one location table ("location"): records by address of
// record, in slots chosen by the record's hash (Kamailio's core hash of the
// AOR), each slot with its own lock so that workers saving different
// users do not wait for each other.
type Domain struct {
	m     *Module
	name  string
	slots []slot
}

type slot struct {
	mu   sync.Mutex
	recs map[string]*Record
}

func newDomain(m *Module, name string) *Domain {
	d := &Domain{m: m, name: name, slots: make([]slot, m.size)}
	for i := range d.slots {
		d.slots[i].recs = map[string]*Record{}
	}
	return d
}

// Name is the table's name.
func (d *Domain) Name() string { return d.name }

// AORHash is the hash of an address of record (Kamailio's ul_get_aorhash):
// the slot it lives in and part of a temporary GRUU.
func AORHash(aor string) uint32 { return corehash.Sum(aor, "", 0) }

func (d *Domain) slotOf(hash uint32) *slot { return &d.slots[hash&uint32(len(d.slots)-1)] }

// With runs fn with the record of aor locked; exists says whether it had
// contacts before. A record left without contacts is removed, as
// Kamailio's release_urecord removes it.
func (d *Domain) With(aor string, fn func(r *Record, exists bool)) {
	h := AORHash(aor)
	s := d.slotOf(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recs[aor]
	if !ok {
		r = &Record{AOR: aor, Domain: d, Hash: h}
	}
	fn(r, ok)
	switch {
	case len(r.Contacts) == 0:
		delete(s.recs, aor)
	case !ok:
		s.recs[aor] = r
	}
}

// ByRuid runs fn with the record and contact whose id is ruid, searched in
// the slot of hash (Kamailio's get_urecord_by_ruid); false when there is
// none.
func (d *Domain) ByRuid(hash uint32, ruid string, fn func(r *Record, c *Contact)) bool {
	s := d.slotOf(hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	for aor, r := range s.recs {
		if r.Hash != hash {
			continue
		}
		for _, c := range r.Contacts {
			if c.Ruid == ruid {
				fn(r, c)
				if len(r.Contacts) == 0 {
					delete(s.recs, aor)
				}
				return true
			}
		}
	}
	return false
}

// expire removes the contacts that expired by now from every record and
// returns copies of them; with ka_mode the records left collect their
// keepalives into kas.
func (d *Domain) expire(now int64, kas *[]keepalive) []*Contact {
	var out []*Contact
	ka := kas != nil && d.m.ints["ka_mode"] != 0
	for i := range d.slots {
		s := &d.slots[i]
		s.mu.Lock()
		for aor, r := range s.recs {
			kept := r.Contacts[:0]
			for _, c := range r.Contacts {
				if c.Valid(now) {
					kept = append(kept, c)
					continue
				}
				out = append(out, c.Clone())
			}
			clear(r.Contacts[len(kept):])
			r.Contacts = kept
			if len(kept) == 0 {
				delete(s.recs, aor)
			} else if ka {
				*kas = d.m.kaRecord(r, now, *kas)
			}
		}
		s.mu.Unlock()
	}
	return out
}

// Count is the number of records (registered users) in the table.
func (d *Domain) Count() int {
	n, _ := d.counts()
	return n
}

// Expire runs the expiry timer's work once: it removes the expired
// contacts of every table, then calls the OnExpired functions with each.
func (m *Module) Expire() {
	now := m.Now()
	m.mu.Lock()
	ds := make([]*Domain, 0, len(m.domains))
	for _, d := range m.domains {
		ds = append(ds, d)
	}
	cbs := append([]func(*Contact){}, m.expired...)
	m.mu.Unlock()
	var kas []keepalive
	for _, d := range ds {
		for _, c := range d.expire(now, &kas) {
			for _, f := range cbs {
				f(c)
			}
		}
	}
	m.sendKeepalives(kas)
}
