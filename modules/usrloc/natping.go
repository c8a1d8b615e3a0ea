package usrloc

import (
	"sort"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// PingContact is what a NAT pinger needs of a contact (the record
// Kamailio's get_all_ucontacts returns).
type PingContact struct {
	URI, Received, Path, Ruid string
	Socket                    *sipmsg.Socket
	CFlags                    uint32
	AORHash                   uint32
}

// PingContacts returns the contacts of every table whose slot index
// modulo partMax is partIdx and whose branch flags hold all of flags
// (Kamailio's get_all_ucontacts, which nathelper's pinger calls once a
// second for the next share of the slots); with serverID only those of
// this server (server_id 0 in kamgo). With a keepalive timeout, a UDP
// contact that last answered longer ago than that is left out and set to
// expire in 10 seconds. Records are taken in the order of their address
// of record within a slot.
func (m *Module) PingContacts(flags, partIdx, partMax uint32, serverID bool) []PingContact {
	if partMax == 0 {
		return nil
	}
	now := m.Now()
	timeout := m.ints["ka_timeout"]
	m.mu.Lock()
	names := make([]string, 0, len(m.domains))
	for n := range m.domains {
		names = append(names, n)
	}
	sort.Strings(names)
	ds := make([]*Domain, len(names))
	for i, n := range names {
		ds[i] = m.domains[n]
	}
	m.mu.Unlock()
	var out []PingContact
	for _, d := range ds {
		for i := range d.slots {
			if uint32(i)%partMax != partIdx {
				continue
			}
			s := &d.slots[i]
			s.mu.Lock()
			aors := make([]string, 0, len(s.recs))
			for aor := range s.recs {
				aors = append(aors, aor)
			}
			sort.Strings(aors)
			for _, aor := range aors {
				r := s.recs[aor]
				for _, c := range r.Contacts {
					if c.URI == "" || c.CFlags&flags != flags {
						continue
					}
					if serverID && c.ServerID != 0 {
						continue
					}
					if timeout > 0 && c.LastKeepalive > 0 && c.Socket != nil && c.Socket.Proto == sipmsg.ProtoUDP &&
						c.LastKeepalive+timeout < now {
						if c.Expires > now+10 {
							c.Expires = now + 10
						}
						continue
					}
					out = append(out, PingContact{URI: c.URI, Received: c.Received, Path: c.Path, Ruid: c.Ruid,
						Socket: c.Socket, CFlags: c.CFlags, AORHash: r.Hash})
				}
			}
			s.mu.Unlock()
		}
	}
	return out
}

// SetKeepaliveTimeout sets the seconds after which a contact that does
// not answer keepalives expires (ka_timeout; nathelper's
// keepalive_timeout sets it, as Kamailio's set_keepalive_timeout). Call
// it before Start.
func (m *Module) SetKeepaliveTimeout(sec int64) { m.ints["ka_timeout"] = sec }

// RefreshKeepalive notes that the contact with id ruid, in the slot of
// hash, answered a keepalive now (Kamailio's refresh_keepalive); false
// when no table has it.
func (m *Module) RefreshKeepalive(hash uint32, ruid string) bool {
	now := m.Now()
	m.mu.Lock()
	ds := make([]*Domain, 0, len(m.domains))
	for _, d := range m.domains {
		ds = append(ds, d)
	}
	m.mu.Unlock()
	for _, d := range ds {
		if d.ByRuid(hash, ruid, func(_ *Record, c *Contact) { c.LastKeepalive = now }) {
			return true
		}
	}
	return false
}
