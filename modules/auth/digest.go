package auth

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// qop values of credentials (Kamailio's qop_type_t).
const (
	qopUnspec = iota
	qopAuth
	qopAuthInt
	qopOther
)

// digest is one Authorization or Proxy-Authorization header parsed as
// Kamailio's digest parser reads it: a parameter keeps the last value
// given for it, a quoted value ends at the next quote (no escapes), a
// token at white space or a comma. present says which were given at all
// (an empty quoted value is present).
type digest struct {
	username, user, domain string
	realm, nonce, uri      string
	response, cnonce       string
	opaque, qop, nc, alg   string
	present                uint16
	qopKind                int
}

// Presence bits of digest parameters.
const (
	hasUsername = 1 << iota
	hasRealm
	hasNonce
	hasURI
	hasResponse
	hasCNonce
	hasNC
	hasQOP
)

// digestParams names the parameters the parser keeps, with where they go.
var digestParams = []struct {
	name string
	bit  uint16
	set  func(d *digest, v string)
}{
	{"username", hasUsername, func(d *digest, v string) { d.username = v }},
	{"realm", hasRealm, func(d *digest, v string) { d.realm = v }},
	{"nonce", hasNonce, func(d *digest, v string) { d.nonce = v }},
	{"uri", hasURI, func(d *digest, v string) { d.uri = v }},
	{"response", hasResponse, func(d *digest, v string) { d.response = v }},
	{"cnonce", hasCNonce, func(d *digest, v string) { d.cnonce = v }},
	{"opaque", 0, func(d *digest, v string) { d.opaque = v }},
	{"qop", hasQOP, func(d *digest, v string) { d.qop = v }},
	{"nc", hasNC, func(d *digest, v string) { d.nc = v }},
	{"algorithm", 0, func(d *digest, v string) { d.alg = v }},
}

// parseResult is what parsing a credentials header gives.
type parseResult int

const (
	parsedDigest parseResult = iota // digest credentials
	otherScheme                     // not Digest: skipped when searching
	malformed                       // Digest, but a parameter does not parse
)

func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimLeadingLWS(s string) string {
	i := 0
	for i < len(s) && isLWS(s[i]) {
		i++
	}
	return s[i:]
}

// parseDigest parses a credentials header value.
func parseDigest(v string) (*digest, parseResult) {
	s := trimLeadingLWS(v)
	if len(s) < 7 || !strings.EqualFold(s[:6], "digest") || !(isLWS(s[6]) || s[6] == ',') {
		return nil, otherScheme
	}
	s = trimLeadingLWS(s[7:])
	d := &digest{}
	for {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, malformed
		}
		name := strings.TrimRight(s[:eq], " \t\r\n")
		s = trimLeadingLWS(s[eq+1:])
		if s == "" {
			return nil, malformed
		}
		var val string
		if s[0] == '"' {
			if len(s) < 2 {
				return nil, malformed
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, malformed
			}
			val, s = s[1:1+end], s[2+end:]
		} else {
			i := strings.IndexAny(s, " \t\r\n,")
			if i < 0 {
				i = len(s)
			}
			if i == 0 {
				return nil, malformed
			}
			val, s = s[:i], s[i:]
		}
		for _, p := range digestParams {
			if strings.EqualFold(name, p.name) {
				p.set(d, val)
				d.present |= p.bit
				break
			}
		}
		comma := strings.IndexByte(s, ',')
		if comma < 0 {
			break
		}
		s = trimLeadingLWS(s[comma+1:])
	}
	if d.present&hasQOP != 0 {
		d.qopKind = parseQOP(d.qop)
	}
	if d.present&hasUsername != 0 {
		d.user, d.domain = splitUsername(d.username)
	}
	return d, parsedDigest
}

// parseQOP classifies a qop value, case-insensitively, white space
// around it ignored.
func parseQOP(s string) int {
	s = strings.Trim(s, " \t\r\n")
	switch {
	case s == "":
		return qopUnspec
	case strings.EqualFold(s, "auth"):
		return qopAuth
	case strings.EqualFold(s, "auth-int"):
		return qopAuthInt
	}
	return qopOther
}

// splitUsername splits user@domain; a "sip:" style prefix before the
// user is dropped. Names of two characters or fewer stay whole.
func splitUsername(whole string) (user, domain string) {
	user = whole
	if len(whole) <= 2 {
		return user, ""
	}
	if at := strings.IndexByte(whole, '@'); at >= 0 {
		user, domain = whole[:at], whole[at+1:]
	}
	if colon := strings.IndexByte(user, ':'); colon >= 0 {
		user = user[colon+1:]
	}
	return user, domain
}

// complete reports whether the credentials carry what a response check
// needs (Kamailio's check_dig_cred).
func (d *digest) complete() bool {
	need := uint16(hasUsername | hasRealm | hasNonce | hasURI | hasResponse)
	if d.qopKind == qopAuth || d.qopKind == qopAuthInt {
		need |= hasCNonce | hasNC
	}
	return d.present&need == need
}

// Header kinds credentials are searched in.
const (
	wwwAuth   = "authorization"
	proxyAuth = "proxy-authorization"
)

// findResult is the outcome of a search for credentials.
type findResult int

const (
	found findResult = iota
	notFound
	parseError
)

// findCredentials looks through the headers of kind (in order) for
// Digest credentials whose realm is realm, compared without regard to
// case. A malformed Digest header before the match ends the search with
// parseError.
func findCredentials(msg *sipmsg.Msg, realm, kind string) (idx int, d *digest, res findResult) {
	for i := range msg.Headers {
		h := &msg.Headers[i]
		if !h.Is(kind) {
			continue
		}
		d, r := parseDigest(h.Value)
		switch r {
		case malformed:
			return -1, nil, parseError
		case otherScheme:
			continue
		}
		if len(d.realm) == len(realm) && strings.EqualFold(d.realm, realm) {
			return i, d, found
		}
	}
	return -1, nil, notFound
}
