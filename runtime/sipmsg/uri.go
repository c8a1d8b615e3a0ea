package sipmsg

import (
	"errors"
	"strconv"
	"strings"
)

// URI is a sip:, sips:, tel:, tels: or urn: URI, every part as written.
type URI struct {
	Scheme   string // as written ("sip", "SIPS" ...)
	User     string
	Password string
	Host     string // with brackets for IPv6 references
	Port     string // "" when absent
	Params   string // after the first ';', without it
	Headers  string // after '?', without it
	// urnPair marks a urn: URI written "urn:NID:NSS" (urn:service:sos):
	// Kamailio's parser reads it with SIP's grammar, the part before the
	// ':' as the user and the part after it, which is no port, as the
	// host.
	urnPair bool
}

// ParseURI parses a URI. tel: URIs keep the number in User and have no
// host.
func ParseURI(s string) (*URI, error) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return nil, errors.New("sipmsg: URI without scheme: " + strconv.Quote(s))
	}
	u := &URI{Scheme: s[:colon]}
	rest := s[colon+1:]
	urn := false
	switch strings.ToLower(u.Scheme) {
	case "sip", "sips":
	case "urn":
		urn = true
	case "tel", "tels":
		u.User, u.Params, _ = strings.Cut(rest, ";")
		if u.User == "" {
			return nil, errors.New("sipmsg: tel URI without number")
		}
		return u, nil
	default:
		return nil, errors.New("sipmsg: unsupported URI scheme " + strconv.Quote(u.Scheme))
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest, u.Headers = rest[:q], rest[q+1:]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		u.User, u.Password, _ = strings.Cut(rest[:at], ":")
		rest = rest[at+1:]
	}
	hp := rest
	if semi := strings.IndexByte(rest, ';'); semi >= 0 {
		hp, u.Params = rest[:semi], rest[semi+1:]
	}
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return nil, errors.New("sipmsg: unterminated IPv6 reference")
		}
		u.Host, hp = hp[:end+1], hp[end+1:]
		if hp != "" {
			if hp[0] != ':' {
				return nil, errors.New("sipmsg: junk after IPv6 reference")
			}
			u.Port = hp[1:]
		}
	} else {
		u.Host, u.Port, _ = strings.Cut(hp, ":")
		if urn && u.User == "" && !strings.Contains(rest, "@") && u.Port != "" && !isDigits(u.Port) {
			if u.Params != "" || u.Headers != "" || strings.Contains(u.Port, ":") {
				return nil, errors.New("sipmsg: bad urn URI " + strconv.Quote(s))
			}
			u.User, u.Host, u.Port, u.urnPair = u.Host, u.Port, "", true
		}
	}
	if u.Host == "" {
		return nil, errors.New("sipmsg: URI without host: " + strconv.Quote(s))
	}
	if u.Port != "" {
		if n, err := strconv.Atoi(u.Port); err != nil || n < 0 || n > 65535 {
			return nil, errors.New("sipmsg: bad port " + strconv.Quote(u.Port))
		}
	}
	return u, nil
}

// IsTel reports whether u is a tel: or tels: URI.
func (u *URI) IsTel() bool {
	s := strings.ToLower(u.Scheme)
	return s == "tel" || s == "tels"
}

// PortNumber returns the port, or the scheme's default (5061 for sips,
// 5060 otherwise) when none is written.
func (u *URI) PortNumber() int {
	if u.Port != "" {
		n, _ := strconv.Atoi(u.Port)
		return n
	}
	if strings.EqualFold(u.Scheme, "sips") {
		return 5061
	}
	return 5060
}

// Param returns the value of a URI parameter (names compare without case);
// ok is false when it is absent.
func (u *URI) Param(name string) (string, bool) {
	v, _, _, ok := param(u.Params, name)
	return v, ok
}

// String renders u.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteByte(':')
	if u.IsTel() {
		b.WriteString(u.User)
	} else {
		if u.urnPair {
			b.WriteString(u.User)
			b.WriteByte(':')
		} else if u.User != "" || u.Password != "" {
			b.WriteString(u.User)
			if u.Password != "" {
				b.WriteByte(':')
				b.WriteString(u.Password)
			}
			b.WriteByte('@')
		}
		b.WriteString(u.Host)
		if u.Port != "" {
			b.WriteByte(':')
			b.WriteString(u.Port)
		}
	}
	if u.Params != "" {
		b.WriteByte(';')
		b.WriteString(u.Params)
	}
	if u.Headers != "" {
		b.WriteByte('?')
		b.WriteString(u.Headers)
	}
	return b.String()
}

// Transport protocol numbers, as Kamailio numbers them ($pr, $rP, {uri.tosocket}).
const (
	ProtoNone = 0
	ProtoUDP  = 1
	ProtoTCP  = 2
	ProtoTLS  = 3
	ProtoSCTP = 4
	ProtoWS   = 5
	ProtoWSS  = 6
)

// ProtoNumber maps a transport name (any case) to its number, ProtoNone
// when unknown.
func ProtoNumber(name string) int {
	switch strings.ToLower(name) {
	case "udp":
		return ProtoUDP
	case "tcp":
		return ProtoTCP
	case "tls":
		return ProtoTLS
	case "sctp":
		return ProtoSCTP
	case "ws":
		return ProtoWS
	case "wss":
		return ProtoWSS
	}
	return ProtoNone
}

// ProtoName is the lower-case name of a transport number, "" when unknown.
// In URIs WSS is written "ws" (uri true), as Kamailio does.
func ProtoName(proto int, uri bool) string {
	switch proto {
	case ProtoUDP:
		return "udp"
	case ProtoTCP:
		return "tcp"
	case ProtoTLS:
		return "tls"
	case ProtoSCTP:
		return "sctp"
	case ProtoWS:
		return "ws"
	case ProtoWSS:
		if uri {
			return "ws"
		}
		return "wss"
	}
	return ""
}

// Proto is the transport the URI asks for with its transport parameter, as
// Kamailio's URI parser records it: udp, tcp, tls, sctp or ws, else
// ProtoNone (wss is not recognised there).
func (u *URI) Proto() int {
	t, ok := u.Param("transport")
	if !ok {
		return ProtoNone
	}
	if p := ProtoNumber(t); p != ProtoWSS {
		return p
	}
	return ProtoNone
}

// SchemeNumber is Kamailio's URI type: 1 sip, 2 sips, 3 tel, 4 tels, 5 urn. A
// sip: or sips: URI with the user=phone parameter is a tel: or tels: URI
// for Kamailio's parser (its phone2tel default).
func (u *URI) SchemeNumber() int {
	switch strings.ToLower(u.Scheme) {
	case "sip":
		if u.UserPhone() {
			return 3
		}
		return 1
	case "sips":
		if u.UserPhone() {
			return 4
		}
		return 2
	case "tel":
		return 3
	case "tels":
		return 4
	case "urn":
		return 5
	}
	return 0
}

// SchemeName is Kamailio's name for the URI type SchemeNumber gives.
func (u *URI) SchemeName() string {
	return [...]string{"none", "sip", "sips", "tel", "tels", "urn"}[u.SchemeNumber()]
}

// isDigits reports whether s is made of decimal digits only.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// UserPhone reports whether u is a sip: or sips: URI with user=phone.
func (u *URI) UserPhone() bool {
	if u.IsTel() {
		return false
	}
	v, ok := u.Param("user")
	return ok && v == "phone"
}

// UserName is the user as Kamailio's parser gives it: for a user=phone
// URI, the telephone number without its parameters.
func (u *URI) UserName() string {
	if u.UserPhone() {
		user, _, _ := strings.Cut(u.User, ";")
		return user
	}
	return u.User
}
