package sipmsg

import (
	"errors"
	"testing"
)

// TestParseKeepsRequestURI: Kamailio 5.6.3 routes a request whatever its
// Request-URI reads (it parses the URI when something asks for its
// parts), so Parse takes every request line of three fields and keeps
// the URI as written; ParseURI is where it fails. A first line that is
// not a request line is still refused.
func TestParseKeepsRequestURI(t *testing.T) {
	const rest = " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\n" +
		"To: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 2\r\n\r\nhi"
	for _, tc := range []struct {
		uri    string
		uriErr bool
	}{
		{"sip:b@127.0.0.1", false},
		{"foo", true},
		{"*", true},
		{"sip:b@host:abc", true},
		{"sip:b@[::1", true},
		{"<sip:b@h>", true},
		{"sip:b@h:99999", true},
	} {
		m, err := Parse("OPTIONS " + tc.uri + rest)
		if err != nil {
			t.Errorf("%q: %v", tc.uri, err)
			continue
		}
		if m.RURI != tc.uri || m.Method != "OPTIONS" || m.Body != "hi" || len(m.Headers) != 6 {
			t.Errorf("%q: RURI %q method %q body %q, %d headers", tc.uri, m.RURI, m.Method, m.Body, len(m.Headers))
		}
		if v, ok := m.Header("call-id"); !ok || v != "c" {
			t.Errorf("%q: Call-ID %q", tc.uri, v)
		}
		if _, err := ParseURI(m.RURI); (err != nil) != tc.uriErr {
			t.Errorf("%q: ParseURI error %v", tc.uri, err)
		}
	}
	for _, first := range []string{"OPTIONS sip:a b SIP/2.0", "OPTIONS  SIP/2.0", "OPTIONS foo SIP/3.0", "OPTIONS foo"} {
		if _, err := Parse(first + rest[len(" SIP/2.0"):]); !errors.Is(err, ErrNotSIP) {
			t.Errorf("%q: parsed (%v)", first, err)
		}
	}
}

// TestURNURIs: urn: URIs read as Kamailio 5.6.3's parser reads them (SIP's
// grammar; "urn:NID:NSS" gives the user NID and the host NSS), and render
// back as written.
func TestURNURIs(t *testing.T) {
	for _, tc := range []struct {
		in, user, host, port string
		ok                   bool
	}{
		{"urn:service:sos", "service", "sos", "", true},
		{"URN:service:sos.fire", "service", "sos.fire", "", true},
		{"urn:foo", "", "foo", "", true},
		{"urn:a@b:5070", "a", "b", "5070", true},
		{"urn:service:123", "", "service", "123", true},
		{"urn:nena:service:sos", "", "", "", false},
		{"urn:service:sos;x=1", "", "", "", false},
	} {
		u, err := ParseURI(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v", tc.in, err)
			continue
		}
		if !tc.ok {
			continue
		}
		if u.User != tc.user || u.Host != tc.host || u.Port != tc.port || u.SchemeNumber() != 5 || u.String() != tc.in {
			t.Errorf("%s: user %q host %q port %q scheme %d renders %q", tc.in, u.User, u.Host, u.Port, u.SchemeNumber(), u.String())
		}
	}
}
