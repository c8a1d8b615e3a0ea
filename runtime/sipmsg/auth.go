package sipmsg

import (
	"errors"
	"strings"
)

// Credentials are the digest credentials of an Authorization or
// Proxy-Authorization header.
type Credentials struct {
	Username  string // as written, possibly user@domain
	User      string // Username before '@'
	Domain    string // Username after '@', "" when none
	Realm     string
	Nonce     string
	URI       string
	Response  string
	Algorithm string
	CNonce    string
	Opaque    string
	QOP       string
	NC        string
}

// ParseCredentials parses `Digest name=value, name="value", ...`.
func ParseCredentials(s string) (*Credentials, error) {
	s = strings.TrimSpace(s)
	scheme, rest, _ := strings.Cut(s, " ")
	if !strings.EqualFold(scheme, "digest") {
		return nil, errors.New("sipmsg: not digest credentials")
	}
	c := &Credentials{}
	for _, p := range SplitList(rest) {
		n, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, errors.New("sipmsg: bad credentials parameter " + p)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "username":
			c.Username = v
		case "realm":
			c.Realm = v
		case "nonce":
			c.Nonce = v
		case "uri":
			c.URI = v
		case "response":
			c.Response = v
		case "algorithm":
			c.Algorithm = v
		case "cnonce":
			c.CNonce = v
		case "opaque":
			c.Opaque = v
		case "qop":
			c.QOP = v
		case "nc":
			c.NC = v
		}
	}
	c.User, c.Domain, _ = strings.Cut(c.Username, "@")
	return c, nil
}

// Credentials returns the credentials of the first Proxy-Authorization
// header, else of the first Authorization header; ok is false when there
// is neither, err when the header does not parse.
func (m *Msg) Credentials() (c *Credentials, ok bool, err error) {
	h, found := m.Header("proxy-authorization")
	if !found {
		h, found = m.Header("authorization")
	}
	if !found {
		return nil, false, nil
	}
	c, err = ParseCredentials(h)
	return c, true, err
}
