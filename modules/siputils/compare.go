package siputils

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// cmp_uri, cmp_aor and cmp_hdr_name: 1 when the two match, -1 when they
// do not, -2 when one does not parse (Kamailio's cmp_*_str answer 0, a
// positive or a negative number).

// rc maps a Kamailio comparison result to the functions' return code.
func rc(cmp int) int {
	switch {
	case cmp == 0:
		return 1
	case cmp > 0:
		return -1
	}
	return -2
}

func cmpURI(_ *event.Context, _ *sipmsg.Msg, a []string) int { return rc(compareURIs(a[0], a[1])) }

func cmpAOR(_ *event.Context, _ *sipmsg.Msg, a []string) int { return rc(compareAORs(a[0], a[1])) }

func cmpHdrName(c *event.Context, _ *sipmsg.Msg, a []string) int {
	return rc(compareHeaderNames(c, a[0], a[1]))
}

// compareURIs compares two URIs as RFC 3261 19.1.4 says, the way
// Kamailio's cmp_uri does: same scheme (a sip: URI with user=phone is a
// tel: URI), user, password and port as written, host without case; then
// the user, ttl, method and maddr parameters must not be on one side
// only, and parameters on both sides must have the same value (without
// case). 0 for a match, 1 for none, -1 when one does not parse.
func compareURIs(s1, s2 string) int {
	u1, err1 := sipmsg.ParseURI(s1)
	u2, err2 := sipmsg.ParseURI(s2)
	if err1 != nil || err2 != nil {
		return -1
	}
	if u1.SchemeNumber() != u2.SchemeNumber() || u1.UserName() != u2.UserName() ||
		u1.Port != u2.Port || u1.Password != u2.Password || !strings.EqualFold(u1.Host, u2.Host) {
		return 1
	}
	if u1.Params == "" && u2.Params == "" {
		return 0
	}
	for _, pair := range [][2]*sipmsg.URI{{u1, u2}, {u2, u1}} {
		if pair[0].Params != "" {
			continue
		}
		for _, n := range []string{"user", "ttl", "method", "maddr"} {
			if _, ok := pair[1].Param(n); ok {
				return 1
			}
		}
	}
	for _, p1 := range splitParams(u1.Params) {
		for _, p2 := range splitParams(u2.Params) {
			if strings.EqualFold(p1[0], p2[0]) && !strings.EqualFold(p1[1], p2[1]) {
				return 1
			}
		}
	}
	return 0
}

// splitParams splits a parameter list (without its leading ';') into
// trimmed names and values.
func splitParams(s string) [][2]string {
	if s == "" {
		return nil
	}
	var out [][2]string
	for _, p := range strings.Split(s, ";") {
		n, v, _ := strings.Cut(p, "=")
		out = append(out, [2]string{strings.TrimSpace(n), strings.TrimSpace(v)})
	}
	return out
}

// compareAORs compares the user (with case), host (without) and port of
// two URIs, a missing port being 5060, as Kamailio's cmp_aor does.
func compareAORs(s1, s2 string) int {
	u1, err1 := sipmsg.ParseURI(s1)
	u2, err2 := sipmsg.ParseURI(s2)
	if err1 != nil || err2 != nil {
		return -1
	}
	if u1.UserName() != u2.UserName() || !strings.EqualFold(u1.Host, u2.Host) {
		return 1
	}
	// Two written ports that differ as text still match, as in Kamailio.
	if u1.Port != u2.Port &&
		(u1.Port == "" && u2.PortNumber() != 5060 || u2.Port == "" && u1.PortNumber() != 5060) {
		return 1
	}
	return 0
}

// compareHeaderNames compares two header names: names of headers
// Kamailio knows compare by the header they name (From and f match);
// other names compare without case. Trailing white space does not count.
// A name that does not start with a header-name character is an error.
func compareHeaderNames(c *event.Context, s1, s2 string) int {
	n1, n2 := strings.TrimRight(s1, " \t\r\n"), strings.TrimRight(s2, " \t\r\n")
	t1, ok1 := headerType(c, n1)
	t2, ok2 := headerType(c, n2)
	if !ok1 || !ok2 {
		logf(c, klog.Err, "cmp_hdrname_str(): error parsing header names [%s] [%s]", n1, n2)
		return -4
	}
	switch {
	case t1 != "":
		if t1 == t2 {
			return 0
		}
		return 2
	case t2 != "":
		return 2
	}
	return compareFold(n1, n2)
}

// compareFold is Kamailio's cmpi_str: 0 when equal without case, else
// the sign of the first difference, a shorter text being smaller.
func compareFold(a, b string) int {
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		x, y := lower(a[i]), lower(b[i])
		if x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// hnameChars are the characters of a header name, as Kamailio's parser
// accepts them.
const hnameChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._+~"

// knownHeaders are the headers Kamailio's parser gives a type of their
// own, by lower-case long name (compact forms map to them through
// sipmsg.CanonName).
var knownHeaders = map[string]bool{
	"accept": true, "accept-contact": true, "accept-language": true, "allow": true,
	"allow-events": true, "authorization": true, "call-id": true, "call-info": true,
	"contact": true, "content-disposition": true, "content-encoding": true,
	"content-length": true, "content-type": true, "cseq": true, "date": true,
	"diversion": true, "event": true, "expires": true, "from": true, "identity": true,
	"identity-info": true, "max-forwards": true, "min-expires": true, "min-se": true,
	"organization": true, "path": true, "priority": true, "privacy": true,
	"proxy-authenticate": true, "proxy-authorization": true, "proxy-require": true,
	"p-preferred-identity": true, "p-asserted-identity": true, "reason": true,
	"record-route": true, "refer-to": true, "referred-by": true, "reject-contact": true,
	"remote-party-id": true, "request-disposition": true, "require": true,
	"retry-after": true, "route": true, "server": true, "session-expires": true,
	"sip-if-match": true, "subject": true, "subscription-state": true, "supported": true,
	"to": true, "unsupported": true, "user-agent": true, "via": true,
	"www-authenticate": true,
}

// headerType is the header a name names ("" for one Kamailio has no type
// for), read from its leading header-name characters; ok is false when
// the name does not start with one.
func headerType(c *event.Context, name string) (typ string, ok bool) {
	if name == "" {
		return "", false
	}
	end := 0
	for end < len(name) && strings.IndexByte(hnameChars, name[end]) >= 0 {
		end++
	}
	if end == 0 {
		logf(c, klog.Err, "parse_sip_header_name(): invalid start of header name for [%s]", name)
		return "", false
	}
	if t := sipmsg.CanonName(name[:end]); knownHeaders[t] {
		return t, true
	}
	return "", true
}
