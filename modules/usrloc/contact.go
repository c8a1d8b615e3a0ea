package usrloc

import (
	modpv "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Contact is one binding of an address of record (Kamailio's ucontact).
// Expires and LastModified are Unix seconds; Expires 0 never expires.
type Contact struct {
	Domain, AOR  string
	URI          string // the contact address
	Received     string
	Path         string
	CallID       string
	CSeq         int
	UserAgent    string
	Ruid         string
	Instance     string
	RegID        uint32
	Expires      int64
	Q            int // thousandths, sipmsg.QUnspecified when none
	Flags        uint32
	CFlags       uint32 // branch flags saved with the contact
	Methods      uint32
	Socket       *sipmsg.Socket
	LastModified int64
	ConnID       int // TCP connection id, -1 for none
	ServerID     int
	Keepalive    bool
	// LastKeepalive is when the contact last answered a keepalive (or
	// was saved), Unix seconds.
	LastKeepalive int64
	Xavp          []modpv.XavpField // fields of the xavp_contact XAVP
}

// Valid reports whether c has not expired at now (Kamailio's
// VALID_CONTACT).
func (c *Contact) Valid(now int64) bool { return c.Expires > now || c.Expires == 0 }

// Clone returns a copy of c that shares nothing that changes.
func (c *Contact) Clone() *Contact {
	n := *c
	n.Xavp = append([]modpv.XavpField(nil), c.Xavp...)
	return &n
}

// Info is what a REGISTER says about one contact (Kamailio's
// ucontact_info): the fields a new or refreshed binding takes.
type Info struct {
	URI          string
	Received     string
	Path         string // "" when the request had no Path
	HasPath      bool
	CallID       string
	CSeq         int
	UserAgent    string
	Ruid         string
	Instance     string
	RegID        uint32
	Expires      int64
	Q            int
	Flags        uint32
	CFlags       uint32
	Methods      uint32
	Socket       *sipmsg.Socket
	LastModified int64
	ConnID       int
	ServerID     int
	Xavp         []modpv.XavpField
}

// Record is the contacts of one address of record, best first: by q
// descending (a new contact after those of the same q), or newest first
// with desc_time_order. Its methods must run inside Domain.With.
type Record struct {
	AOR      string
	Domain   *Domain
	Hash     uint32
	Contacts []*Contact
}

// Insert adds a new contact built from ci (Kamailio's insert_ucontact).
func (r *Record) Insert(ci *Info) *Contact {
	m := r.Domain.m
	c := &Contact{Domain: r.Domain.name, AOR: r.AOR}
	c.set(ci)
	c.URI, c.RegID = ci.URI, ci.RegID
	c.Keepalive = ci.CFlags&m.natBflag != 0
	c.LastKeepalive = m.Now()
	pos := len(r.Contacts)
	if m.ints["desc_time_order"] == 0 {
		for i, o := range r.Contacts {
			if o.Q < c.Q {
				pos = i
				break
			}
		}
	} else {
		pos = 0
	}
	r.Contacts = append(r.Contacts, nil)
	copy(r.Contacts[pos+1:], r.Contacts[pos:])
	r.Contacts[pos] = c
	return c
}

// set copies what a refresh changes (Kamailio's mem_update_ucontact).
func (c *Contact) set(ci *Info) {
	if ci.Instance != "" && ci.URI != "" {
		c.URI = ci.URI
	}
	if ci.CallID != "" {
		c.CallID = ci.CallID
	}
	c.UserAgent = ci.UserAgent
	c.Received = ci.Received
	c.Path = ci.Path
	c.Ruid = cond(c.Ruid == "", ci.Ruid, c.Ruid)
	c.Instance = cond(c.Instance == "", ci.Instance, c.Instance)
	c.Socket = ci.Socket
	c.Expires = ci.Expires
	c.Q = ci.Q
	c.CSeq = ci.CSeq
	c.Methods = ci.Methods
	c.LastModified = ci.LastModified
	c.Flags = ci.Flags
	c.CFlags = ci.CFlags
	c.ServerID = ci.ServerID
	c.ConnID = ci.ConnID
	c.Xavp = append([]modpv.XavpField(nil), ci.Xavp...)
}

func cond(ok bool, a, b string) string {
	if ok {
		return a
	}
	return b
}

// Update refreshes c with ci and moves it to its place in the order
// (Kamailio's update_ucontact).
func (r *Record) Update(c *Contact, ci *Info) {
	c.set(ci)
	c.LastKeepalive = r.Domain.m.Now()
	i := r.index(c)
	if i < 0 {
		return
	}
	if r.Domain.m.ints["desc_time_order"] != 0 {
		copy(r.Contacts[1:i+1], r.Contacts[:i])
		r.Contacts[0] = c
		return
	}
	// Kamailio leaves a contact in place when its neighbours still bracket
	// its q and otherwise searches for the first contact of lower q from
	// the front, which in a list ordered by q descending puts it first.
	// kamgo keeps the list ordered: the contact goes before the first one
	// of lower q, as a new contact does.
	r.Contacts = append(r.Contacts[:i], r.Contacts[i+1:]...)
	pos := len(r.Contacts)
	for j, o := range r.Contacts {
		if o.Q < c.Q {
			pos = j
			break
		}
	}
	r.Contacts = append(r.Contacts, nil)
	copy(r.Contacts[pos+1:], r.Contacts[pos:])
	r.Contacts[pos] = c
}

// Delete removes c from the record.
func (r *Record) Delete(c *Contact) {
	if i := r.index(c); i >= 0 {
		r.Contacts = append(r.Contacts[:i], r.Contacts[i+1:]...)
	}
}

// Clear removes every contact.
func (r *Record) Clear() { r.Contacts = nil }

func (r *Record) index(c *Contact) int {
	for i, o := range r.Contacts {
		if o == c {
			return i
		}
	}
	return -1
}

// Results of Find, as Kamailio's get_ucontact returns them.
const (
	Found      = 0
	NotFound   = 1
	BadCSeq    = -1 // same Call-ID, CSeq lower (or equal, and not recent)
	Retransmit = -2 // same Call-ID and CSeq within cseq_delay seconds
)

// Find looks for the contact ci refreshes (Kamailio's
// get_ucontact_by_instance): by +sip.instance and reg-id when ci has an
// instance, otherwise by matching_mode, checking the CSeq order for the
// same Call-ID.
func (r *Record) Find(ci *Info, now int64) (*Contact, int) {
	if ci.Instance != "" {
		for _, c := range r.Contacts {
			if c.Instance != "" && c.RegID == ci.RegID && trimAngles(c.Instance) == trimAngles(ci.Instance) {
				return c, Found
			}
		}
		return nil, NotFound
	}
	m := r.Domain.m
	var found *Contact
	noCallID := false
	for _, c := range r.Contacts {
		ok := false
		switch m.ints["matching_mode"] {
		case MatchContactCallID:
			ok, noCallID = c.URI == ci.URI && c.CallID == ci.CallID, true
		case MatchContactPath:
			ok = c.URI == ci.URI && (!ci.HasPath || c.Path == ci.Path)
		case MatchCallID:
			ok = c.CallID == ci.CallID
		case MatchContact:
			ok = c.URI == ci.URI
		default:
			return nil, BadCSeq
		}
		if ok {
			found = c
			break
		}
	}
	if found == nil {
		return nil, NotFound
	}
	if noCallID || found.CallID == ci.CallID {
		if ci.CSeq < found.CSeq {
			return found, BadCSeq
		}
		if ci.CSeq == found.CSeq {
			if found.LastModified+m.ints["cseq_delay"] > now {
				return found, Retransmit
			}
			return found, BadCSeq
		}
	}
	return found, Found
}

// trimAngles drops the angle brackets around a +sip.instance value.
func trimAngles(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return s[1 : len(s)-1]
	}
	return s
}

// SameInstance compares two +sip.instance values without their angle
// brackets (Kamailio's reg_cmp_instances).
func SameInstance(a, b string) bool {
	if len(a) > 2 {
		a = trimAngles(a)
	}
	if len(b) > 2 {
		b = trimAngles(b)
	}
	return a != "" && a == b
}
