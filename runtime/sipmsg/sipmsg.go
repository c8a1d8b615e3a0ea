// Package sipmsg owns kamgo's SIP message model: a parsed request or reply
// (first line, headers in order with several values per name, body), SIP
// URIs and name-addr header values, and the message an event has: the SIP
// message that caused it, or, for events that do not come from SIP (evapi,
// timers), a faked OPTIONS request as Kamailio builds one.
//
// A Msg is per event: routes may rewrite the request URI ($ru, $rU ...) or
// set the destination URI ($du); the original text stays in Buf.
package sipmsg

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
)

// Header is one header field as received: the name as written and the
// value without surrounding white space (continuation lines folded).
type Header struct {
	Name  string
	Value string
}

// Addr is a transport address.
type Addr struct {
	IP   string
	Port int
}

// Msg is a SIP message.
type Msg struct {
	Buf string // the message as received

	// Request line (Method is "" for a reply).
	Method  string
	RURI    string // Request-URI as received
	Version string

	// Status line of a reply.
	Status int
	Reason string

	Headers []Header
	Body    string

	// NewURI is the rewritten Request-URI, "" while unchanged.
	NewURI string
	// DstURI is the destination URI ($du), "" when unset.
	DstURI string

	Src, Dst Addr
	Proto    string // "udp", "tcp", "tls", "sctp", "ws", "wss"
}

// compact maps compact header names (RFC 3261 7.3.3 and extensions) to
// their long forms, lower case.
var compact = map[string]string{
	"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
	"c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
	"v": "via", "r": "refer-to", "b": "referred-by", "o": "event", "u": "allow-events",
	"x": "session-expires", "y": "identity", "a": "accept-contact", "j": "reject-contact",
	"d": "request-disposition",
}

// CanonName returns the lower-case long form of a header name.
func CanonName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if l, ok := compact[n]; ok {
		return l
	}
	return n
}

// Parse parses a SIP request or reply. Header lines end with CRLF or LF;
// continuation lines (starting with a space or tab) are folded into the
// previous value. The body is what follows the empty line.
func Parse(buf string) (*Msg, error) {
	m := &Msg{Buf: buf, Proto: "udp"}
	head, body, found := strings.Cut(buf, "\r\n\r\n")
	if !found {
		head, body, found = strings.Cut(buf, "\n\n")
	}
	if !found {
		return nil, errors.New("sipmsg: no end of headers")
	}
	m.Body = body
	lines := strings.Split(strings.ReplaceAll(head, "\r\n", "\n"), "\n")
	if err := m.firstLine(lines[0]); err != nil {
		return nil, err
	}
	for _, l := range lines[1:] {
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(m.Headers) == 0 {
				return nil, errors.New("sipmsg: continuation line before any header")
			}
			h := &m.Headers[len(m.Headers)-1]
			h.Value = strings.TrimSpace(h.Value + " " + strings.TrimSpace(l))
			continue
		}
		name, val, ok := strings.Cut(l, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, errors.New("sipmsg: bad header line " + strconv.Quote(l))
		}
		m.Headers = append(m.Headers, Header{Name: name, Value: strings.TrimSpace(val)})
	}
	return m, nil
}

func (m *Msg) firstLine(l string) error {
	f := strings.SplitN(l, " ", 3)
	if len(f) != 3 {
		return errors.New("sipmsg: bad first line " + strconv.Quote(l))
	}
	if strings.HasPrefix(f[0], "SIP/") {
		code, err := strconv.Atoi(f[1])
		if err != nil || code < 100 || code > 699 {
			return errors.New("sipmsg: bad status code " + strconv.Quote(f[1]))
		}
		m.Version, m.Status, m.Reason = f[0], code, f[2]
		return nil
	}
	if !strings.HasPrefix(f[2], "SIP/") {
		return errors.New("sipmsg: bad request line " + strconv.Quote(l))
	}
	m.Method, m.RURI, m.Version = f[0], f[1], f[2]
	return nil
}

// IsRequest reports whether m is a request.
func (m *Msg) IsRequest() bool { return m.Method != "" }

// Header returns the value of the first header named name (long or
// compact form, any case).
func (m *Msg) Header(name string) (string, bool) {
	want := CanonName(name)
	for _, h := range m.Headers {
		if CanonName(h.Name) == want {
			return h.Value, true
		}
	}
	return "", false
}

// HeaderValues returns the values of every header named name, in order.
func (m *Msg) HeaderValues(name string) []string {
	want := CanonName(name)
	var out []string
	for _, h := range m.Headers {
		if CanonName(h.Name) == want {
			out = append(out, h.Value)
		}
	}
	return out
}

// RequestURI returns the current Request-URI: the rewritten one, else the
// received one.
func (m *Msg) RequestURI() string {
	if m.NewURI != "" {
		return m.NewURI
	}
	return m.RURI
}

// SetRequestURI rewrites the Request-URI; it must parse as a URI.
func (m *Msg) SetRequestURI(s string) error {
	if _, err := ParseURI(s); err != nil {
		return err
	}
	m.NewURI = s
	return nil
}

// CSeq returns the number and method of the CSeq header.
func (m *Msg) CSeq() (num, method string, ok bool) {
	v, ok := m.Header("cseq")
	if !ok {
		return "", "", false
	}
	num, method, _ = strings.Cut(v, " ")
	return num, strings.TrimSpace(method), true
}

// FakedRequest is the request Kamailio runs non-SIP event routes with.
const FakedRequest = "OPTIONS sip:you@kamailio.org SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 127.0.0.1\r\n" +
	"From: <sip:you@kamailio.org>;tag=123\r\n" +
	"To: <sip:you@kamailio.org>\r\n" +
	"Call-ID: 123\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Content-Length: 0\r\n\r\n"

// Faked returns a new faked request. Its source and destination are
// 127.0.0.1:5060 over UDP; Kamailio 5.6.3 stores the address in host byte
// order, so on the little-endian machines it runs on it prints as
// 1.0.0.127, and so does kamgo.
func Faked() *Msg {
	m, err := Parse(FakedRequest)
	if err != nil {
		panic(err)
	}
	m.Src = Addr{IP: "1.0.0.127", Port: 5060}
	m.Dst = m.Src
	return m
}

var key = event.NewKey()

// Set attaches m to the event c.
func Set(c *event.Context, m *Msg) { c.Set(key, m) }

// FromContext returns the event's message. An event without one (evapi,
// timers) gets a faked request, new for each event, as in Kamailio.
func FromContext(c *event.Context) *Msg {
	if m, ok := c.Get(key).(*Msg); ok {
		return m
	}
	m := Faked()
	c.Set(key, m)
	return m
}
