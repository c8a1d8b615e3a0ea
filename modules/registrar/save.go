package registrar

import (
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// saveCall is the state of one save(): the request, its parts and the
// time it runs at.
type saveCall struct {
	m          *Module
	c          *event.Context
	st         *state
	msg        *sipmsg.Msg
	d          *usrloc.Domain
	now        int64
	toHost     string
	contacts   []*contact
	contactSet contactSet
	star       bool
	useRegID   bool
	noVar      bool
	mem        uint32

	// Per request, as Kamailio's pack_ci computes once.
	base     usrloc.Info
	received string // from the received AVP, looked up once
	rcvFound bool
	allowed  uint32
	allowSet bool
}

// save is save(table[, flags[, uri]]): RFC 3261 10.3 processing of a
// REGISTER for the address of record of uri (the To URI when ""). It
// returns 1 (contacts added or refreshed), 3 (all removed with "*") or 4
// (no Contact: the bindings were only listed), -1 on error and -2 when
// max_contacts was reached; unless the flags say otherwise it replies.
func (m *Module) save(c *event.Context, d *usrloc.Domain, flags int64, uri string) int {
	s := &saveCall{m: m, c: c, st: m.st(c), msg: sipmsg.FromContext(c), d: d, useRegID: true}
	rc := s.run(flags, uri)
	if rc < 0 {
		m.stats.rejected.Add(1)
		if c.Route&routetype.Request != 0 && flags&saveNoReply == 0 {
			m.sendReply(c, s.msg, s.st)
		}
		if s.st.rerr == rTooMany {
			return -2
		}
		return -1
	}
	m.stats.accepted.Add(1)
	if flags&saveNoReply == 0 {
		if c.Route&(routetype.Request|routetype.Failure) != 0 {
			if m.sendReply(c, s.msg, s.st) < 0 {
				return -1
			}
		}
	} else if flags&savePrepReply != 0 {
		if m.prepareReply(s.msg, s.st) < 0 {
			return -1
		}
	}
	if m.ints["use_path"] != 0 && m.ints["path_mode"] != pathOff {
		s.msg.PathVec = ""
	}
	return rc
}

// run does save's work; a negative result is an error, its cause in
// st.rerr.
func (s *saveCall) run(flags int64, uri string) int {
	m, msg, st := s.m, s.msg, s.st
	to, ok := toURI(msg)
	if !ok {
		st.rerr = rToMiss
		m.log.Log(errLevel, Name, "save(): failed to parse To header")
		return -1
	}
	s.toHost = to.Host
	st.rerr = rFine
	if !s.parseMessage() {
		return -1
	}
	if s.checkContacts() {
		return -1
	}
	sup, hasSup := optionTags(msg, "supported")
	req, hasReq := optionTags(msg, "require")
	ob := m.ints["outbound_mode"]
	if hasSup && !sup["outbound"] && ob == outboundRequire {
		m.log.Log(klog.Warn, Name, "save(): Outbound required by server and not supported by UAC")
		st.rerr = rOBUnsup
		return -1
	}
	if hasReq && req["outbound"] && ob == outboundNone {
		m.log.Log(klog.Warn, Name, "save(): Outbound required by UAC and not supported by server")
		st.rerr = rOBReqd
		return -1
	}
	if ob != outboundNone && len(s.contacts) > 0 && len(msg.Bodies("via")) > 1 {
		useOB := false
		if paths := msg.Bodies("path"); len(paths) > 0 {
			na, err := sipmsg.ParseNameAddr(paths[0])
			if err != nil {
				m.log.Log(errLevel, Name, "save(): Failed to parse Path: header body")
				return -1
			}
			pu, err := sipmsg.ParseURI(na.URI)
			if err != nil {
				m.log.Log(errLevel, Name, "save(): Failed to parse Path: URI")
				return -1
			}
			_, useOB = pu.Param("ob")
		}
		if !useOB && m.ints["regid_mode"] == 0 {
			if sup["outbound"] && s.contacts[0].regID != nil {
				m.log.Log(klog.Warn, Name, "save(): Outbound used by UAC but not supported by edge proxy")
				st.rerr = rOBUnsupEdge
				return -1
			}
			s.useRegID = false
		}
	}
	s.now = m.ul.Now()
	if uri == "" {
		uri = to.raw
	}
	aor, _, ok := m.extractAOR(st, uri)
	if !ok {
		m.log.Log(errLevel, Name, "save(): failed to extract Address Of Record")
		return -1
	}
	if flags&saveMem != 0 {
		s.mem = 1
	}
	s.noVar = flags&saveNoVariation != 0
	if len(s.contacts) == 0 {
		if s.star {
			s.d.With(aor, func(r *usrloc.Record, _ bool) { r.Clear() })
			return 3
		}
		s.d.With(aor, func(r *usrloc.Record, _ bool) { s.buildContact(r) })
		return 4
	}
	rc := 0
	s.d.With(aor, func(r *usrloc.Record, exists bool) {
		if exists {
			rc = s.update(r, flags&saveReplace != 0)
			s.buildContact(r)
			return
		}
		rc = s.insert(r)
		if rc < 0 {
			r.Clear()
			return
		}
		s.buildContact(r)
	})
	if rc < 0 {
		return -1
	}
	if rc == 0 {
		rc = 1
	}
	return rc
}

// toURIParts is the To header's URI.
type toURIParts struct {
	raw  string
	Host string
}

func toURI(msg *sipmsg.Msg) (toURIParts, bool) {
	v, ok := msg.Header("to")
	if !ok {
		return toURIParts{}, false
	}
	na, err := sipmsg.ParseNameAddr(v)
	if err != nil {
		return toURIParts{}, false
	}
	u, err := sipmsg.ParseURI(na.URI)
	if err != nil {
		return toURIParts{}, false
	}
	return toURIParts{raw: na.URI, Host: u.Host}, true
}

// parseMessage checks the headers save needs (Kamailio's parse_message).
func (s *saveCall) parseMessage() bool {
	m, msg, st := s.m, s.msg, s.st
	if _, ok := msg.Header("call-id"); !ok {
		st.rerr = rCIDMiss
		m.log.Log(errLevel, Name, "parse_message(): Call-ID not found")
		return false
	}
	if _, ok := msg.Header("cseq"); !ok {
		st.rerr = rCSMiss
		m.log.Log(errLevel, Name, "parse_message(): CSeq not found")
		return false
	}
	if _, ok := expiresHeader(msg); !ok {
		st.rerr = rParseExp
		m.log.Log(errLevel, Name, "parse_message(): failed to parse expires body")
		return false
	}
	cs, ok := parseContacts(msg)
	if !ok {
		st.rerr = rParseCont
		m.log.Log(errLevel, Name, "parse_message(): failed to parse Contact body")
		return false
	}
	s.contactSet = cs
	s.contacts = cs.list
	s.star = cs.star
	return true
}

// checkContacts applies RFC 3261's rules for "*" and the size limits
// (Kamailio's check_contacts); true means the request is refused.
func (s *saveCall) checkContacts() bool {
	m, st := s.m, s.st
	if !s.contactSet.present {
		return false
	}
	if s.star {
		if n, _ := expiresHeader(s.msg); n != 0 {
			m.log.Log(klog.Warn, Name, "check_contacts(): expires must be 0 for star contact")
			st.rerr = rStarExp
			return true
		}
		if len(s.contacts) > 0 || s.contactSet.starElse {
			m.log.Log(klog.Warn, Name, "check_contacts(): star contact cannot be mixed with other contacts")
			st.rerr = rStarCont
			return true
		}
		return false
	}
	if s.contactSet.starElse {
		m.log.Log(klog.Warn, Name, "check_contacts(): star contact cannot be mixed with other contacts")
		st.rerr = rStarCont
		return true
	}
	for _, c := range s.contacts {
		if len(c.uri) > int(m.ints["contact_max_size"]) {
			m.log.Logf(klog.Warn, Name, "check_contacts(): contact uri is too long: [%s]", c.uri)
			st.rerr = rContactLen
			return true
		}
		if c.received != nil && len(c.received.value) > maxReceived {
			m.log.Log(klog.Warn, Name, "check_contacts(): received attribute of contact is too long")
			st.rerr = rContactLen
			return true
		}
	}
	return false
}

// insert stores the contacts of a REGISTER for an address of record that
// has none (Kamailio's insert_contacts).
func (s *saveCall) insert(r *usrloc.Record) int {
	m, st := s.m, s.st
	maxc := s.maxContacts()
	num := 0
	first := true
	for _, ct := range s.contacts {
		e := s.expires(ct)
		if st.rerr == rLowExp {
			return -1
		}
		if e == 0 {
			continue
		}
		if maxc > 0 && num >= maxc {
			m.log.Logf(klog.Info, Name, "insert_contacts(): too many contacts (n:%d max:%d) for AOR <%s>", num, maxc, r.AOR)
			st.rerr = rTooMany
			return -1
		}
		num++
		if first {
			if !s.pack() {
				return -1
			}
			first = false
		}
		ci, ok := s.packContact(ct, e)
		if !ok {
			m.log.Log(errLevel, Name, "insert_contacts(): failed to extract contact info")
			return -1
		}
		// Kamailio looks the contact up with the CSeq one higher, so that
		// a contact listed twice in one REGISTER refreshes the first copy
		// instead of being refused as a retransmission.
		probe := *ci
		probe.CSeq++
		if len(r.Contacts) == 0 {
			r.Insert(ci)
		} else if c, res := r.Find(&probe, s.now); res != usrloc.Found {
			r.Insert(ci)
		} else {
			r.Update(c, ci)
		}
	}
	return 0
}

// update applies a REGISTER to an address of record that has contacts
// (Kamailio's update_contacts): with replace, the contact saved is the
// only one left. It returns what the last contact did: 1 added, 2
// refreshed, 3 removed.
func (s *saveCall) update(r *usrloc.Record, replace bool) int {
	m, st := s.m, s.st
	if !s.pack() {
		m.log.Log(errLevel, Name, "update_contacts(): failed to initial pack contact info")
		return -1
	}
	if !replace {
		if maxc := s.maxContacts(); maxc > 0 && !s.testMaxContacts(r, maxc) {
			return -1
		}
	}
	rc := 0
	for _, ct := range s.contacts {
		e := s.expires(ct)
		if st.rerr == rLowExp {
			return -1
		}
		ci, ok := s.packContact(ct, e)
		if !ok {
			m.log.Log(errLevel, Name, "update_contacts(): failed to pack contact specific info")
			return -1
		}
		c, res := r.Find(ci, s.now)
		switch res {
		case usrloc.BadCSeq:
			m.log.Logf(errLevel, Name, "update_contacts(): invalid cseq for aor <%s>", r.AOR)
			st.rerr = rInvCSeq
			return -1
		case usrloc.Retransmit:
			if e != 0 && replace {
				return rc
			}
			continue
		}
		updated := false
		if res == usrloc.NotFound {
			if e == 0 {
				continue
			}
			c = r.Insert(ci)
			rc = 1
			if replace {
				keepOnly(r, c)
				updated = true
			}
		} else if e == 0 {
			r.Delete(c)
			rc = 3
		} else {
			if replace {
				keepOnly(r, c)
				updated = true
			}
			// A new Call-ID for a +sip.instance removes the other
			// contacts of that instance (and, as in Kamailio, ends the
			// loop).
			if ci.Instance != "" && ci.CallID != c.CallID {
				for _, o := range append([]*usrloc.Contact(nil), r.Contacts...) {
					if o != c && o.Instance == c.Instance {
						r.Delete(o)
					}
				}
				updated = true
			}
			r.Update(c, ci)
			rc = 2
		}
		if updated {
			break
		}
	}
	return rc
}

// keepOnly removes every contact of r but c.
func keepOnly(r *usrloc.Record, c *usrloc.Contact) {
	for _, o := range append([]*usrloc.Contact(nil), r.Contacts...) {
		if o != c {
			r.Delete(o)
		}
	}
}

// testMaxContacts counts the contacts r would have after the REGISTER
// (Kamailio's test_max_contacts).
func (s *saveCall) testMaxContacts(r *usrloc.Record, maxc int) bool {
	m, st := s.m, s.st
	num := 0
	for _, c := range r.Contacts {
		if c.Valid(s.now) {
			num++
		}
	}
	for _, ct := range s.contacts {
		e := s.expires(ct)
		ci := s.base
		ci.URI = ct.uri
		ci.Instance = paramValue(ct.instance)
		_, res := r.Find(&ci, s.now)
		switch res {
		case usrloc.BadCSeq:
			m.log.Logf(errLevel, Name, "test_max_contacts(): invalid cseq for aor <%s>", r.AOR)
			st.rerr = rInvCSeq
			return false
		case usrloc.Retransmit:
			continue
		case usrloc.NotFound:
			if e != 0 {
				num++
			}
		default:
			if e == 0 {
				num--
			}
		}
	}
	if num > maxc {
		m.log.Logf(klog.Info, Name, "test_max_contacts(): too many contacts for AOR <%s> (n:%d max:%d)", r.AOR, num, maxc)
		st.rerr = rTooMany
		return false
	}
	return true
}

func paramValue(p *param) string {
	if p == nil {
		return ""
	}
	return p.value
}

// maxContacts is max_contacts, or the max_contacts field of the xavp_cfg
// XAVP.
func (s *saveCall) maxContacts() int {
	if v, ok := s.m.cfgInt(s.c, "max_contacts"); ok {
		return int(v)
	}
	return int(s.m.live("max_contacts"))
}

// pack fills what every contact of the request shares (the first part of
// Kamailio's pack_ci).
func (s *saveCall) pack() bool {
	m, msg, st := s.m, s.msg, s.st
	callID, _ := msg.Header("call-id")
	callID = strings.TrimRight(callID, " \t\r\n")
	if len(callID) > maxCallID {
		st.rerr = rCallIDLen
		m.log.Log(errLevel, Name, "pack_ci(): callid too long")
		return false
	}
	num, _, _ := msg.CSeq()
	cseq, ok := str2int(num)
	if !ok {
		st.rerr = rInvCSeq
		m.log.Log(errLevel, Name, "pack_ci(): failed to convert cseq number")
		return false
	}
	b := &s.base
	b.CallID, b.CSeq = callID, int(int32(cseq))
	if s.c.Flags&m.sockFlag != 0 {
		b.Socket = m.sockFromRequest(s.c, msg)
	}
	if b.Socket == nil {
		b.Socket = msg.Rcv
		if m.ints["sock_mode"]&1 != 0 && msg.Rcv != nil && msg.Rcv.AdvIP != "" {
			adv := *msg.Rcv
			adv.IP = msg.Rcv.AdvIP
			if msg.Rcv.AdvPort != 0 {
				adv.Port = msg.Rcv.AdvPort
			}
			b.Socket = &adv
		}
	}
	switch msg.Proto {
	case "tcp", "tls", "ws", "wss":
		b.ConnID = msg.ConnID
	default:
		b.ConnID = -1
	}
	b.UserAgent = "n/a"
	if ua, ok := msg.Header("user-agent"); ok && ua != "" && len(ua) < maxUA {
		b.UserAgent = ua
	}
	pathRcv := ""
	if m.ints["use_path"] != 0 {
		path, rcv, ok := m.pathVector(msg)
		if !ok {
			st.rerr = rParsePath
			return false
		}
		if path != "" {
			b.Path, b.HasPath = path, true
			if m.ints["path_mode"] != pathOff {
				msg.PathVec = path
			}
		}
		pathRcv = rcv
	}
	b.LastModified = s.now
	b.Flags = s.mem
	b.CFlags = msg.RuriFlags
	if pathRcv != "" {
		b.CFlags |= m.ul.NatFlag()
		b.Received = pathRcv
	}
	if name := m.ul.XavpContact(); name != "" {
		b.Xavp, _ = xavpFields(s.c, name)
	}
	return true
}

// packContact is the info one contact saves (the rest of pack_ci).
func (s *saveCall) packContact(ct *contact, expires int64) (*usrloc.Info, bool) {
	m, st := s.m, s.st
	ci := s.base
	ci.URI = ct.uri
	if st.qSet && st.qMsg == s.msg.ID {
		ci.Q = st.qVal
	} else if q, ok := m.contactQ(s.c, ct); ok {
		ci.Q = q
	} else {
		st.rerr = rInvQ
		m.log.Log(errLevel, Name, "pack_ci(): failed to calculate q")
		return nil, false
	}
	ci.Expires = expires
	if ct.methods != nil {
		ms, ok := parseMethods(ct.methods.value)
		if !ok {
			st.rerr = rParse
			m.log.Log(errLevel, Name, "pack_ci(): failed to parse contact methods")
			return nil, false
		}
		ci.Methods = ms
	} else {
		if !s.allowSet {
			s.allowed, s.allowSet = allowedMethods(s.msg), true
		}
		ci.Methods = s.allowed
	}
	if ci.Received == "" {
		if ct.received != nil {
			ci.Received = ct.received.value
		} else {
			if !s.rcvFound {
				if m.rcvAVP != nil {
					if v := m.rcvAVP.Get(s.c); !v.IsNull() && v.String() != "" {
						if len(v.String()) > maxReceived {
							st.rerr = rContactLen
							m.log.Log(errLevel, Name, "pack_ci(): received too long")
							return nil, false
						}
						s.received = v.String()
					}
				}
				s.rcvFound = true
			}
			ci.Received = s.received
		}
	}
	if ct.instance != nil && ct.instance.value != "" {
		ci.Instance = ct.instance.value
	}
	if s.useRegID && ct.instance != nil && ct.regID != nil && ct.regID.value != "" {
		n, ok := str2int(ct.regID.value)
		if !ok || n == 0 {
			m.log.Log(errLevel, Name, "pack_ci(): invalid reg-id value")
			st.rerr = rInvRegID
			return nil, false
		}
		ci.RegID = uint32(n)
	}
	ci.Ruid = m.ul.NewRuid()
	return &ci, true
}

// expires is the absolute expiry of a contact (Kamailio's
// calc_contact_expires): the xavp_cfg "expires" field, else the contact's
// expires parameter, else the Expires header, else default_expires,
// raised to min_expires (or refused with min_expires_mode), varied by
// expires_range, cut to max_expires. 0 means remove.
func (s *saveCall) expires(ct *contact) int64 {
	m := s.m
	var e int64
	rng := int64(0)
	if v, ok := m.cfgInt(s.c, "expires"); ok && v >= 0 {
		e = v
	} else if ct.expires == nil || ct.expires.value == "" {
		e, _ = expiresHeader(s.msg)
		if e < 0 {
			e, rng = m.live("default_expires"), m.live("default_expires_range")
		} else {
			rng = m.live("expires_range")
		}
	} else if n, ok := str2int(ct.expires.value); ok {
		e, rng = int64(int32(uint32(n))), m.live("expires_range")
	} else {
		e, rng = m.live("default_expires"), m.live("default_expires_range")
	}
	if e == 0 {
		return 0
	}
	minE, maxE := m.live("min_expires"), m.live("max_expires")
	if e < minE {
		if m.ints["min_expires_mode"] != 0 {
			s.st.rerr = rLowExp
			return e
		}
		e = minE
	}
	if !s.noVar {
		e = randomize(e, rng)
		if e < minE {
			e = minE
		}
	}
	if maxE != 0 && e > maxE {
		e = maxE
	}
	return e + s.now
}
