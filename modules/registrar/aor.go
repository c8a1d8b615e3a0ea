package registrar

import (
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Limits Kamailio puts on an address of record.
const (
	maxAORLen    = 256
	maxUserLen   = 64 // USERNAME_MAX_SIZE
	maxDomainLen = 64 // DOMAIN_MAX_SIZE
)

// extractAOR makes the address of record of uri as Kamailio's extract_aor
// does: the unescaped user, with use_domain "@" and the host (without
// realm_prefix), lower-cased (the user kept as written with
// case_sensitive). The parsed URI comes back for the callers that need
// its parameters.
func (m *Module) extractAOR(c *state, uri string) (string, *sipmsg.URI, bool) {
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		c.rerr = rAORParse
		m.log.Logf(errLevel, Name, "extract_aor(): failed to parse AoR [%s]", uri)
		return "", nil, false
	}
	host := u.Host
	if u.IsTel() {
		host = ""
	}
	if len(u.User)+len(host)+1 > maxAORLen || len(u.User) > maxUserLen || len(host) > maxDomainLen {
		c.rerr = rAORLen
		m.log.Log(errLevel, Name, "extract_aor(): Address Of Record too long")
		return "", nil, false
	}
	user, ok := unescape(u.User)
	if !ok {
		c.rerr = rUnescape
		m.log.Log(errLevel, Name, "extract_aor(): failed to unescape username")
		return "", nil, false
	}
	aor := user
	if m.ul.UseDomain() {
		if user != "" {
			aor += "@"
		}
		if p := m.realmPrefix(); p != "" && len(p) < len(host) && host[:len(p)] == p {
			host = host[len(p):]
		}
		aor += host
	}
	switch {
	case m.live("case_sensitive") != 0 && user != "":
		// Only what follows "user@" is lower-cased; without use_domain
		// that is nothing.
		if len(aor) > len(user)+1 {
			aor = aor[:len(user)+1] + lower(aor[len(user)+1:])
		}
	default:
		aor = lower(aor)
	}
	return aor, u, true
}

// unescape decodes %XX escapes (Kamailio's un_escape); a bad escape
// fails.
func unescape(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			if b != nil {
				b = append(b, s[i])
			}
			continue
		}
		if b == nil {
			b = append([]byte(nil), s[:i]...)
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := hexVal(s[i+1])
		lo, ok2 := hexVal(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b = append(b, hi<<4|lo)
		i += 2
	}
	if b == nil {
		return s, true
	}
	return string(b), true
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
