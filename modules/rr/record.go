package rr

import (
	"strings"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Record-Route headers, as Kamailio's record.c writes them. Each goes
// before the first header of the request, after what other functions
// added there before it. The three forms order their parts differently:
//
//	record_route:                    <sip:[user@]SOCKET[;r2=on];lr;ftag=T PARAMS PENDING>
//	record_route_preset:             <sip:[user@]ADDR;ftag=T PENDING;lr>
//	record_route_advertised_address: <sip:[user@]ADDR[;transport=P][;r2=on];ftag=T;lr PENDING>
//
// SOCKET is the socket the request came in on (its advertised address and
// port when it has them; the port only when it is not 5060; a transport
// parameter for transports other than UDP). lr is lr=on with
// enable_full_lr; sips: replaces sip: for a sips: Request-URI unless
// ignore_sips is set.

// maxPending is the most text add_rr_param keeps for a Record-Route not
// added yet (Kamailio's RR_PARAM_BUF_SIZE).
const maxPending = 512

// rrParts are what every form of Record-Route is made of.
type rrParts struct {
	scheme string // "sip:" or "sips:"
	user   string // "" or "user@"
	tag    string // "" or ";ftag=T"
	lr     string // ";lr" or ";lr=on"
}

// parts works out the common parts of a Record-Route for msg. withDir
// says whether the tag follows the request's direction (record_route and
// record_route_advertised_address: the To tag for a request going
// upstream) or is always the From tag (record_route_preset).
func (m *Module) parts(c *event.Context, msg *sipmsg.Msg, withDir bool, fn string) (rrParts, bool) {
	p := rrParts{scheme: "sip:", lr: ";lr"}
	if m.fullLR != 0 {
		p.lr = ";lr=on"
	}
	if m.addUsername != 0 {
		user, ok := m.username(c, msg)
		if !ok {
			logf(c, klog.Err, "%s(): failed to extract username", fn)
			return p, false
		}
		if user != "" {
			p.user = user + "@"
		}
	}
	if m.appendFromTag != 0 {
		name := "from"
		if withDir && m.direction(c, msg) == upstream {
			name = "to"
		}
		tag, ok := headerTag(msg, name)
		if !ok {
			logf(c, klog.Err, "%s(): %s parsing failed", fn, map[string]string{"from": "From", "to": "To"}[name])
			return p, false
		}
		if tag != "" {
			p.tag = ";ftag=" + tag
		}
	}
	if m.ignoreSips == 0 {
		if u, err := sipmsg.ParseURI(msg.RequestURI()); err == nil && strings.EqualFold(u.Scheme, "sips") {
			p.scheme = "sips:"
		}
	}
	return p, true
}

// username is the user part of a Record-Route with add_username: the
// custom_user_avp value when it is a non-empty string, else the user of
// the Request-URI as received, else of the rewritten one.
func (m *Module) username(c *event.Context, msg *sipmsg.Msg) (string, bool) {
	if m.customRef != nil {
		if v := m.customRef.Get(c); v.K == value.Str && v.S != "" {
			return v.S, true
		}
	}
	u, err := sipmsg.ParseURI(msg.RURI)
	if err != nil {
		logf(c, klog.Err, "get_username(): failed to parse R-URI")
		return "", false
	}
	user := u.User
	if user == "" && msg.NewURI != "" {
		nu, err := sipmsg.ParseURI(msg.NewURI)
		if err != nil {
			logf(c, klog.Err, "get_username(): failed to parse new_uri")
			return "", false
		}
		user = nu.User
	}
	return user, true
}

// headerTag returns the tag parameter of the From or To header; ok is
// false when the header is missing or does not parse.
func headerTag(msg *sipmsg.Msg, name string) (string, bool) {
	v, ok := msg.Header(name)
	if !ok {
		return "", false
	}
	na, err := sipmsg.ParseNameAddr(v)
	if err != nil {
		return "", false
	}
	tag, _ := na.Param("tag")
	return tag, true
}

// socketText is the receiving socket as record_route writes it.
func (m *Module) socketText(msg *sipmsg.Msg) string {
	s := msg.Rcv
	if s == nil {
		return ""
	}
	host := s.IP
	if s.AdvIP != "" {
		host = s.AdvIP
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	port := s.Port
	if s.AdvPort != 0 {
		port = s.AdvPort
	}
	out := host + portText(port) + transportParam(s.Proto, msg.Proto)
	if m.socknameMode != 0 && s.Name != "" {
		out += ";sn=" + s.Name
	}
	return out
}

// transportParam is the transport parameter for a socket of proto that a
// message came over with msgProto ("ws" for WebSocket on a TCP or TLS
// socket); none for UDP.
func transportParam(proto int, msgProto string) string {
	name := protoText(proto, msgProto)
	if name == "" || name == "udp" {
		return ""
	}
	return ";transport=" + name
}

// protoText names a socket's transport as Record-Route parameters do.
func protoText(proto int, msgProto string) string {
	switch proto {
	case sipmsg.ProtoTCP, sipmsg.ProtoTLS:
		if msgProto == "ws" || (proto == sipmsg.ProtoTLS && msgProto == "wss") {
			return "ws"
		}
	}
	return sipmsg.ProtoName(proto, true)
}

// recordRoute adds the Record-Route of record_route(params): 0, or
// Kamailio's negative codes.
func (m *Module) recordRoute(c *event.Context, msg *sipmsg.Msg, params string) int {
	p, ok := m.parts(c, msg, true, "record_route")
	if !ok {
		return -2
	}
	if len(msg.Headers) == 0 {
		return -3
	}
	st := stateOf(c, msg)
	sock := m.socketText(msg)
	build := func(r2 string) string {
		return "Record-Route: <" + p.scheme + p.user + sock + r2 + p.lr + p.tag + params + st.pending + ">\r\n"
	}
	m.insert(msg, st, build)
	st.pending = ""
	return 0
}

// insert adds a Record-Route made by build(r2) with the double
// record-route rule: with enable_double_rr 2 two headers carrying r2=on;
// with 1 a second one only when the request leaves from another socket
// than it came in on, which kamgo does not do (see the README), so the
// outbound one is kept hidden for add_rr_param's count.
func (m *Module) insert(msg *sipmsg.Msg, st *state, build func(r2 string) string) {
	at := msg.Headers[0].Start
	switch m.doubleRR {
	case 0:
		m.add(msg, st, at, build(""), false)
	case 2:
		m.add(msg, st, at, build(";r2=on"), false)
		m.add(msg, st, at, build(";r2=on"), false)
	default:
		m.add(msg, st, at, build(";r2=on"), true)
		m.add(msg, st, at, build(""), false)
	}
}

// add puts one Record-Route text at offset at (unless hidden) and records
// it.
func (m *Module) add(msg *sipmsg.Msg, st *state, at int, text string, hidden bool) {
	if !hidden {
		msg.Insert(at, text)
	}
	st.slots = append(st.slots, slot{text: text, hidden: hidden})
}

// preset adds the Record-Route of record_route_preset(addr): 1, or a
// negative code.
func (m *Module) preset(c *event.Context, msg *sipmsg.Msg, addr string) int {
	p, ok := m.parts(c, msg, false, "record_route_preset")
	if !ok {
		return -2
	}
	if len(msg.Headers) == 0 {
		return -3
	}
	st := stateOf(c, msg)
	text := "Record-Route: <" + p.scheme + p.user + addr + p.tag + st.pending + p.lr + ">\r\n"
	m.add(msg, st, msg.Headers[0].Start, text, false)
	return 1
}

// advertised adds the Record-Route of
// record_route_advertised_address(addr): 1, or a negative code.
func (m *Module) advertised(c *event.Context, msg *sipmsg.Msg, addr string) int {
	p, ok := m.parts(c, msg, true, "record_route_advertised_address")
	if !ok {
		return -2
	}
	if len(msg.Headers) == 0 {
		return -3
	}
	st := stateOf(c, msg)
	// The transport parameter is written when the request leaves over
	// another transport than it came in on, or always with
	// enable_double_rr 2.
	trans := ""
	if m.doubleRR == 2 && msg.Rcv != nil {
		trans = ";transport=" + protoText(msg.Rcv.Proto, msg.Proto)
	}
	build := func(r2 string) string {
		return "Record-Route: <" + p.scheme + p.user + addr + trans + r2 + p.tag + p.lr + st.pending + ">\r\n"
	}
	m.insert(msg, st, build)
	return 1
}

// addParam is add_rr_param(param): appended to the Record-Route already
// added (to both of a double one), or kept for the one to come. 0, or -1.
func (m *Module) addParam(c *event.Context, msg *sipmsg.Msg, param string) int {
	st := stateOf(c, msg)
	if len(st.slots) == 0 {
		if len(st.pending)+len(param) > maxPending {
			logf(c, klog.Err, "add_rr_param(): maximum size of rr_param_buf exceeded")
			return -1
		}
		st.pending += param
		return 0
	}
	m.appendParam(msg, st, 0, param)
	if m.doubleRR != 0 {
		if len(st.slots) < 2 {
			logf(c, klog.Crit, "add_rr_param(): failed to locate double RR lump")
			return -1
		}
		m.appendParam(msg, st, 1, param)
	}
	return 0
}

// appendParam writes param before the closing '>' of slot i.
func (m *Module) appendParam(msg *sipmsg.Msg, st *state, i int, param string) {
	old := st.slots[i].text
	text := strings.TrimSuffix(old, ">\r\n") + param + ">\r\n"
	st.slots[i].text = text
	if !st.slots[i].hidden {
		replaceEdit(msg, old, text)
	}
}

// replaceEdit changes the text of the insertion of old in msg's edits.
func replaceEdit(msg *sipmsg.Msg, old, text string) {
	for k := range msg.Edits {
		if e := &msg.Edits[k]; e.Len == 0 && e.Text == old {
			e.Text = text
			return
		}
	}
}

// remove is remove_record_route(): the Record-Route headers added are
// taken out of the message. A later record_route still counts as a
// second attempt.
func (m *Module) remove(c *event.Context, msg *sipmsg.Msg) int {
	st := stateOf(c, msg)
	for _, s := range st.slots {
		if s.hidden {
			continue
		}
		for k := range msg.Edits {
			if e := msg.Edits[k]; e.Len == 0 && e.Text == s.text {
				msg.Edits = append(msg.Edits[:k], msg.Edits[k+1:]...)
				break
			}
		}
	}
	st.slots = nil
	return 1
}

// Checked entry points, as the script and KEMI call them: each refuses
// a second Record-Route for the request.

// doRecordRoute is record_route([params]). In a branch route it does not
// count as the request's Record-Route.
func (m *Module) doRecordRoute(c *event.Context, msg *sipmsg.Msg, params string, fn string) int {
	st := stateOf(c, msg)
	if st.added {
		logf(c, klog.Err, "%s(): Double attempt to record-route", fn)
		return -1
	}
	if m.recordRoute(c, msg, params) < 0 {
		return -1
	}
	if c.Route != routetype.Branch {
		st.added = true
	}
	return 1
}

// doPreset is record_route_preset(addr[, addr2]); reset drops the pending
// parameters afterwards (KEMI's two-address form does, the script's does
// not).
func (m *Module) doPreset(c *event.Context, msg *sipmsg.Msg, addrs []string, fn string, reset bool) int {
	st := stateOf(c, msg)
	if st.added {
		logf(c, klog.Err, "%s(): Double attempt to record-route", fn)
		return -1
	}
	if len(addrs) > 1 && m.doubleRR == 0 {
		logf(c, klog.Err, "%s(): Attempt to double record-route while 'enable_double_rr' param is disabled", fn)
		return -1
	}
	for _, a := range addrs {
		if m.preset(c, msg, a) < 0 {
			return -1
		}
	}
	if reset {
		st.pending = ""
	}
	st.added = true
	return 1
}

// doAdvertised is record_route_advertised_address(addr).
func (m *Module) doAdvertised(c *event.Context, msg *sipmsg.Msg, addr, fn string) int {
	st := stateOf(c, msg)
	if st.added {
		logf(c, klog.Err, "%s(): Double attempt to record-route", fn)
		return -1
	}
	if m.advertised(c, msg, addr) < 0 {
		return -1
	}
	st.added = true
	return 1
}
