package usrloc

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The management commands (ul.*), with Kamailio 5.6.3's names, parameters,
// reply shapes and fault codes. A binding a command adds or removes is
// marked as Kamailio marks it: Call-ID rpcCallID, Path rpcPath (for
// matching_mode 2) and CSeq 1, so that ul.rm_contact finds what ul.add
// made.
const (
	rpcCallID    = "dfjrewr12386fd6-343@kamailio.rpc"
	rpcPath      = "dummypath"
	rpcUserAgent = "kamailio SIP Router - RPC Server"
	rpcCSeq      = 1
	// expiredMark is Kamailio's UL_EXPIRED_TIME: an expiry of 10 marks a
	// contact deleted but not yet removed.
	expiredMark = 10
	notSet      = "[not set]"
	// faultTableAOR is Kamailio's fault text, shared by ul.lookup and
	// ul.rm, for a missing table or address of record.
	faultTableAOR = "Not enough parameters (table and AOR to lookup)"
)

// RPC implements rpc.Provider.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "ul.dump", Doc: "Every location table with its records and contacts; \"brief\" lists the addresses of record only.", Handler: m.rpcDump},
		{Name: "ul.lookup", Doc: "The valid contacts of one address of record: table name, AOR.", Handler: m.rpcLookup},
		{Name: "ul.rm", Doc: "Removes an address of record and all its contacts: table name, AOR.", Handler: m.rpcRm},
		{Name: "ul.rm_contact", Doc: "Removes one contact of an address of record: table name, AOR, contact URI.", Handler: m.rpcRmContact},
		{Name: "ul.flush", Doc: "Runs the expiry timer's work on every table now.", Handler: m.rpcFlush},
		{Name: "ul.add", Doc: "Adds or refreshes a contact: table, AOR, contact, expires, q, path, flags, cflags, methods [, received [, socket]].", Handler: m.rpcAdd},
		{Name: "ul.db_users", Doc: "Counts the unexpired addresses of record in a database table (needs a database).", Handler: rpcNoDB},
		{Name: "ul.db_contacts", Doc: "Counts the unexpired contacts in a database table (needs a database).", Handler: rpcNoDB},
		{Name: "ul.db_expired_contacts", Doc: "Counts the expired contacts in a database table (needs a database).", Handler: rpcNoDB},
	}
}

// rpcArgs reads a call's parameters as Kamailio's rpc->scan does with a
// format: it stops at the first one missing or of the wrong type, and
// the handler decides which fault that is.
type rpcArgs struct {
	c *rpc.Call
	i int
}

func (p *rpcArgs) next() *rpc.Value {
	v := p.c.Param(p.i)
	if v != nil {
		p.i++
	}
	return v
}

// str reads a string ('S'); numbers count when the transport converts.
func (p *rpcArgs) str() (string, bool) {
	v := p.c.Param(p.i)
	if v == nil {
		return "", false
	}
	switch {
	case v.Kind == rpc.Str:
	case p.c.Convert && (v.Kind == rpc.Int || v.Kind == rpc.Double):
	default:
		return "", false
	}
	p.next()
	if v.Kind == rpc.Str {
		return v.Str, true
	}
	return v.String(), true
}

// int reads an integer ('d', 'u').
func (p *rpcArgs) int() (int64, bool) {
	v := p.c.Param(p.i)
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case rpc.Int:
		p.next()
		return v.Int, true
	case rpc.Bool:
		p.next()
		if v.Bool {
			return 1, true
		}
		return 0, true
	case rpc.Double:
		if p.c.Convert {
			p.next()
			return int64(v.Double), true
		}
	case rpc.Str:
		if p.c.Convert {
			n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 64)
			if err == nil {
				p.next()
			}
			return n, err == nil
		}
	}
	return 0, false
}

// float reads a double ('f'); an integer is one too.
func (p *rpcArgs) float() (float64, bool) {
	v := p.c.Param(p.i)
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case rpc.Double:
		p.next()
		return v.Double, true
	case rpc.Int:
		p.next()
		return float64(v.Int), true
	case rpc.Str:
		if p.c.Convert {
			f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
			if err == nil {
				p.next()
			}
			return f, err == nil
		}
	}
	return 0, false
}

// rpcNoDB answers the database commands: kamgo's usrloc runs in memory
// only (db_mode 0), where Kamailio refuses them with this fault.
func rpcNoDB(_ context.Context, c *rpc.Call) {
	c.Fault(rpc.CodeInternal, "Command is not supported in db_mode=0")
}

// sortedDomains is the tables by name: kamgo keeps no registration order.
func (m *Module) sortedDomains() []*Domain {
	m.mu.Lock()
	ds := make([]*Domain, 0, len(m.domains))
	for _, d := range m.domains {
		ds = append(ds, d)
	}
	m.mu.Unlock()
	sort.Slice(ds, func(i, j int) bool { return ds[i].name < ds[j].name })
	return ds
}

// findDomain is the table named name, or a fault.
func (m *Module) findDomain(c *rpc.Call, name string) (*Domain, bool) {
	d, ok := m.Domain(name)
	if !ok {
		c.Fault(rpc.CodeInternal, "Domain table not found")
	}
	return d, ok
}

// fixAOR shapes an address of record as save stores it: with use_domain
// it must have a domain, without it loses it; then lower case.
func (m *Module) fixAOR(c *rpc.Call, aor string) (string, bool) {
	at := strings.IndexByte(aor, '@')
	if m.UseDomain() {
		if at < 0 {
			c.Fault(rpc.CodeInternal, "Domain missing in AOR")
			return "", false
		}
	} else if at >= 0 {
		aor = aor[:at]
	}
	return strings.ToLower(aor), true
}

// contactValue is one contact as ul.dump and ul.lookup show it.
func contactValue(ct *Contact, now int64) *rpc.Value {
	v := rpc.NewStruct()
	v.Set("Address", rpc.NewStr(ct.URI))
	switch {
	case ct.Expires == 0:
		v.Set("Expires", rpc.NewStr("permanent"))
	case ct.Expires == expiredMark:
		v.Set("Expires", rpc.NewStr("deleted"))
	case now > ct.Expires:
		v.Set("Expires", rpc.NewStr("expired"))
	default:
		v.Set("Expires", rpc.NewInt(int64(int32(ct.Expires-now))))
	}
	q := -1.0
	if ct.Q != sipmsg.QUnspecified {
		q = float64(ct.Q) / 1000
	}
	sock := notSet
	if ct.Socket != nil {
		sock = ct.Socket.String()
	}
	ka := int64(0)
	if ct.Keepalive {
		ka = 1
	}
	v.Set("Q", rpc.NewDouble(q)).
		Set("Call-ID", rpc.NewStr(ct.CallID)).
		Set("CSeq", rpc.NewInt(int64(ct.CSeq))).
		Set("User-Agent", rpc.NewStr(orNotSet(ct.UserAgent))).
		Set("Received", rpc.NewStr(orNotSet(ct.Received))).
		Set("Path", rpc.NewStr(orNotSet(ct.Path))).
		// In memory a contact never reaches a database: Kamailio keeps
		// it CS_NEW in db_mode 0.
		Set("State", rpc.NewStr("CS_NEW")).
		// Kamailio adds Flags, CFlags, Methods and Reg-Id as C unsigned
		// ints ('u'): all bits set (Methods of a contact with no Allow)
		// is 4294967295 in JSON and -1 in binrpc.
		Set("Flags", rpc.NewUint(ct.Flags)).
		Set("CFlags", rpc.NewUint(ct.CFlags)).
		Set("Socket", rpc.NewStr(sock)).
		Set("Methods", rpc.NewUint(ct.Methods)).
		Set("Ruid", rpc.NewStr(orNotSet(ct.Ruid))).
		Set("Instance", rpc.NewStr(orNotSet(ct.Instance))).
		Set("Reg-Id", rpc.NewUint(ct.RegID)).
		Set("Server-Id", rpc.NewInt(int64(ct.ServerID))).
		Set("Tcpconn-Id", rpc.NewInt(int64(ct.ConnID))).
		Set("Keepalive", rpc.NewInt(ka)).
		Set("Last-Keepalive", rpc.NewInt(int64(int32(ct.LastKeepalive)))).
		// kamgo logs a keepalive's roundtrip but does not keep it.
		Set("KA-Roundtrip", rpc.NewInt(0)).
		Set("Last-Modified", rpc.NewInt(int64(int32(ct.LastModified))))
	return v
}

func orNotSet(s string) string {
	if s == "" {
		return notSet
	}
	return s
}

// rpcDump is ul.dump [brief].
func (m *Module) rpcDump(_ context.Context, c *rpc.Call) {
	p := &rpcArgs{c: c}
	brief, _ := p.str()
	summary := brief == "brief"
	now := m.Now()
	domains := rpc.NewArray()
	c.AddStruct().Set("Domains", domains)
	for _, d := range m.sortedDomains() {
		aors := rpc.NewArray()
		dv := rpc.NewStruct().
			Set("Domain", rpc.NewStr(d.name)).
			Set("Size", rpc.NewUint(uint32(len(d.slots)))).
			Set("AoRs", aors)
		domains.AppendNamed("Domain", dv)
		n, most := 0, 0
		for i := range d.slots {
			s := &d.slots[i]
			s.mu.Lock()
			recs := make([]*Record, 0, len(s.recs))
			for _, r := range s.recs {
				recs = append(recs, r)
			}
			// A slot keeps no insertion order: its records go by AOR.
			sort.Slice(recs, func(i, j int) bool { return recs[i].AOR < recs[j].AOR })
			n += len(recs)
			most = max(most, len(recs))
			for _, r := range recs {
				if summary {
					aors.AppendNamed("AoR", rpc.NewStr(r.AOR))
					continue
				}
				cs := rpc.NewArray()
				for _, ct := range r.Contacts {
					cs.AppendNamed("Contact", contactValue(ct, now))
				}
				aors.AppendNamed("Info", rpc.NewStruct().
					Set("AoR", rpc.NewStr(r.AOR)).
					Set("HashID", rpc.NewInt(int64(r.Hash))).
					Set("Contacts", cs))
			}
			s.mu.Unlock()
		}
		dv.Set("Stats", rpc.NewStruct().
			Set("Records", rpc.NewInt(int64(n))).
			Set("Max-Slots", rpc.NewInt(int64(most))))
	}
}

// tableAOR reads the table and the address of record most commands
// start with; tooFew is the fault when either is missing.
func (m *Module) tableAOR(c *rpc.Call, p *rpcArgs, tooFew string) (*Domain, string, bool) {
	table, ok1 := p.str()
	aor, ok2 := p.str()
	if !ok1 || !ok2 {
		c.Fault(rpc.CodeInternal, "%s", tooFew)
		return nil, "", false
	}
	d, ok := m.findDomain(c, table)
	if !ok {
		return nil, "", false
	}
	aor, ok = m.fixAOR(c, aor)
	return d, aor, ok
}

// rpcLookup is ul.lookup table aor.
func (m *Module) rpcLookup(_ context.Context, c *rpc.Call) {
	p := &rpcArgs{c: c}
	d, aor, ok := m.tableAOR(c, p, faultTableAOR)
	if !ok {
		return
	}
	now := m.Now()
	found := false
	cs := rpc.NewArray()
	d.With(aor, func(r *Record, exists bool) {
		found = exists
		for _, ct := range r.Contacts {
			if ct.Valid(now) {
				cs.AppendNamed("Contact", contactValue(ct, now))
			}
		}
	})
	switch {
	case !found:
		c.Fault(rpc.CodeInternal, "AOR not found in location table")
	case len(cs.Items) == 0:
		c.Fault(rpc.CodeInternal, "AOR has no contacts")
	default:
		c.AddStruct().Set("AoR", rpc.NewStr(aor)).Set("Contacts", cs)
	}
}

// rpcRm is ul.rm table aor: a record that does not exist is no error.
func (m *Module) rpcRm(_ context.Context, c *rpc.Call) {
	p := &rpcArgs{c: c}
	d, aor, ok := m.tableAOR(c, p, faultTableAOR)
	if !ok {
		return
	}
	d.With(aor, func(r *Record, _ bool) { r.Clear() })
}

// rpcInfo is how a command's binding is matched and stored: it looks like
// a refresh from Kamailio's RPC client.
func rpcInfo(uri string, cseq int) *Info {
	return &Info{URI: uri, CallID: rpcCallID, Path: rpcPath, HasPath: true, CSeq: cseq}
}

// rpcRmContact is ul.rm_contact table aor contact.
func (m *Module) rpcRmContact(_ context.Context, c *rpc.Call) {
	p := &rpcArgs{c: c}
	table, ok1 := p.str()
	aor, ok2 := p.str()
	uri, ok3 := p.str()
	if !ok1 || !ok2 || !ok3 {
		c.Fault(rpc.CodeInternal, "Not enough parameters (table, AOR and contact)")
		return
	}
	d, ok := m.findDomain(c, table)
	if !ok {
		return
	}
	if aor, ok = m.fixAOR(c, aor); !ok {
		return
	}
	now := m.Now()
	d.With(aor, func(r *Record, exists bool) {
		if !exists {
			c.Fault(rpc.CodeNotFound, "AOR not found")
			return
		}
		ct, res := r.Find(rpcInfo(uri, rpcCSeq+1), now)
		switch {
		case res < 0:
			c.Fault(rpc.CodeInternal, "Internal error (can't get contact)")
		case res == NotFound:
			c.Fault(rpc.CodeNotFound, "Contact not found")
		default:
			r.Delete(ct)
		}
	})
}

// rpcFlush is ul.flush: in memory (db_mode 0) Kamailio's flush runs the
// timer's work: expired contacts go (their event routes run) and, with
// ka_mode, keepalives leave.
func (m *Module) rpcFlush(_ context.Context, _ *rpc.Call) { m.Expire() }

// isSet reports whether an optional string parameter of ul.add is given:
// "", "." and "0" stand for none.
func isSet(s string) bool { return s != "" && s != "." && s != "0" }

// rpcAdd is ul.add table aor contact expires q path flags cflags methods
// [received [socket]].
func (m *Module) rpcAdd(_ context.Context, c *rpc.Call) {
	p := &rpcArgs{c: c}
	table, ok := p.str()
	aor, ok2 := p.str()
	uri, ok3 := p.str()
	expires, ok4 := p.int()
	q, ok5 := p.float()
	path, ok6 := p.str()
	flags, ok7 := p.int()
	cflags, ok8 := p.int()
	methods, ok9 := p.int()
	if !(ok && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8 && ok9) {
		c.Fault(rpc.CodeInternal, "Not enough parameters or wrong format")
		return
	}
	ci := rpcInfo(uri, rpcCSeq)
	ci.Path, ci.HasPath = "", false
	if isSet(path) {
		ci.Path, ci.HasPath = path, true
	}
	if rcv, ok := p.str(); ok && isSet(rcv) {
		ci.Received = rcv
	}
	if sock, ok := p.str(); ok && isSet(sock) {
		ci.Socket = m.localSocket(sock)
	}
	ci.Flags, ci.CFlags, ci.Methods = uint32(flags), uint32(cflags), uint32(methods)
	// Kamailio's double2q: -1 is "no q", anything else in thousandths.
	ci.Q = sipmsg.QUnspecified
	if q != -1 {
		ci.Q = int(q * 1000)
	}
	d, ok := m.findDomain(c, table)
	if !ok {
		return
	}
	if aor, ok = m.fixAOR(c, aor); !ok {
		return
	}
	ci.Ruid = m.NewRuid()
	ci.ConnID = -1
	ci.UserAgent = rpcUserAgent
	now := m.Now()
	ci.Expires = expires
	if expires != 0 {
		ci.Expires += now
	}
	d.With(aor, func(r *Record, exists bool) {
		if !exists {
			r.Insert(ci)
			return
		}
		found, res := r.Find(rpcInfo(uri, rpcCSeq+1), now)
		switch {
		case res < 0:
			c.Fault(rpc.CodeInternal, "Can't get record")
		case res == NotFound:
			r.Insert(ci)
		default:
			r.Update(found, ci)
		}
	})
}

// localSocket finds the listening socket written as "proto:host:port"
// (Kamailio's lookup_local_socket); nil when there is none, or before
// the transport is known.
func (m *Module) localSocket(s string) *sipmsg.Socket {
	tr := sip.TransportOf(m.host)
	if tr == nil {
		return nil
	}
	for _, so := range tr.Sockets() {
		if strings.EqualFold(so.String(), s) {
			return so
		}
	}
	return nil
}

var _ rpc.Provider = (*Module)(nil)
