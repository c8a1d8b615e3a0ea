package siputils

import (
	"encoding/base64"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Contact URIs in the message text: where each contact's URI is, so that
// the functions that rewrite it can replace exactly those bytes.

// contactURI is one contact of a Contact header: its URI as written and
// its offset in the message text.
type contactURI struct {
	URI string
	At  int
}

// contactHeaders returns the Contact header fields of msg, in order.
func contactHeaders(msg *sipmsg.Msg) []sipmsg.Header {
	var out []sipmsg.Header
	for _, h := range msg.Headers {
		if h.Is("contact") {
			out = append(out, h)
		}
	}
	return out
}

// contacts lists the contacts of the Contact field h as written in
// msg.Buf (continuation lines included): the URI between '<' and '>', or,
// without them, up to the first ';'. A "*" field has none. The list is
// last contact first, the order Kamailio's parser keeps them in and its
// functions visit them (so a failure stops before the earlier ones).
func contacts(msg *sipmsg.Msg, h sipmsg.Header) []contactURI {
	field := msg.Buf[h.Start:h.End]
	colon := strings.IndexByte(field, ':')
	if colon < 0 {
		return nil
	}
	base := h.Start + colon + 1
	val := field[colon+1:]
	var out []contactURI
	start, inq, angle := 0, false, 0
	for i := 0; i <= len(val); i++ {
		if i < len(val) {
			switch ch := val[i]; {
			case ch == '"' && (i == 0 || val[i-1] != '\\'):
				inq = !inq
				continue
			case inq:
				continue
			case ch == '<':
				angle++
				continue
			case ch == '>' && angle > 0:
				angle--
				continue
			case ch != ',' || angle > 0:
				continue
			}
		}
		if u, at, ok := elementURI(val[start:i]); ok {
			out = append([]contactURI{{URI: u, At: base + start + at}}, out...)
		}
		start = i + 1
	}
	return out
}

const ws = " \t\r\n"

// elementURI finds the URI of one contact: its text and offset in el.
func elementURI(el string) (uri string, at int, ok bool) {
	inq := false
	for i := 0; i < len(el); i++ {
		switch {
		case el[i] == '"' && (i == 0 || el[i-1] != '\\'):
			inq = !inq
		case !inq && el[i] == '<':
			end := strings.IndexByte(el[i:], '>')
			if end < 0 {
				return "", 0, false
			}
			return el[i+1 : i+end], i + 1, true
		}
	}
	lead := len(el) - len(strings.TrimLeft(el, ws))
	s := el[lead:]
	if semi := strings.IndexByte(s, ';'); semi >= 0 {
		s = s[:semi]
	}
	s = strings.TrimRight(s, ws)
	if s == "" || s == "*" {
		return "", 0, false
	}
	return s, lead, true
}

// separator is the first byte of contact_flds_separator, '*' when it is
// empty.
func (m *Module) sep() byte {
	if m.separator == "" {
		return defSeparator[0]
	}
	return m.separator[0]
}

// encodeContact is encode_contact(prefix, ip): each contact of the first
// Contact header, sip:user:pass@host:port;transport=proto, becomes
// sip:PREFIX*user*pass*host*port*proto@IP.
func (m *Module) encodeContact(c *event.Context, msg *sipmsg.Msg, a []string) int {
	hs := contactHeaders(msg)
	if len(hs) == 0 {
		logf(c, klog.Err, "ki_encode_contact(): no Contact header present")
		return -1
	}
	for _, ct := range contacts(msg, hs[0]) {
		s, res := encodeURI(c, ct.URI, a[0], a[1], m.sep())
		if res != 0 {
			logf(c, klog.Err, "ki_encode_contact(): failed encoding contact - return code %d", res)
			return res
		}
		msg.Replace(ct.At, len(ct.URI), s)
	}
	return 1
}

// encodeURI is Kamailio's encode_uri: the result, or a negative code.
// The URI is read from three characters before its first ':' (the
// scheme is taken to be "sip"); its parameters other than transport are
// dropped.
func encodeURI(c *event.Context, uri, prefix, ip string, sep byte) (string, int) {
	if len(uri) <= 1 {
		return "", -1
	}
	colon := strings.IndexByte(uri, ':')
	var res int
	switch {
	case colon < 0:
		res = -5
	case colon < 3:
		res = -6
	}
	var u *sipmsg.URI
	if res == 0 {
		var err error
		if u, err = sipmsg.ParseURI(uri[colon-3:]); err != nil || u.IsTel() {
			logf(c, klog.Err, "encode2format(): parse_uri failed on [%s] - return code -1", uri)
			res = -11
		}
	}
	if res != 0 {
		logf(c, klog.Err, "encode_uri(): unable to encode Contact URI [%s].Return code %d", uri, res)
		return "", res - 20
	}
	proto, _ := u.Param("transport")
	s := string(sep)
	return uri[:colon+1] + prefix + s + u.User + s + u.Password + s + u.Host + s + u.Port + s + proto + "@" + ip, 0
}

// decodeContact is decode_contact(): the Request-URI, encoded by
// encode_contact, is decoded.
func (m *Module) decodeContact(c *event.Context, msg *sipmsg.Msg) int {
	uri := msg.RequestURI()
	s, res := decodeURI(c, uri, m.sep())
	if res != 0 {
		logf(c, klog.Err, "ki_decode_contact(): failed decoding contact [%s] - return code %d", uri, res)
		return res
	}
	msg.SetRequestURI(s)
	return 1
}

// decodeContactHeader is decode_contact_header(): each contact of the
// first Contact header is decoded.
func (m *Module) decodeContactHeader(c *event.Context, msg *sipmsg.Msg) int {
	hs := contactHeaders(msg)
	if len(hs) == 0 {
		logf(c, klog.Err, "ki_decode_contact_header(): no Contact header present")
		return -1
	}
	for _, ct := range contacts(msg, hs[0]) {
		s, res := decodeURI(c, ct.URI, m.sep())
		if res != 0 {
			logf(c, klog.Err, "ki_decode_contact_header(): failed decoding contact [%s] - return code %d", ct.URI, res)
			return res
		}
		msg.Replace(ct.At, len(ct.URI), s)
	}
	return 1
}

// decodeURI is Kamailio's decode_uri: sip:PREFIX*user*pass*host*port*proto@IP
// back to sip:user:pass@host:port;transport=proto, what follows the IP
// (from a ';' or '>') kept. The result, or a negative code.
func decodeURI(c *event.Context, uri string, sep byte) (string, int) {
	if uri == "" {
		logf(c, klog.Err, "decode_uri(): invalid value for uri")
		return "", -1
	}
	f, res := decodeFormat(c, uri, sep)
	if res < 0 {
		logf(c, klog.Err, "decode_uri(): failed to decode Contact uri .Error code %d", res)
		return "", res - 20
	}
	if f.ip == "" {
		logf(c, klog.Err, "decode_uri(): unable to decode host address ")
		return "", -2
	}
	if f.pass != "" && f.user == "" {
		logf(c, klog.Err, "decode_uri(): password decoded but no username available")
		return "", -3
	}
	var b strings.Builder
	b.WriteString(uri[:f.first])
	if f.user != "" {
		b.WriteString(f.user)
		if f.pass != "" {
			b.WriteString(":" + f.pass)
		}
		b.WriteByte('@')
	}
	b.WriteString(f.ip)
	if f.port != "" {
		b.WriteString(":" + f.port)
	}
	if f.proto != "" {
		b.WriteString(";transport=" + f.proto)
	}
	b.WriteString(uri[f.second:])
	return b.String(), 0
}

// uriFormat is an encoded URI's parts: first is where the user part
// starts (after the scheme's ':'), second where the text after the
// encoding IP starts.
type uriFormat struct {
	first, second               int
	user, pass, ip, port, proto string
}

func decodeFormat(c *event.Context, uri string, sep byte) (uriFormat, int) {
	var f uriFormat
	colon := strings.IndexByte(uri, ':')
	if colon < 0 {
		logf(c, klog.Err, "decode2format(): invalid SIP uri - missing :")
		return f, -2
	}
	f.first = colon + 1
	at := strings.IndexByte(uri[f.first:], '@')
	if at < 0 {
		logf(c, klog.Err, "decode2format(): invalid SIP uri - missing @")
		return f, -3
	}
	at += f.first
	fields := strings.Split(uri[f.first:at], string(sep))
	switch {
	case len(fields) > 6:
		return f, -4
	case len(fields) < 6:
		logf(c, klog.Err, "decode2format(): unexpected state %d", len(fields)-1)
		return f, -6
	}
	f.user, f.pass, f.ip, f.port, f.proto = fields[1], fields[2], fields[3], fields[4], fields[5]
	f.second = len(uri)
	if end := strings.IndexAny(uri[at:], ";>"); end >= 0 {
		f.second = at + end
	}
	return f, 0
}

// contactParamEncode is contact_param_encode(name, addr): each contact
// URI of the first Contact header becomes addr;name=B where B is the URI
// in unpadded base64url, in angle brackets unless it already was.
func contactParamEncode(c *event.Context, msg *sipmsg.Msg, a []string) int {
	hs := contactHeaders(msg)
	if len(hs) == 0 {
		return 1
	}
	for _, ct := range contacts(msg, hs[0]) {
		if len(ct.URI) <= 4 {
			continue
		}
		enc := strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(ct.URI)), "=")
		s := a[1] + ";" + a[0] + "=" + enc
		if ct.At == 0 || msg.Buf[ct.At-1] != '<' {
			s = "<" + s + ">"
		}
		msg.Replace(ct.At, len(ct.URI), s)
	}
	return 1
}

// paramSpan finds the parameter name (without case) of a URI: its value
// and where it is in uri, from the ';' before it to the end of its value.
func paramSpan(uri, name string) (val string, start, end int, found bool) {
	u, err := sipmsg.ParseURI(uri)
	if err != nil || u.Params == "" {
		return "", 0, 0, false
	}
	body := uri
	if u.Headers != "" {
		body = uri[:len(uri)-len(u.Headers)-1]
	}
	at := len(body) - len(u.Params) - 1 // the ';' before the first one
	for _, p := range strings.Split(u.Params, ";") {
		n, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v), at, at + 1 + len(strings.TrimRight(p, ws)), true
		}
		at += 1 + len(p)
	}
	return "", 0, 0, false
}

// decodeParam decodes a contact_param_encode value: unpadded base64url.
func decodeParam(v string) (string, bool) {
	if n := len(v) % 4; n != 0 {
		v += strings.Repeat("=", 4-n)
	}
	d, err := base64.URLEncoding.DecodeString(v)
	if err != nil || len(d) == 0 {
		return "", false
	}
	return string(d), true
}

// eachParamContact calls visit for each contact URI of every Contact
// header whose parameters the contact_param functions read: a URI shorter
// than 4 bytes is skipped, one that does not parse ends the walk with -1,
// one whose parameters do not parse is skipped, each logged with the
// function's name fn. A visit that returns non-zero ends the walk with
// that value; 0 is returned when every contact was visited.
func eachParamContact(c *event.Context, msg *sipmsg.Msg, fn string, visit func(ct contactURI) int) int {
	for _, h := range contactHeaders(msg) {
		for _, ct := range contacts(msg, h) {
			if len(ct.URI) < 4 {
				continue
			}
			u, err := sipmsg.ParseURI(ct.URI)
			if err != nil {
				logf(c, klog.Err, "%s(): failed to parse contact uri [%s]", fn, ct.URI)
				return -1
			}
			if !paramsValid(u.Params) {
				logf(c, klog.Err, "%s(): failed to parse uri params [%s]", fn, ct.URI)
				continue
			}
			if rc := visit(ct); rc != 0 {
				return rc
			}
		}
	}
	return 0
}

// contactParamDecode is contact_param_decode(name): each contact URI of
// every Contact header that has the parameter with a value is replaced
// by that value, decoded.
func contactParamDecode(c *event.Context, msg *sipmsg.Msg, a []string) int {
	const fn = "ki_contact_param_decode"
	rc := eachParamContact(c, msg, fn, func(ct contactURI) int {
		v, _, _, ok := paramSpan(ct.URI, a[0])
		if !ok || v == "" {
			return 0
		}
		d, ok := decodeParam(v)
		if !ok {
			logf(c, klog.Err, "%s(): failed to decode contact uri [%s]", fn, ct.URI)
			return -1
		}
		msg.Replace(ct.At, len(ct.URI), d)
		return 0
	})
	if rc < 0 {
		return rc
	}
	return 1
}

// contactParamDecodeRURI is contact_param_decode_ruri(name): the
// Request-URI becomes its parameter's value, decoded.
func contactParamDecodeRURI(c *event.Context, msg *sipmsg.Msg, a []string) int {
	uri := msg.RequestURI()
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		logf(c, klog.Err, "ki_contact_param_decode_ruri(): failed to parse r-uri [%s]", uri)
		return -1
	}
	if !paramsValid(u.Params) {
		logf(c, klog.Err, "ki_contact_param_decode_ruri(): failed to parse uri params [%s]", uri)
		return -1
	}
	v, _, _, ok := paramSpan(uri, a[0])
	if !ok || v == "" {
		return 1
	}
	d, ok := decodeParam(v)
	if !ok {
		logf(c, klog.Err, "ki_contact_param_decode_ruri(): failed to decode uri [%s]", uri)
		return -1
	}
	msg.SetRequestURI(d)
	return 1
}

// contactParamRm is contact_param_rm(name): the parameter is removed from
// each contact URI of every Contact header.
func contactParamRm(c *event.Context, msg *sipmsg.Msg, a []string) int {
	rc := eachParamContact(c, msg, "ki_contact_param_rm", func(ct contactURI) int {
		if _, start, end, ok := paramSpan(ct.URI, a[0]); ok {
			msg.Remove(ct.At+start, end-start)
		}
		return 0
	})
	if rc < 0 {
		return rc
	}
	return 1
}
