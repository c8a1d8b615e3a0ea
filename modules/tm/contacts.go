package tm

import (
	"math/rand/v2"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Serial forking (Kamailio's t_serial.c): t_load_contacts moves the
// Request-URI and the destination set into the XAVP contacts_avp names,
// one list per contact, ordered by q value; t_next_contacts takes the
// contacts of the highest q class back as Request-URI and branches (one
// per +sip.instance; the other flows of an instance go to
// contact_flows_avp), and t_next_contact_flow, in
// event_route[tm:branch-failure], the next flow of the failed branch's
// instance.

// The load modes of t_load_contacts.
const (
	loadStandard     = 0
	loadProportional = 1
)

// qFlag marks the last contact of its q class (Kamailio's Q_FLAG).
const qFlag = 1 << 2

// contact is one destination being ordered.
type contact struct {
	uri, dst, path, instance, ruid, ua string
	sock                               *sipmsg.Socket
	flags                              uint32
	q, qIndex                          int
	qFlag                              int
}

// forkKey is the event slot that says the Request-URI was consumed for
// forking (Kamailio's ruri_is_new cleared) and what it was then. Kamailio
// marks the Request-URI new again whenever something sets it; kamgo sees
// that as a Request-URI other than the consumed one (setting it to the
// same value does not count).
var forkKey = event.NewKey()

// forkState is the value of forkKey; nil (or no value) is a Request-URI
// that is new.
type forkState struct{ consumedURI string }

// ruriIsNew reports whether the Request-URI may still be used as a
// destination: not consumed (by forwarding, or by t_load_contacts) since
// it was last set. Failure routes start with it consumed.
func (m *Module) ruriIsNew(c *event.Context, msg *sipmsg.Msg) bool {
	if st, ok := c.Get(forkKey).(*forkState); ok && st != nil {
		return msg.RequestURI() != st.consumedURI
	}
	return true
}

// compileLoadContacts compiles t_load_contacts([mode]).
func (m *Module) compileLoadContacts(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) == 0 {
		return func(c *event.Context) int { return m.loadContacts(c, loadStandard) }, nil
	}
	n, err := args[0].Int(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		mode, ok := n(c)
		if !ok {
			return -1
		}
		if mode != loadStandard && mode != loadProportional {
			m.log.Logf(klog.Err, Name, "t_load_contacts(): invalid load_contact mode: %d, please use 0 (standard) or 1 (proportional)", mode)
			return -1
		}
		return m.loadContacts(c, int(mode))
	}, nil
}

// loadContacts is t_load_contacts([mode]).
func (m *Module) loadContacts(c *event.Context, mode int) int {
	if m.conf().contactsAVP == "" {
		m.log.Log(klog.Err, Name, "ki_t_load_contacts_mode(): feature has been disabled - to enable define contacts_avp module parameter")
		return -1
	}
	msg := sipmsg.FromContext(c)
	isNew := m.ruriIsNew(c, msg)
	if len(msg.Branches) == 0 || (len(msg.Branches) == 1 && !isNew) {
		return 1
	}
	var all []*contact
	rest := msg.Branches
	if isNew {
		all = append(all, &contact{uri: msg.RequestURI(), dst: msg.DstURI, sock: msg.ForceSocket, flags: msg.RuriFlags,
			path: msg.PathVec, q: msg.RuriQ, instance: msg.Instance, ruid: msg.Ruid, ua: msg.LocationUA})
	} else {
		all = append(all, branchContact(msg.Branches[0]))
		rest = msg.Branches[1:]
	}
	qTotal, positive := 0, 0
	index := func(ct *contact) {
		ct.qIndex = ct.q
		if mode == loadProportional {
			if ct.q > 0 {
				qTotal += ct.q
				positive++
			}
			ct.qIndex = qTotal
		}
	}
	index(all[0])
	for _, b := range rest {
		next := branchContact(b)
		index(next)
		// Ascending q; among equals a contact with a Path goes first.
		i := 0
		for i < len(all) {
			cur := all[i]
			a, b := cur.q, next.q
			if mode == loadProportional {
				a, b = cur.qIndex, next.qIndex
			}
			if a < b || (a == b && next.path == "") {
				i++
				continue
			}
			break
		}
		all = append(all, nil)
		copy(all[i+1:], all[i:])
		all[i] = next
	}
	var order []*contact
	if mode == loadProportional {
		order = proportional(all, positive, qTotal)
	} else {
		for i := 1; i < len(all); i++ {
			if all[i-1].q < all[i].q {
				all[i].qFlag = qFlag
			}
		}
		// Each goes in front: the highest q ends first.
		for i := len(all) - 1; i >= 0; i-- {
			order = append(order, all[i])
		}
	}
	// order is first to last: added last to first, each in front.
	for i := len(order) - 1; i >= 0; i-- {
		pv.AddXavpList(c, m.conf().contactsAVP, contactFields(order[i]))
	}
	msg.Branches = nil
	msg.RuriQ, msg.RuriFlags = sipmsg.QUnspecified, 0
	c.Set(forkKey, &forkState{consumedURI: msg.RequestURI()})
	return 1
}

// proportional orders the contacts with a positive q at random, each
// picked with a chance proportional to its q, then the others, every one
// the last of its class.
func proportional(all []*contact, n, qTotal int) []*contact {
	var order []*contact
	for range n {
		remove := 0
		r := rand.IntN(qTotal)
		for _, ct := range all {
			if ct.q <= 0 {
				continue
			}
			if remove != 0 {
				ct.qIndex -= remove
			} else if ct.qIndex > r {
				remove = ct.q
				qTotal -= remove
				ct.qIndex -= remove
				ct.qFlag = qFlag
				order = append(order, ct)
			}
		}
	}
	for _, ct := range all {
		if ct.q <= 0 {
			ct.qFlag = qFlag
			order = append(order, ct)
		}
	}
	return order
}

func branchContact(b sipmsg.Branch) *contact {
	return &contact{uri: b.URI, dst: b.DstURI, sock: b.Socket, flags: b.Flags, path: b.Path, q: b.Q,
		instance: b.Instance, ruid: b.Ruid, ua: b.LocationUA}
}

// contactFields are the members of a contacts_avp list, in the order
// Kamailio adds them.
func contactFields(ct *contact) []pv.XavpField {
	str := func(name, v string) pv.XavpField { return pv.XavpField{Name: name, Value: value.MakeStr(v)} }
	fs := []pv.XavpField{str("uri", ct.uri)}
	if ct.dst != "" {
		fs = append(fs, str("dst_uri", ct.dst))
	}
	if ct.path != "" {
		fs = append(fs, str("path", ct.path))
	}
	if ct.sock != nil {
		fs = append(fs, str("sock", ct.sock.String()))
	}
	fs = append(fs, pv.XavpField{Name: "flags", Value: value.MakeInt(int64(ct.flags))},
		pv.XavpField{Name: "q_flag", Value: value.MakeInt(int64(ct.qFlag))})
	if ct.instance != "" {
		fs = append(fs, str("instance", ct.instance))
	}
	if ct.ruid != "" {
		fs = append(fs, str("ruid", ct.ruid))
	}
	if ct.ua != "" {
		fs = append(fs, str("ua", ct.ua))
	}
	return fs
}

// record is one contacts_avp or contact_flows_avp list read back.
type record map[string]value.Value

func (r record) str(name string) string {
	v, ok := r[name]
	if !ok || v.IsNull() {
		return ""
	}
	return value.ToStr(v)
}

func (r record) int(name string) int64 {
	v := r[name]
	if v.K == value.Int || v.Num {
		return v.I
	}
	return 0
}

func (r record) has(name string) bool { _, ok := r[name]; return ok }

// toRecord keeps the first member of each name, as xavp_get finds it.
func toRecord(fs []pv.XavpField) record {
	r := record{}
	for _, f := range fs {
		if _, ok := r[f.Name]; !ok && !f.List {
			r[f.Name] = f.Value
		}
	}
	return r
}

// takeFirst removes the first root named name and returns its members;
// ok is false when there is none.
func (m *Module) takeFirst(c *event.Context, name string) ([]pv.XavpField, bool) {
	fs, ok := pv.XavpList(c, name)
	if !ok {
		return nil, false
	}
	m.rmXavp(c, name, false)
	return fs, true
}

// rmXavp removes the first root XAVP named name, or all of them.
func (m *Module) rmXavp(c *event.Context, name string, all bool) {
	if name == "" || m.host == nil {
		return
	}
	text := "$xavp(" + name + ")"
	if all {
		text = "$xavp(" + name + "[*])"
	}
	r, err := xavpRefs.PV(m.host, text)
	if err != nil {
		return
	}
	_ = r.Set(c, value.NullValue)
}

// xavpRefs caches the compiled $xavp references rmXavp uses.
var xavpRefs module.KEMICache

// socketOf finds the local socket a contact names ("udp:1.2.3.4:5060").
// fn names the function for the log line.
func (m *Module) socketOf(c *event.Context, fn, s string) (*sipmsg.Socket, bool) {
	sock, err := sip.SocketAt(c, s)
	if err != nil {
		m.log.Logf(klog.Err, Name, "%s(): parsing of socket info <%s> failed", fn, s)
		return nil, false
	}
	return sock, sock != nil
}

// nextContacts is t_next_contacts: 1 when the next contacts were set as
// Request-URI and branches, -2 when contacts_avp is empty, -1 on error.
func (m *Module) nextContacts(c *event.Context) int {
	const fn = "ki_t_next_contacts"
	if m.conf().contactsAVP == "" {
		m.log.Log(klog.Err, Name, "ki_t_next_contacts(): feature has been disabled - to enable define contacts_avp module parameter")
		return -1
	}
	msg := sipmsg.FromContext(c)
	fs, ok := pv.XavpList(c, m.conf().contactsAVP)
	if !ok {
		return -2
	}
	r := toRecord(fs)
	var sock *sipmsg.Socket
	if r.has("sock") {
		if sock, ok = m.socketOf(c, fn, r.str("sock")); !ok {
			m.rmXavp(c, m.conf().contactsAVP, false)
			return -1
		}
	}
	qf := r.int("q_flag")
	var seen []string
	if r.has("instance") && qf == 0 {
		seen = append(seen, r.str("instance"))
		msg.Instance = r.str("instance")
	}
	msg.NewURI = r.str("uri")
	msg.DstURI = r.str("dst_uri")
	msg.PathVec = r.str("path")
	msg.ForceSocket = sock
	msg.RuriFlags = uint32(r.int("flags"))
	msg.Ruid, msg.LocationUA = r.str("ruid"), r.str("ua")
	c.Set(forkKey, nil)
	m.rmXavp(c, m.conf().contactsAVP, false)
	if qf != 0 {
		return 1
	}
	m.rmXavp(c, m.conf().contactFlowsAVP, true)
	for {
		fs, ok := pv.XavpList(c, m.conf().contactsAVP)
		if !ok {
			return 1
		}
		r := toRecord(fs)
		qf := r.int("q_flag")
		var sock *sipmsg.Socket
		if r.has("sock") {
			if sock, ok = m.socketOf(c, fn, r.str("sock")); !ok {
				return -1
			}
		}
		inst := r.str("instance")
		flow := false
		if r.has("instance") {
			for _, s := range seen {
				if s == inst {
					flow = true
				}
			}
			if !flow && qf == 0 {
				seen = append(seen, inst)
			}
		}
		if flow {
			pv.AddXavpList(c, m.conf().contactFlowsAVP, flowFields(r))
		} else if err := msg.AppendBranch(sipmsg.Branch{URI: r.str("uri"), DstURI: r.str("dst_uri"), Path: r.str("path"),
			Q: 0, Flags: uint32(r.int("flags")), Socket: sock, Instance: inst, Ruid: r.str("ruid"),
			LocationUA: r.str("ua")}); err != nil {
			m.log.Log(klog.Err, Name, "ki_t_next_contacts(): appending branch failed")
			return -1
		}
		m.rmXavp(c, m.conf().contactsAVP, false)
		if qf != 0 {
			return 1
		}
	}
}

// flowFields are the members of a contact_flows_avp list, in the order
// Kamailio adds them.
func flowFields(r record) []pv.XavpField {
	str := func(name string) pv.XavpField { return pv.XavpField{Name: name, Value: value.MakeStr(r.str(name))} }
	fs := []pv.XavpField{str("uri")}
	for _, n := range []string{"dst_uri", "path", "sock", "instance", "ruid", "ua"} {
		if r.str(n) != "" {
			fs = append(fs, str(n))
		}
	}
	return append(fs, pv.XavpField{Name: "flags", Value: value.MakeInt(r.int("flags"))})
}

// nextContactFlow is t_next_contact_flow: in
// event_route[tm:branch-failure], the first contact_flows_avp entry with
// the failed branch's instance becomes a new branch (1); -2 when the
// branch has no instance or there are no flows, -1 when none matches.
func (m *Module) nextContactFlow(c *event.Context) int {
	const fn = "ki_t_next_contact_flow"
	if m.conf().contactFlowsAVP == "" {
		m.log.Log(klog.Err, Name, "ki_t_next_contact_flow(): feature has been disabled - to enable define contact_flows_avp module parameter")
		return -1
	}
	instance := ""
	if c.Route&routetype.BranchFailure == 0 {
		m.log.Log(klog.Err, Name, "t_get_this_branch_instance(): Called t_get_this_branch_instance not in a branch_failure_route")
	} else if s := cur(c); s.x != nil && s.branch >= 0 && s.branch < len(s.x.branches) {
		instance = s.x.branches[s.branch].instance
	}
	if instance == "" {
		return -2
	}
	var flows [][]pv.XavpField
	for {
		fs, ok := m.takeFirst(c, m.conf().contactFlowsAVP)
		if !ok {
			break
		}
		flows = append(flows, fs)
	}
	if len(flows) == 0 {
		return -2
	}
	rc, used := -1, -1
	msg := sipmsg.FromContext(c)
	for i, fs := range flows {
		r := toRecord(fs)
		if !r.has("instance") || r.str("instance") != instance || !r.has("uri") {
			continue
		}
		var sock *sipmsg.Socket
		if r.has("sock") {
			var ok bool
			if sock, ok = m.socketOf(c, fn, r.str("sock")); !ok {
				rc, used = -1, i
				break
			}
		}
		err := msg.AppendBranch(sipmsg.Branch{URI: r.str("uri"), DstURI: r.str("dst_uri"), Path: r.str("path"),
			Q: 0, Flags: uint32(r.int("flags")), Socket: sock, Instance: instance, Ruid: r.str("ruid"),
			LocationUA: r.str("ua")})
		if err != nil {
			m.log.Log(klog.Err, Name, "ki_t_next_contact_flow(): appending branch failed")
			used = -1
			break
		}
		rc, used = 1, i
		break
	}
	for i := len(flows) - 1; i >= 0; i-- {
		if i != used {
			pv.AddXavpList(c, m.conf().contactFlowsAVP, reversed(flows[i]))
		}
	}
	return rc
}

// reversed is fs last to first: what AddXavpList needs to rebuild a list
// XavpList read.
func reversed(fs []pv.XavpField) []pv.XavpField {
	out := make([]pv.XavpField, len(fs))
	for i, f := range fs {
		out[len(fs)-1-i] = f
	}
	return out
}
