package sipmsg

import (
	"errors"
	"strings"
)

// URIPart names the part of a URI a rewrite replaces.
type URIPart int

// The parts RewriteURI can replace.
const (
	PartUser URIPart = iota
	PartHost
	PartPort
)

// RewriteURI returns s with one part replaced by v, built the way
// Kamailio's set*() actions (behind $rU, $rd, $rp) rebuild a URI: the
// scheme is written in lower case, a password stays only with a user, an
// empty user or port drops it (and the '@' or ':'), and setting the host
// of a tel: URI turns it into a sip: URI with user=phone. s must parse; v
// is not checked (a bad port makes a URI that later reads fail on).
func RewriteURI(s string, part URIPart, v string) (string, error) {
	u, err := ParseURI(s)
	if err != nil {
		return "", err
	}
	tel := u.IsTel()
	if part == PartPort && tel {
		return "", errors.New("port number of a tel: URI cannot be set")
	}
	var b strings.Builder
	scheme := strings.ToLower(u.Scheme)
	if tel && part == PartHost {
		scheme = map[string]string{"tel": "sip", "tels": "sips"}[scheme]
	}
	b.WriteString(scheme + ":")
	user := u.User
	if part == PartUser {
		user = v
	}
	b.WriteString(user)
	if user != "" && u.Password != "" {
		b.WriteString(":" + u.Password)
	}
	if tel && u.Params != "" {
		b.WriteString(";" + u.Params)
	}
	host, hasHost := u.Host, !tel
	if part == PartHost {
		host, hasHost = v, true
	}
	if hasHost {
		if user != "" {
			b.WriteByte('@')
		}
		b.WriteString(host)
	}
	port := u.Port
	if part == PartPort {
		port = v
	}
	if port != "" {
		b.WriteString(":" + port)
	}
	if !tel && u.Params != "" {
		b.WriteString(";" + u.Params)
	}
	if tel && part == PartHost {
		b.WriteString(";user=phone")
	}
	if u.Headers != "" {
		b.WriteString("?" + u.Headers)
	}
	return b.String(), nil
}
