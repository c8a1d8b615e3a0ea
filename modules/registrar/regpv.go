package registrar

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// profile is a named copy of an address of record's contacts, made by
// reg_fetch_contacts (or, named "exp", for the contact that expired) and
// read with $ulc(name=>attr)[index].
type profile struct {
	set      bool
	aor      string
	domain   string
	aorhash  uint32
	contacts []*usrloc.Contact
}

// ulcAttrs are the attributes $ulc reads.
var ulcAttrs = map[string]bool{
	"aor": true, "domain": true, "aorhash": true, "addr": true, "path": true, "received": true,
	"expires": true, "callid": true, "q": true, "cseq": true, "flags": true, "cflags": true,
	"user_agent": true, "socket": true, "modified": true, "methods": true, "count": true,
	"ruid": true, "regid": true, "instance": true, "conid": true, "server_id": true,
}

// ulcClass is $ulc(profile=>attr), with an optional contact index.
func (m *Module) ulcClass() *pv.Class {
	return &pv.Class{Name: "ulc", Module: Name, Compile: func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name == nil {
			return nil, fmt.Errorf("invalid contact pv name")
		}
		in := p.Name.Text
		eq := strings.Index(in, "=")
		if eq < 0 || eq >= len(in)-2 || in[eq+1] != '>' {
			return nil, fmt.Errorf("invalid contact pv name %s", in)
		}
		name, attr := in[:eq], in[eq+2:]
		if !ulcAttrs[attr] {
			return nil, fmt.Errorf("unknown contact attr name in %s", in)
		}
		var idx func(c *event.Context) int
		if ix := p.Index; ix != nil && !ix.All {
			if ix.PV != nil {
				r, err := t.Compile(ix.PV)
				if err != nil {
					return nil, err
				}
				idx = func(c *event.Context) int { return int(r.Get(c).I) }
			} else {
				n := ix.N
				idx = func(*event.Context) int { return n }
			}
		}
		return ulcSpec{m: m, name: name, attr: attr, idx: idx}, nil
	}}
}

type ulcSpec struct {
	m          *Module
	name, attr string
	idx        func(c *event.Context) int
}

// Set implements pv.Setter: $ulc takes assignments and ignores them, as
// Kamailio's does.
func (ulcSpec) Set(*event.Context, value.Value) error { return nil }

// Get implements pv.Getter.
func (s ulcSpec) Get(c *event.Context) value.Value {
	p := s.m.st(c).profiles[s.name]
	if p == nil || !p.set || len(p.contacts) == 0 {
		return value.NullValue
	}
	i := 0
	if s.idx != nil {
		i = max(s.idx(c), 0)
	}
	if i >= len(p.contacts) {
		return value.NullValue
	}
	ct := p.contacts[i]
	str, u, n := value.MakeStr, func(x uint32) value.Value { return value.MakeInt(int64(x)) }, func(x int) value.Value { return value.MakeInt(int64(x)) }
	switch s.attr {
	case "aor":
		return str(p.aor)
	case "domain":
		return str(p.domain)
	case "aorhash":
		return u(p.aorhash)
	case "addr":
		return str(ct.URI)
	case "path":
		return str(ct.Path)
	case "received":
		return str(ct.Received)
	case "expires":
		return u(uint32(ct.Expires))
	case "callid":
		return str(ct.CallID)
	case "q":
		return n(ct.Q)
	case "cseq":
		return n(ct.CSeq)
	case "flags":
		return u(ct.Flags)
	case "cflags":
		return u(ct.CFlags)
	case "user_agent":
		return str(ct.UserAgent)
	case "socket":
		if ct.Socket == nil {
			return value.NullValue
		}
		return str(ct.Socket.String())
	case "modified":
		return u(uint32(ct.LastModified))
	case "methods":
		return u(ct.Methods)
	case "count":
		return n(len(p.contacts))
	case "ruid":
		return str(ct.Ruid)
	case "regid":
		return u(ct.RegID)
	case "instance":
		if ct.Instance != "" {
			return str(ct.Instance)
		}
	case "conid":
		if ct.Socket != nil && ct.Socket.Proto != sipmsg.ProtoUDP && ct.Socket.Proto != sipmsg.ProtoSCTP {
			return n(ct.ConnID)
		}
	case "server_id":
		return u(uint32(ct.ServerID))
	}
	return value.NullValue
}

// fetchContacts is reg_fetch_contacts(table, uri, profile): a copy of
// the contacts of uri's address of record into the profile, 1 when it has
// some, -1 otherwise (the profile then names the AOR with no contacts).
func (m *Module) fetchContacts(c *event.Context, d *usrloc.Domain, uri, name string) int {
	st := m.st(c)
	p := &profile{}
	st.profiles[name] = p
	aor, _, ok := m.extractAOR(st, uri)
	if !ok {
		m.log.Log(errLevel, Name, "pv_fetch_contacts_helper(): failed to extract Address Of Record")
		return -1
	}
	p.aor, p.domain, p.set = aor, d.Name(), true
	found := false
	d.With(aor, func(r *usrloc.Record, exists bool) {
		if !exists {
			return
		}
		// Kamailio never fills a fetched profile's aorhash: it reads 0.
		found = true
		for _, ct := range r.Contacts {
			p.contacts = append(p.contacts, ct.Clone())
		}
	})
	if !found {
		return -1
	}
	return 1
}

// freeContacts is reg_free_contacts(profile).
func (m *Module) freeContacts(c *event.Context, name string) int {
	delete(m.st(c).profiles, name)
	return 1
}

// expired runs event_route[usrloc:contact-expired] (or the KEMI
// event_callback) for a contact usrloc's timer removed, with the contact
// in the profile "exp" and a faked request as the message.
func (m *Module) expired(ct *usrloc.Contact) {
	pool := m.host.Workers()
	w := pool.Get()
	defer pool.Release(w)
	c := &event.Context{}
	c.Reset()
	c.Worker, c.Log = w, m.log
	sipmsg.Set(c, sipmsg.Faked())
	m.st(c).profiles["exp"] = &profile{set: true, aor: ct.AOR, domain: ct.Domain, contacts: []*usrloc.Contact{ct}}
	module.RunEvent(m.host, c, EventExpired, m.strs["event_callback"])
}
