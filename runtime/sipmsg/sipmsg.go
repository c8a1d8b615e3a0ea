// Package sipmsg owns kamgo's SIP message model: a parsed request or reply
// (first line, headers in order with several values per name, body), SIP
// URIs and name-addr header values, and the message an event has: the SIP
// message that caused it, or, for events that do not come from SIP (evapi,
// timers), a faked OPTIONS request as Kamailio builds one.
//
// Messages are parsed by sipgo (parse.go); the parts the pseudo-variables
// read are then read from the text as written. A Msg is per event: routes
// may rewrite the request URI ($ru, $rU ...), set the destination URI
// ($du) or how it is sent (Send); the original text stays in Buf.
package sipmsg

import (
	"strings"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/event"
)

// Header is one header field as received: the name as written and the
// value without surrounding white space (continuation lines folded).
// Start and End delimit the whole field in the message text, from its
// name to after its line end (continuation lines included): what a reply
// copies and a forwarded request keeps.
type Header struct {
	Name       string
	Value      string
	At         int // offset of Value in the message, -1 when folded or empty
	Start, End int
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

	// Rcv is the local socket the message arrived on; nil for a faked
	// request.
	Rcv *Socket
	// ForceSocket is the socket forced for sending ($fs), nil when none.
	ForceSocket *Socket

	// The Request-URI's branch attributes and the other branches (the
	// destination set). They belong to the message: a new message starts
	// with none.
	RuriQ     int    // QUnspecified when unset
	RuriFlags uint32 // branch flags of the Request-URI ($bf)
	// ID numbers the messages of the process ($mi). (Here, where it
	// packs with RuriFlags: a message is copied several times per
	// transaction.)
	ID         uint32
	Branches   []Branch
	PathVec    string
	Ruid       string
	LocationUA string
	Instance   string
	RegID      uint32
	OTcpID     uint32

	// Edits are changes to the message text that show in the rebuilt
	// message ($mbu) but not in the parsed fields, as Kamailio's lumps.
	Edits []Edit

	// ReplyHeaders are header lines, each with its CRLF, that local
	// replies to this request carry (Kamailio's reply lumps:
	// append_to_reply).
	ReplyHeaders string
	// Send holds what the script asked about sending this message and
	// its replies (Kamailio's message flags and send flags).
	Send SendState
	// ConnID is the id of the TCP connection the message arrived on, 0
	// for other transports.
	ConnID int
	// Out describes the message being sent while onsend_route runs for
	// it; nil otherwise.
	Out *Outgoing

	// via1 is the top Via as Parse found it (TopVia).
	via1 struct {
		v         *Via
		at        int
		ok, known bool
		// lean says Headers and via1 were dropped (Lean); here, where
		// it packs with the two above.
		lean bool
	}
}

// SendState is what the core actions set for sending a message and its
// replies.
type SendState struct {
	// ForceRport is force_rport(): replies go to the source port and the
	// top Via gets rport (RFC 3581) as if the sender had asked for it.
	ForceRport bool
	// LocalRport is add_local_rport(): the Via kamgo adds when forwarding
	// carries an empty rport parameter.
	LocalRport bool
	// Fwd and Rpl are the connection flags for forwarding the message
	// and for replying to it (set_forward_no_connect, set_reply_close ...).
	Fwd, Rpl ConnFlags
	// ReplyViaParams are parameters (";a=1;b") to add to a Via of the
	// replies: for a request, to the top Via of the replies made here;
	// for a reply, to the Via it is relayed back to (corex's
	// via_reply_add_xavp_params).
	ReplyViaParams string
	// via is what the Via kamgo adds is written with (Via, SetVia), nil
	// when nothing was set. It is never changed in place: copies of a
	// message share it, and a change makes a new one.
	via *ViaFields
}

// ViaFields are what the Via kamgo adds when it forwards a message is
// written with, each "" when unset.
type ViaFields struct {
	// AdvAddress and AdvPort are set_advertised_address() and
	// set_advertised_port() (or the core parameters): the host and port.
	AdvAddress, AdvPort string
	// Host and Port, when set, come before the advertised ones (corex's
	// via_use_xavp_fields); Params are parameters appended to the Via
	// (";srvid=1;a=b": via_add_srvid, via_add_xavp_params). The transport
	// fills them just before the message is sent (sip.ViaResolver).
	Host, Port, Params string
	// VBFlags are the via-body flags (corex's msg_vbflag_set, tmx's
	// t_vbflag_set, ORed as Kamailio's create_via_hf does), written after
	// Params as ";kvf=<hex>" when not 0.
	VBFlags uint32
}

// ViaBodyFlagsParam is the Via parameter the via-body flags are written in
// (Kamailio 6.1's default via_body_flags name).
const ViaBodyFlagsParam = "kvf"

// MaxVBFlag is the highest via-body flag number (Kamailio's MAX_FLAG of
// its 32-bit flag_t).
const MaxVBFlag = 31

// Via returns the fields the Via kamgo adds is written with.
func (s *SendState) Via() ViaFields {
	if s.via == nil {
		return ViaFields{}
	}
	return *s.via
}

// SetVia changes the fields the Via kamgo adds is written with.
func (s *SendState) SetVia(f ViaFields) {
	if f == (ViaFields{}) {
		s.via = nil
		return
	}
	s.via = &f
}

// EditVia changes some of the fields the Via kamgo adds is written with:
// edit gets a copy of them, which then replaces the message's.
func (s *SendState) EditVia(edit func(*ViaFields)) {
	f := s.Via()
	edit(&f)
	s.SetVia(f)
}

// ShareVia makes f, which must never be changed, the fields of the Via:
// the transport gives every message the same core parameters this way.
func (s *SendState) ShareVia(f *ViaFields) { s.via = f }

// ConnFlags say how a message may use TCP connections.
type ConnFlags uint8

// Connection flags.
const (
	// NoConnect sends only over an existing connection.
	NoConnect ConnFlags = 1 << iota
	// CloseAfter closes the connection once the message is sent.
	CloseAfter
)

// Outgoing is a message on its way out: the local socket it leaves from,
// where it goes and its text.
type Outgoing struct {
	From  *Socket
	To    Addr
	Proto int
	Buf   string
}

// Edit replaces Len bytes of Buf at At with Text.
type Edit struct {
	At, Len int
	Text    string
}

// compact maps compact header names (RFC 3261 7.3.3 and extensions) to
// their long forms, lower case.
// compactLong returns the long form, lower case, of the one-letter header
// name c (the compact forms of RFC 3261 §7.3.3 and of the extensions that
// define one), or "".
func compactLong(c byte) string {
	switch c | 0x20 { // ASCII lower case
	case 'a':
		return "accept-contact"
	case 'b':
		return "referred-by"
	case 'c':
		return "content-type"
	case 'd':
		return "request-disposition"
	case 'e':
		return "content-encoding"
	case 'f':
		return "from"
	case 'i':
		return "call-id"
	case 'j':
		return "reject-contact"
	case 'k':
		return "supported"
	case 'l':
		return "content-length"
	case 'm':
		return "contact"
	case 'o':
		return "event"
	case 'r':
		return "refer-to"
	case 's':
		return "subject"
	case 't':
		return "to"
	case 'u':
		return "allow-events"
	case 'v':
		return "via"
	case 'x':
		return "session-expires"
	case 'y':
		return "identity"
	}
	return ""
}

// CanonName returns the lower-case long form of a header name.
func CanonName(name string) string {
	return strings.ToLower(longForm(name))
}

// Is reports whether h is the header called name (long or compact form,
// any case). It does not allocate: header lookups run several times for
// every message.
func (h Header) Is(name string) bool { return SameName(h.Name, name) }

// SameName reports whether header names a and b name the same header.
func SameName(a, b string) bool {
	return strings.EqualFold(longForm(a), longForm(b))
}

// longForm trims name and expands a compact form, keeping the case.
func longForm(name string) string {
	n := strings.TrimSpace(name)
	if len(n) == 1 {
		if l := compactLong(n[0]); l != "" {
			return l
		}
	}
	return n
}

// IsRequest reports whether m is a request.
func (m *Msg) IsRequest() bool { return m.Method != "" }

// Header returns the value of the first header named name (long or
// compact form, any case).
func (m *Msg) Header(name string) (string, bool) {
	for _, h := range m.Headers {
		if h.Is(name) {
			return h.Value, true
		}
	}
	return "", false
}

// HeaderValues returns the values of every header named name, in order.
func (m *Msg) HeaderValues(name string) []string {
	var out []string
	for _, h := range m.Headers {
		if h.Is(name) {
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

// SetRequestURI replaces the Request-URI. As in Kamailio ($ru = ...) the
// text is not checked: reads of a Request-URI that does not parse fail.
func (m *Msg) SetRequestURI(s string) { m.NewURI = s }

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
// 1.0.0.127, and so does kamgo. It arrived on no socket (Rcv is nil).
func Faked() *Msg {
	m, err := Parse(FakedRequest)
	if err != nil {
		panic(err)
	}
	m.Src = Addr{IP: "1.0.0.127", Port: 5060}
	m.Dst = m.Src
	return m
}

var lastID atomic.Uint32

// NextID returns the next message number; 0 is skipped when it wraps, as
// Kamailio skips it.
func NextID() uint32 {
	for {
		if id := lastID.Add(1); id != 0 {
			return id
		}
	}
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

// ContextKey is the Context slot of the event's message, for code that
// moves an event's module data between contexts and must leave the
// message behind.
func ContextKey() event.Key { return key }
