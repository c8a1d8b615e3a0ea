package sipmsg

import (
	"errors"
	"strconv"
	"strings"
)

// URI is a sip:, sips:, tel: or tels: URI, every part as written.
type URI struct {
	Scheme   string // as written ("sip", "SIPS" ...)
	User     string
	Password string
	Host     string // with brackets for IPv6 references
	Port     string // "" when absent
	Params   string // after the first ';', without it
	Headers  string // after '?', without it
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
	switch strings.ToLower(u.Scheme) {
	case "sip", "sips":
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
	for _, p := range strings.Split(u.Params, ";") {
		n, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// String renders u.
func (u *URI) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteByte(':')
	if u.IsTel() {
		b.WriteString(u.User)
	} else {
		if u.User != "" || u.Password != "" {
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

// NameAddr is a From/To/Contact style value: an optional display name, the
// URI and the header parameters after it.
type NameAddr struct {
	Display string // without quotes and surrounding white space
	URI     string
	Params  string // after the address, without the leading ';'
}

// ParseNameAddr parses `"Name" <uri>;p=v`, `Name <uri>` or `uri;p=v`.
func ParseNameAddr(s string) (*NameAddr, error) {
	s = strings.TrimSpace(s)
	na := &NameAddr{}
	lt, inq := -1, false
	for i := 0; i < len(s); i++ {
		if s[i] == '"' && (i == 0 || s[i-1] != '\\') {
			inq = !inq
		}
		if !inq && s[i] == '<' {
			lt = i
			break
		}
	}
	if lt >= 0 {
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return nil, errors.New("sipmsg: missing '>' in " + strconv.Quote(s))
		}
		gt += lt
		d := strings.TrimSpace(s[:lt])
		if len(d) >= 2 && d[0] == '"' && d[len(d)-1] == '"' {
			d = d[1 : len(d)-1]
		}
		na.Display, na.URI = d, s[lt+1:gt]
		na.Params = strings.TrimPrefix(strings.TrimSpace(s[gt+1:]), ";")
	} else {
		na.URI, na.Params, _ = strings.Cut(s, ";")
	}
	if na.URI == "" {
		return nil, errors.New("sipmsg: empty address")
	}
	return na, nil
}

// Param returns the value of a header parameter such as tag.
func (na *NameAddr) Param(name string) (string, bool) {
	if na.Params == "" {
		return "", false
	}
	for _, p := range strings.Split(na.Params, ";") {
		n, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
