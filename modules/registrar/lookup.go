package registrar

import (
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// lookup results.
const (
	lookupFound     = 1
	lookupNone      = -1 // no contact
	lookupNoMethod  = -2 // contacts, none accepting the method
	lookupError     = -3
	lookupFilterBF  = 1 << 0 // lookup_filter_mode: the rlf_bflags field
	lookupFilterTCP = 1 << 1 // lookup_filter_mode: live TCP connections only
)

// lookup is lookup(table[, uri]) (dset false) and lookup_to_dset (dset
// true): the Request-URI's (or uri's) address of record is looked up; the
// best contact that has not expired and accepts the method becomes the
// Request-URI (with its received address or first Path hop as $du, its
// Path, q, branch flags, socket, instance, reg-id, ruid and User-Agent)
// and, with append_branches, each other one a branch. A GRUU finds the
// one contact of its instance or ruid. lookup_to_dset leaves the
// Request-URI alone and adds only the other contacts.
func (m *Module) lookup(c *event.Context, d *usrloc.Domain, uri string, dset bool) int {
	msg := sipmsg.FromContext(c)
	st := m.st(c)
	if uri == "" {
		uri = msg.RequestURI()
	}
	aor, pu, ok := m.extractAOR(st, uri)
	if !ok {
		m.log.Log(errLevel, Name, "lookup_helper(): failed to extract address of record")
		return lookupError
	}
	gr, isGruu := pu.Param("gr")
	inst, tempRuid := "", ""
	var ahash uint32
	if isGruu {
		if gr != "" {
			inst = gr
		} else {
			user := pu.User
			i := len(user) - 1
			for ; i >= 0 && user[i] != '-'; i-- {
				v, ok := hexVal(user[i])
				if !ok {
					m.log.Log(errLevel, Name, "lookup_helper(): failed to extract temp gruu - invalid hash")
					return lookupError
				}
				ahash = ahash<<4 + uint32(v)
			}
			if i < 0 {
				m.log.Log(errLevel, Name, "lookup_helper(): failed to extract temp gruu - invalid format")
				return lookupError
			}
			tempRuid, inst = user[:i], user[:i]
		}
	}
	now := m.ul.Now()
	filter := m.lookupFilter(c)
	useExpired := m.live("use_expired_contacts") != 0
	valid := func(ct *usrloc.Contact) bool { return ct.Valid(now) || useExpired }
	ret := lookupNone
	var picked []*usrloc.Contact // the contact for the Request-URI first, then the branches
	collect := func(r *usrloc.Record, from int, first *usrloc.Contact) {
		picked = append(picked, first.Clone())
		if inst != "" || m.live("append_branches") == 0 {
			return
		}
		for _, ct := range r.Contacts[from:] {
			if valid(ct) && m.allowedMethod(msg, ct) && filter(ct) {
				picked = append(picked, ct.Clone())
			}
		}
	}
	if !isGruu || gr != "" {
		d.With(aor, func(r *usrloc.Record, exists bool) {
			if !exists {
				return
			}
			for i, ct := range r.Contacts {
				if !valid(ct) {
					continue
				}
				if !m.allowedMethod(msg, ct) {
					ret = lookupNoMethod
					continue
				}
				if inst != "" {
					if !usrloc.SameInstance(inst, ct.Instance) {
						continue
					}
				} else if !filter(ct) {
					continue
				}
				collect(r, i+1, ct)
				return
			}
		})
	} else {
		d.ByRuid(ahash, tempRuid, func(r *usrloc.Record, ct *usrloc.Contact) {
			switch {
			case !valid(ct):
			case !m.allowedMethod(msg, ct):
				ret = lookupNoMethod
			default:
				picked = append(picked, ct.Clone())
			}
		})
	}
	if len(picked) == 0 {
		return ret
	}
	first, rest := picked[0], picked[1:]
	if dset {
		// lookup_to_dset leaves the Request-URI alone: every contact,
		// the best one included, becomes a branch (none for a GRUU or
		// without append_branches, as in Kamailio).
		if inst == "" && m.live("append_branches") != 0 {
			if err := m.pushBranches(c, msg, picked); err != nil {
				return lookupError
			}
		}
		return lookupFound
	}
	if rc := m.setRURI(c, msg, first); rc < 0 {
		return rc
	}
	if err := m.pushBranches(c, msg, rest); err != nil {
		return lookupError
	}
	return lookupFound
}

// setRURI makes ct the Request-URI with its attributes.
func (m *Module) setRURI(c *event.Context, msg *sipmsg.Msg, ct *usrloc.Contact) int {
	msg.SetRequestURI(ct.URI)
	msg.DstURI = ""
	if m.strs["xavp_rcd"] != "" {
		m.xavpRcd(c, ct)
	}
	dst, path := "", ""
	if ct.Path != "" {
		var ok bool
		dst, path, ok = m.pathDst(c, ct.Path)
		if !ok {
			m.log.Log(errLevel, Name, "lookup_helper(): failed to get dst_uri for Path")
			return lookupError
		}
	}
	switch {
	case dst != "":
		msg.PathVec = path
		msg.DstURI = dst
	case ct.Received != "":
		msg.DstURI = ct.Received
	}
	if ct.Instance != "" {
		msg.Instance = ct.Instance
	}
	msg.RegID = ct.RegID
	msg.OTcpID = uint32(int32(ct.ConnID))
	if ct.Ruid != "" {
		msg.Ruid = ct.Ruid
	}
	if ct.UserAgent != "" {
		msg.LocationUA = ct.UserAgent
	}
	msg.RuriQ = ct.Q
	msg.RuriFlags |= ct.CFlags
	if ct.Socket != nil {
		msg.ForceSocket = ct.Socket
	}
	m.restoreXavp(c, ct)
	return 0
}

// pushBranches appends a branch per contact (Kamailio's ksr_push_branch):
// the first Path hop or the received address as its destination.
func (m *Module) pushBranches(c *event.Context, msg *sipmsg.Msg, cts []*usrloc.Contact) error {
	for _, ct := range cts {
		dst, path := ct.Received, ""
		if ct.Path != "" {
			pd, rest, ok := m.pathDst(c, ct.Path)
			if !ok {
				m.log.Log(errLevel, Name, "lookup_helper(): failed to get dst_uri for Path")
				continue
			}
			if pd != "" {
				dst, path = pd, rest
			}
		}
		b := sipmsg.Branch{URI: ct.URI, DstURI: dst, Path: path, Q: ct.Q, Flags: ct.CFlags,
			Socket: ct.Socket, Ruid: ct.Ruid, LocationUA: ct.UserAgent, OTcpID: uint32(int32(ct.ConnID))}
		if ct.Instance != "" {
			b.Instance, b.RegID = ct.Instance, ct.RegID
		}
		if err := msg.AppendBranch(b); err != nil {
			m.log.Log(errLevel, Name, "lookup_helper(): failed to append a branch")
			continue
		}
	}
	return nil
}

// allowedMethod reports whether ct accepts the request's method (always
// without method_filtering, and for requests inside a dialog).
func (m *Module) allowedMethod(msg *sipmsg.Msg, ct *usrloc.Contact) bool {
	if m.ints["method_filtering"] == 0 {
		return true
	}
	if msg.IsRequest() && methodBit(msg.Method)&ct.Methods != 0 {
		return true
	}
	if to, ok := msg.Header("to"); ok {
		if na, err := sipmsg.ParseNameAddr(to); err == nil {
			if tag, _ := na.Param("tag"); tag != "" {
				return true
			}
		}
	}
	return false
}

// lookupFilter is the contact filter of lookup_filter_mode for this
// request: by the rlf_bflags field of xavp_cfg (a contact must have one
// of those branch flags) and by live TCP connections.
func (m *Module) lookupFilter(c *event.Context) func(*usrloc.Contact) bool {
	mode := m.ints["lookup_filter_mode"]
	if mode == 0 {
		return func(*usrloc.Contact) bool { return true }
	}
	var bflags uint32
	if mode&lookupFilterBF != 0 {
		if v, ok := m.cfgInt(c, "rlf_bflags"); ok {
			bflags = uint32(v)
		}
	}
	return func(ct *usrloc.Contact) bool {
		if bflags != 0 && bflags&ct.CFlags == 0 {
			return false
		}
		// A TCP connection kamgo cannot see (closed or never known) is
		// not filtered: runtime/sip does not expose its connections.
		return true
	}
}

// lookupBranches is lookup_branches(table): lookup for the Request-URI,
// then for each branch that has only a URI (no destination, Path,
// socket or flags), which takes the contact found.
func (m *Module) lookupBranches(c *event.Context, d *usrloc.Domain) int {
	msg := sipmsg.FromContext(c)
	start := len(msg.Branches)
	ret := m.lookup(c, d, "", false)
	if start == 0 {
		return ret
	}
	found := ret > 0
	type ruriState struct {
		uri, dst, path, inst, ruid, ua string
		q                              int
		sock                           *sipmsg.Socket
		flags, regID                   uint32
	}
	saved := ruriState{msg.NewURI, msg.DstURI, msg.PathVec, msg.Instance, msg.Ruid, msg.LocationUA,
		msg.RuriQ, msg.ForceSocket, msg.RuriFlags, msg.RegID}
	reset := func() {
		msg.DstURI, msg.PathVec, msg.Instance, msg.Ruid, msg.LocationUA = "", "", "", "", ""
		msg.RuriQ, msg.ForceSocket, msg.RuriFlags, msg.RegID = sipmsg.QUnspecified, nil, 0, 0
	}
	reset()
	for i := 0; i < start && i < len(msg.Branches); i++ {
		b := msg.Branches[i]
		if b.URI == "" || b.DstURI != "" || b.Path != "" || b.Socket != nil || b.Flags != 0 {
			continue
		}
		msg.SetRequestURI(b.URI)
		ret = m.lookup(c, d, "", false)
		if ret > 0 {
			found = true
			nb := &msg.Branches[i]
			nb.DstURI, nb.Path, nb.URI = msg.DstURI, msg.PathVec, msg.NewURI
			nb.Q, nb.Socket, nb.Flags = msg.RuriQ, msg.ForceSocket, msg.RuriFlags
		}
		reset()
	}
	msg.NewURI, msg.DstURI, msg.PathVec, msg.Instance, msg.Ruid, msg.LocationUA = saved.uri, saved.dst, saved.path, saved.inst, saved.ruid, saved.ua
	msg.RuriQ, msg.ForceSocket, msg.RuriFlags, msg.RegID = saved.q, saved.sock, saved.flags, saved.regID
	if found {
		return 1
	}
	return ret
}

// registered is registered(table[, uri[, match_option[, match_action]]]):
// 1 when the address of record (of uri, else of the Request-URI, or of
// the To URI in a reply) has a contact that has not expired and matches
// the xavp_cfg fields match_callid (option 1), match_received (2) and
// match_contact (4). It fills xavp_rcd unless the action has 2, and
// restores the contact's xavp_contact fields with action 1.
func (m *Module) registered(c *event.Context, d *usrloc.Domain, uri string, match, action int64) int {
	msg := sipmsg.FromContext(c)
	st := m.st(c)
	if uri == "" {
		if msg.IsRequest() {
			uri = msg.RequestURI()
		} else {
			to, ok := toURI(msg)
			if !ok {
				m.log.Log(errLevel, Name, "registered4(): failed to prepare the message")
				return -1
			}
			uri = to.raw
		}
	}
	aor, _, ok := m.extractAOR(st, uri)
	if !ok {
		m.log.Log(errLevel, Name, "registered4(): failed to extract address of record")
		return -1
	}
	var mCallID, mRcv, mContact string
	if m.strs["xavp_cfg"] != "" {
		if match&1 != 0 {
			mCallID, _ = m.cfgStr(c, "match_callid")
		}
		if match&2 != 0 {
			mRcv, _ = m.cfgStr(c, "match_received")
		}
		if match&4 != 0 {
			mContact, _ = m.cfgStr(c, "match_contact")
		}
	}
	now := m.ul.Now()
	useExpired := m.live("use_expired_contacts") != 0
	var hit *usrloc.Contact
	d.With(aor, func(r *usrloc.Record, _ bool) {
		for _, ct := range r.Contacts {
			if !(ct.Valid(now) || useExpired) {
				continue
			}
			if (mCallID != "" && mCallID != ct.CallID) || (mRcv != "" && mRcv != ct.Received) ||
				(mContact != "" && mContact != ct.URI) {
				continue
			}
			hit = ct.Clone()
			return
		}
	})
	if hit == nil {
		return -1
	}
	if action&2 == 0 {
		m.xavpRcd(c, hit)
	}
	if action&1 != 0 {
		m.restoreXavp(c, hit)
	}
	return 1
}

// unregister is unregister(table, uri[, ruid]): without ruid every
// contact of uri's address of record is removed; with it the one contact
// of that id (of uri's address of record when uri is not empty). 1 when
// done, -1 for a bad URI, -2 when removing failed, -3 when there was no
// such contact.
func (m *Module) unregister(c *event.Context, d *usrloc.Domain, uri, ruid string, hasRuid bool) int {
	st := m.st(c)
	if !hasRuid {
		aor, _, ok := m.extractAOR(st, uri)
		if !ok {
			m.log.Log(errLevel, Name, "unregister(): failed to extract Address Of Record")
			return -1
		}
		if _, ok := toURI(sipmsg.FromContext(c)); !ok {
			m.log.Log(errLevel, Name, "unregister(): failed to extract Address Of Record")
			return -1
		}
		d.With(aor, func(r *usrloc.Record, _ bool) { r.Clear() })
		return 1
	}
	if uri == "" {
		// Kamailio deletes by ruid only in the database (db_mode 3).
		m.log.Log(errLevel, usrloc.Name, "delete_urecord_by_ruid(): delete_urecord_by_ruid currently available only in db_mode=3")
		m.log.Log(errLevel, Name, "unregister(): could not delete contact")
		return -2
	}
	aor, _, ok := m.extractAOR(st, uri)
	if !ok {
		m.log.Log(errLevel, Name, "unregister(): failed to extract Address Of Record")
		return -1
	}
	if !d.ByRuid(usrloc.AORHash(aor), ruid, func(r *usrloc.Record, ct *usrloc.Contact) { r.Delete(ct) }) {
		m.log.Log(klog.Warn, Name, "unregister(): AOR/Contact not found")
		return -3
	}
	return 1
}
