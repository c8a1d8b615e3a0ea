package nathelper

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// contact is one contact of a Contact header with its place in the
// message text.
type contact struct {
	hdr        *sipmsg.Header
	start, end int // the contact, from its display name to its last parameter
	uriAt      int // offset of the URI
	uri        string
}

// uriParts is a parsed contact URI with the offsets, in the URI text, of
// its host and of the end of its host and port.
type uriParts struct {
	*sipmsg.URI
	hostAt, hostPortEnd int
}

// msgState is what nathelper changed of a message's Contact: Kamailio
// points its parsed contact at the new text, so a second rewrite is
// refused and later tests read the new URI.
type msgState struct {
	msg *sipmsg.Msg
	uri string // the contact URI as rewritten
}

var stateKey = event.NewKey()

func state(c *event.Context, msg *sipmsg.Msg) *msgState {
	if s, ok := c.Get(stateKey).(*msgState); ok && s.msg == msg {
		return s
	}
	return nil
}

func setState(c *event.Context, msg *sipmsg.Msg, uri string) {
	c.Set(stateKey, &msgState{msg: msg, uri: uri})
}

// splitContacts returns the contacts of one Contact header value found
// at offset base of the message (-1 when its place is unknown).
func splitContacts(h *sipmsg.Header) []contact {
	v, base := h.Value, h.At
	var out []contact
	start, inq, angle := 0, false, 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) {
			c := v[i]
			switch {
			case c == '"' && (i == 0 || v[i-1] != '\\'):
				inq = !inq
				continue
			case inq:
				continue
			case c == '<':
				angle++
				continue
			case c == '>' && angle > 0:
				angle--
				continue
			case c != ',' || angle > 0:
				continue
			}
		}
		elem := v[start:i]
		lead := len(elem) - len(strings.TrimLeft(elem, " \t\r\n"))
		trimmed := strings.TrimSpace(elem)
		if trimmed != "" {
			ct := contact{hdr: h, start: base + start + lead, end: base + start + lead + len(trimmed)}
			if na, err := sipmsg.ParseNameAddr(trimmed); err == nil {
				ct.uri = na.URI
				if lt := strings.IndexByte(trimmed[len(na.Name):], '<'); lt == 0 {
					ct.uriAt = ct.start + len(na.Name) + 1
				} else {
					ct.uriAt = ct.start + strings.Index(trimmed, na.URI)
				}
			}
			out = append(out, ct)
		}
		start = i + 1
	}
	return out
}

// firstContactHeader returns the first Contact header.
func firstContactHeader(msg *sipmsg.Msg) *sipmsg.Header {
	for i := range msg.Headers {
		if sipmsg.CanonName(msg.Headers[i].Name) == "contact" {
			return &msg.Headers[i]
		}
	}
	return nil
}

// contactURI finds the first contact of the first Contact header and
// parses its URI, as Kamailio's get_contact_uri (which logs only a URI
// that does not parse). ok is false without one.
func (m *Module) contactURI(c *event.Context, msg *sipmsg.Msg) (contact, *uriParts, bool) {
	h := firstContactHeader(msg)
	if h == nil || h.At < 0 {
		return contact{}, nil, false
	}
	cs := splitContacts(h)
	if len(cs) == 0 || cs[0].uri == "" || strings.TrimSpace(h.Value) == "*" {
		return contact{}, nil, false
	}
	ct := cs[0]
	uri := ct.uri
	if s := state(c, msg); s != nil {
		uri = s.uri
	}
	p, err := parseParts(uri)
	if err != nil || p.Host == "" {
		logf(c, klog.Err, "get_contact_uri(): failed to parse Contact URI [%s]", uri)
		return contact{}, nil, false
	}
	ct.uri = uri
	return ct, p, true
}

// parseParts parses a URI and locates its host and port in the text.
func parseParts(uri string) (*uriParts, error) {
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		return nil, err
	}
	p := &uriParts{URI: u}
	from := strings.IndexByte(uri, ':') + 1
	if u.User != "" || u.Password != "" {
		if at := strings.IndexByte(uri[from:], '@'); at >= 0 {
			from += at + 1
		}
	}
	i := strings.Index(uri[from:], u.Host)
	if i < 0 {
		i = 0
	}
	p.hostAt = from + i
	p.hostPortEnd = p.hostAt + len(u.Host)
	if u.Port != "" {
		p.hostPortEnd += 1 + len(u.Port)
	}
	return p, nil
}

// srcHost is the message's source address as Kamailio writes it in a
// URI host: an IPv6 address in brackets.
func srcHost(msg *sipmsg.Msg) string {
	if sipmsg.IsIPv6(msg.Src.IP) {
		return "[" + msg.Src.IP + "]"
	}
	return msg.Src.IP
}

// paramSpan finds a URI parameter in the text of the URI: the offsets of
// "name=value" (from its name to the end of its value); ok is false when
// absent.
func paramSpan(uri string, name string) (start, end int, ok bool) {
	semi := strings.IndexByte(uri, ';')
	if semi < 0 {
		return 0, 0, false
	}
	limit := len(uri)
	if q := strings.IndexByte(uri, '?'); q >= 0 {
		limit = q
	}
	at := semi + 1
	for at <= limit {
		next := strings.IndexByte(uri[at:limit], ';')
		pend := limit
		if next >= 0 {
			pend = at + next
		}
		p := uri[at:pend]
		n, _, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return at, pend, true
		}
		if next < 0 {
			break
		}
		at = pend + 1
	}
	return 0, 0, false
}

// fixNatedContact is fix_nated_contact(): the Contact URI's host and port
// become the message's source address; a maddr parameter is dropped.
func (m *Module) fixNatedContact(c *event.Context, msg *sipmsg.Msg) int {
	ct, p, ok := m.contactURI(c, msg)
	if !ok {
		return -1
	}
	if state(c, msg) != nil {
		logf(c, klog.Err, "fix_nated_contact(): you can't call fix_nated_contact twice, check your config!")
		return -1
	}
	uri := ct.uri
	hostport := srcHost(msg) + ":" + strconv.Itoa(msg.Src.Port)
	var nu string
	if ms, me, ok := paramSpan(uri, "maddr"); ok {
		params1 := strings.TrimRight(uri[p.hostPortEnd:ms], " \t;")
		nu = uri[:p.hostAt] + hostport + params1 + uri[me:]
	} else {
		nu = uri[:p.hostAt] + hostport + uri[p.hostPortEnd:]
	}
	msg.Replace(ct.uriAt, len(ct.uri), nu)
	setState(c, msg, nu)
	return 1
}

// maxURISize is Kamailio's MAX_URI_SIZE: a URI built with an alias must
// stay below it.
const maxURISize = 1024

// rcvAlias is uri with the alias parameter of the message's source
// (Kamailio's uri_add_rcv_alias): ";alias=ip~port~proto".
func (m *Module) rcvAlias(msg *sipmsg.Msg, uri string) (string, bool) {
	nu := uri + m.salias + srcHost(msg) + "~" + strconv.Itoa(msg.Src.Port) + "~" + string(rune('0'+sipmsg.ProtoNumber(msg.Proto)))
	return nu, len(nu) < maxURISize
}

// trimRcvAlias is uri without its last alias parameter (Kamailio's
// uri_trim_rcv_alias); ok is false when it has none in the right shape.
func (m *Module) trimRcvAlias(uri string) (string, bool) {
	sl := len(m.salias)
	if len(uri) < sl+16 {
		return "", false
	}
	skip := -1
	for p := len(uri) - sl - 11; p > 5; p-- {
		if strings.HasPrefix(uri[p:], m.salias) {
			skip = p
			break
		}
	}
	if skip < 0 {
		return "", false
	}
	p := skip + sl
	t1 := strings.IndexByte(uri[p:], '~')
	if t1 < 0 || p+t1+1 >= len(uri) {
		return "", false
	}
	p += t1 + 1
	t2 := strings.IndexByte(uri[p:], '~')
	if t2 < 0 || p+t2+1 >= len(uri) {
		return "", false
	}
	p += t2 + 2
	if p != len(uri) && uri[p] != ';' {
		return "", false
	}
	return uri[:skip] + uri[p:], true
}

// setContactAlias is set_contact_alias([trim]): the Contact URI gets the
// alias parameter of the source address (after dropping an alias it had,
// with trim), in angle brackets.
func (m *Module) setContactAlias(c *event.Context, msg *sipmsg.Msg, trim bool) int {
	ct, _, ok := m.contactURI(c, msg)
	if !ok {
		return -1
	}
	if state(c, msg) != nil {
		logf(c, klog.Err, "set_contact_alias(): you can't update contact twice, check your config!")
		return -1
	}
	base := ct.uri
	if trim {
		if t, ok := m.trimRcvAlias(base); ok {
			base = t
		}
	}
	nu, ok := m.rcvAlias(msg, base)
	if !ok {
		logf(c, klog.Err, "uri_add_rcv_alias(): not enough space - new uri len: %d (buf size: %d)", len(nu), maxURISize)
		return -1
	}
	text := nu
	if ct.uriAt == 0 || msg.Buf[ct.uriAt-1] != '<' {
		text = "<" + nu + ">"
	}
	msg.Replace(ct.uriAt, len(ct.uri), text)
	setState(c, msg, nu)
	return 1
}

// addContactAlias is add_contact_alias() and add_contact_alias(ip, port,
// proto): the alias parameter goes after the Contact URI's host and
// port, the URI put in angle brackets when the header has none. Without
// arguments it is the source address, and nothing is added when the URI
// already is that address (2).
func (m *Module) addContactAlias(c *event.Context, msg *sipmsg.Msg, addr *aliasAddr) int {
	h := firstContactHeader(msg)
	if h == nil {
		return 2
	}
	ct, p, ok := m.contactURI(c, msg)
	if !ok {
		logf(c, klog.Err, "%s(): failed to get contact uri", aliasFunc(addr))
		return -1
	}
	var value string
	if addr == nil {
		if ip, ok := parseIP(p.Host); ok {
			src, _ := parseIP(msg.Src.IP)
			port := p.PortNumber()
			if ip == src && (msg.Src.Port == port || (p.Port == "" && msg.Src.Port == 5060)) &&
				uriProto(p.URI) == sipmsg.ProtoNumber(msg.Proto) {
				return 2
			}
		}
		proto := sipmsg.ProtoNumber(msg.Proto)
		if proto < sipmsg.ProtoUDP || proto > sipmsg.ProtoWSS {
			logf(c, klog.Err, "add_contact_alias_0(): invalid transport protocol")
			return -1
		}
		value = srcHost(msg) + "~" + strconv.Itoa(msg.Src.Port) + "~" + strconv.Itoa(proto)
	} else {
		if _, ok := parseIP(addr.ip); !ok {
			logf(c, klog.Err, "add_contact_alias_3(): ip param value %s is not valid IP address", addr.ip)
			return -1
		}
		if n, err := strconv.ParseUint(addr.port, 10, 32); err != nil || n == 0 || n > 65535 {
			logf(c, klog.Err, "add_contact_alias_3(): port param value is not valid port")
			return -1
		}
		proto := protoOf(addr.proto)
		if proto < 0 {
			logf(c, klog.Err, "add_contact_alias_3(): proto param value %s is not a known protocol", addr.proto)
			return -1
		}
		value = addr.ip + "~" + addr.port + "~" + strconv.Itoa(proto)
	}
	if state(c, msg) != nil {
		if addr == nil {
			logf(c, klog.Err, "add_contact_alias_0(): you can't call add_contact_alias twice, check your config!")
		} else {
			logf(c, klog.Err, "add_contact_alias_3(): you can't call alias_contact twice, check your config!")
		}
		return -1
	}
	bracket := strings.IndexByte(h.Value, '<') >= 0
	if !bracket {
		msg.Insert(h.At, "<")
	}
	param := m.salias + value
	if !bracket {
		param += ">"
	}
	msg.Insert(ct.uriAt+p.hostPortEnd, param)
	return 1
}

// aliasAddr is the address add_contact_alias(ip, port, proto) is given.
type aliasAddr struct{ ip, port, proto string }

func aliasFunc(a *aliasAddr) string {
	if a == nil {
		return "add_contact_alias_0"
	}
	return "add_contact_alias_3"
}

// protoOf maps a transport name to its number, -1 when unknown.
func protoOf(name string) int {
	switch strings.ToLower(name) {
	case "udp":
		return sipmsg.ProtoUDP
	case "tcp":
		return sipmsg.ProtoTCP
	case "tls":
		return sipmsg.ProtoTLS
	case "sctp":
		return sipmsg.ProtoSCTP
	case "ws":
		return sipmsg.ProtoWS
	case "wss":
		return sipmsg.ProtoWSS
	}
	return -1
}

// uriProto is the transport a URI's transport parameter names
// (ProtoNone without one, as Kamailio's parse_uri leaves it).
func uriProto(u *sipmsg.URI) int {
	t, ok := u.Param("transport")
	if !ok {
		return sipmsg.ProtoNone
	}
	return sipmsg.ProtoNumber(t)
}

// addRcvParam is add_rcv_param([uri_param]): every contact gets a
// received parameter holding the source address, as a contact parameter
// in quotes, or (with 1, over UDP only) as a URI parameter.
func (m *Module) addRcvParam(c *event.Context, msg *sipmsg.Msg, upos bool) int {
	if upos && sipmsg.ProtoNumber(msg.Proto) != sipmsg.ProtoUDP {
		logf(c, klog.Err, "ki_add_rcv_param(): adding received parameter to Contact URI works only for UDP")
		return -1
	}
	uri := msg.SrcURI(false)
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if sipmsg.CanonName(h.Name) != "contact" {
			continue
		}
		if h.At < 0 {
			return -1
		}
		if strings.TrimSpace(h.Value) == "*" {
			continue
		}
		for _, ct := range splitContacts(h) {
			if ct.uri == "" {
				return -1
			}
			if upos {
				msg.Insert(ct.uriAt+len(ct.uri), ";received="+uri)
			} else {
				msg.Insert(ct.end, ";received=\""+uri+"\"")
			}
		}
	}
	return 1
}

// fixNatedRegister is fix_nated_register(): the source address, as a
// URI, goes in received_avp for registrar's save.
func (m *Module) fixNatedRegister(c *event.Context, msg *sipmsg.Msg) int {
	if m.rcvAVP == nil {
		return 1
	}
	if err := m.rcvAVP.Set(c, valueStr(msg.SrcURI(false))); err != nil {
		logf(c, klog.Err, "fix_nated_register(): failed to create AVP")
		return -1
	}
	return 1
}

// aliasURI decodes the alias parameter of a contact's text into a URI
// (Kamailio's nh_alias_to_uri): sip:host:port;transport=proto.
func (m *Module) aliasURI(c *event.Context, text string) (string, bool) {
	sl := len(m.salias)
	hostAt, tilde := -1, -1
	for i := 0; i < len(text)-sl-5; i++ {
		if strings.HasPrefix(text[i:], m.salias) {
			hostAt = i + sl
			if t := strings.IndexByte(text[hostAt:], '~'); t >= 0 {
				tilde = hostAt + t
			} else {
				logf(c, klog.Err, "nh_alias_to_uri(): No alias parameter found for host")
				return "", false
			}
			break
		}
	}
	if tilde < 0 {
		logf(c, klog.Err, "nh_alias_to_uri(): Alias sign couldn't be found")
		return "", false
	}
	host := text[hostAt:tilde]
	if tilde+1 >= len(text) {
		logf(c, klog.Err, "nh_alias_to_uri(): Alias port is not set")
		return "", false
	}
	portAt := tilde + 1
	t2 := strings.IndexByte(text[portAt:], '~')
	if t2 < 0 {
		logf(c, klog.Err, "nh_alias_to_uri(): Alias sign couldn't be found for proto")
		return "", false
	}
	port := text[portAt : portAt+t2]
	proto := atoi(text[portAt+t2+1:])
	return "sip:" + host + ":" + port + ";transport=" + protoText(proto), true
}

// protoText is a transport's name in lower case, "" when unknown
// (Kamailio's proto_type_to_str).
func protoText(p int) string {
	if p < sipmsg.ProtoUDP || p > sipmsg.ProtoWSS {
		return ""
	}
	return sipmsg.ProtoName(p, true)
}

// atoi reads leading decimal digits as C's atoi does (0 when none).
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
