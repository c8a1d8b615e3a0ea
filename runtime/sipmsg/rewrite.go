package sipmsg

import (
	"errors"
	"strings"
)

// URIPart names what a rewrite of a URI changes: the parts behind $rU,
// $rd and $rp, and the other set*() actions of Kamailio's core.
type URIPart int

// The rewrites RewriteURI and EditURI do.
const (
	PartUser          URIPart = iota // setuser(), $rU
	PartHost                         // sethost(), $rd
	PartPort                         // setport(), $rp
	PartUserPass                     // setuserpass(): the user, the password dropped
	PartHostPort                     // sethostport(): the host (a port may follow), the port dropped
	PartHostPortTrans                // sethostporttrans(): as PartHostPort, and the transport parameter dropped
	PartPrefix                       // prefix(): text put before the user
	PartStrip                        // strip(n): the first n characters of the user removed
	PartStripTail                    // strip_tail(n): the last n characters of the user removed
	PartUserPhone                    // userphone(): user=phone added
)

// URIEdit is one rewrite: what changes, the new text, and the count of
// characters for the strips.
type URIEdit struct {
	Part URIPart
	Text string
	N    int
}

// RewriteURI returns s with one part replaced by v (PartUser, PartHost or
// PartPort): EditURI with the text v.
func RewriteURI(s string, part URIPart, v string) (string, error) {
	return EditURI(s, URIEdit{Part: part, Text: v})
}

// EditURI returns s rewritten the way Kamailio's set*() actions (behind
// $rU, $rd, $rp, setuser(), prefix(), strip() ...) rebuild a URI: the
// scheme is written in lower case, a password stays only with a user, an
// empty user or port drops it (and the '@' or ':'), and setting the host
// of a tel: URI turns it into a sip: URI with user=phone. s must parse;
// the new text is not checked (a bad port makes a URI that later reads
// fail on). userphone() leaves a tel: URI, or one with user=phone, as it
// is.
func EditURI(s string, e URIEdit) (string, error) {
	u, err := ParseURI(s)
	if err != nil {
		return "", err
	}
	tel := u.IsTel()
	part := e.Part
	if part == PartPort && tel {
		return "", errors.New("port number of a tel: URI cannot be set")
	}
	if part == PartUserPhone && (tel || u.UserPhone()) {
		return s, nil
	}
	setsHost := part == PartHost || part == PartHostPort || part == PartHostPortTrans
	var b strings.Builder
	scheme := strings.ToLower(u.Scheme)
	if tel && setsHost {
		scheme = map[string]string{"tel": "sip", "tels": "sips"}[scheme]
	}
	b.WriteString(scheme + ":")
	user := u.User
	hasUser := false
	switch part {
	case PartUser, PartUserPass:
		user = e.Text
	case PartPrefix:
		user = e.Text + user
		hasUser = true // with a prefix there is a user, even an empty one
	case PartStrip:
		if e.N >= len(user) {
			user = ""
		} else {
			user = user[max(e.N, 0):]
		}
	case PartStripTail:
		if e.N >= len(user) {
			user = ""
		} else {
			user = user[:len(user)-max(e.N, 0)]
		}
	}
	b.WriteString(user)
	hasUser = hasUser || user != ""
	if hasUser && u.Password != "" && part != PartUserPass {
		b.WriteString(":" + u.Password)
	}
	if tel && u.Params != "" {
		b.WriteString(";" + u.Params)
	}
	host, hasHost := u.Host, !tel
	if setsHost {
		host, hasHost = e.Text, true
	}
	if hasHost {
		if hasUser {
			b.WriteByte('@')
		}
		b.WriteString(host)
	}
	port := u.Port
	switch part {
	case PartPort:
		port = e.Text
	case PartHostPort, PartHostPortTrans:
		port = ""
	}
	if port != "" {
		b.WriteString(":" + port)
	}
	if !tel && u.Params != "" {
		params := u.Params
		if part == PartHostPortTrans {
			params = withoutParam(params, "transport")
		}
		if params != "" {
			b.WriteString(";" + params)
		}
	}
	if (tel && setsHost) || part == PartUserPhone {
		b.WriteString(";user=phone")
	}
	if u.Headers != "" {
		b.WriteString("?" + u.Headers)
	}
	return b.String(), nil
}

// withoutParam is a parameter list (without its leading ';') with the
// parameter name left out.
func withoutParam(params, name string) string {
	var keep []string
	for _, p := range strings.Split(params, ";") {
		n, _, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(n), name) {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ";")
}
