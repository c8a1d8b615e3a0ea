package sipmsg

import (
	"fmt"
	"strings"
)

// HTTP requests reach the core over TCP as SIP messages do (Kamailio's
// xhttp serves them from the SIP listeners): a request line with an HTTP
// version, header lines, the empty line and a body. They are parsed as SIP
// requests are, keeping their version.

// HTTPRequestLine reports whether line (the first line of a message,
// without its CRLF) is an HTTP/1.0 or HTTP/1.1 request line.
func HTTPRequestLine(line string) bool {
	sp := strings.LastIndexByte(line, ' ')
	if sp <= 0 || strings.IndexByte(line, ' ') == sp {
		return false
	}
	v := line[sp+1:]
	return v == "HTTP/1.0" || v == "HTTP/1.1"
}

// IsHTTP reports whether m is an HTTP request.
func (m *Msg) IsHTTP() bool { return m.Method != "" && strings.HasPrefix(m.Version, "HTTP/") }

// ParseHTTP parses an HTTP request as Parse parses a SIP one; Version keeps
// the request's HTTP version.
func ParseHTTP(buf string) (*Msg, error) {
	eol := strings.Index(buf, "\r\n")
	if eol < 0 || !HTTPRequestLine(buf[:eol]) {
		return nil, fmt.Errorf("%w: not an HTTP request", ErrNotSIP)
	}
	// sipgo reads SIP request lines only (a URI with a scheme, SIP/2.0): it
	// is given one in place of the HTTP line, and the method, path and
	// version are taken from buf as written.
	sp := strings.IndexByte(buf, ' ')
	sm, err := parser.ParseSIP([]byte(buf[:sp+1] + "sip:http SIP/2.0" + buf[eol:]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSIP, err)
	}
	m := &Msg{Buf: buf, Proto: "tcp", RuriQ: QUnspecified}
	if err := m.fill(sm); err != nil {
		return nil, err
	}
	m.ID = NextID()
	return m, nil
}
