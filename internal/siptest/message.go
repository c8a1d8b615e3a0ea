package siptest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Build is a SIP message of a start line and headers, each a whole
// "Name: value" line, with a Content-Length for body and body after the
// empty line.
func Build(lines []string, body string) string {
	h := append(lines[:len(lines):len(lines)], "Content-Length: "+strconv.Itoa(len(body)))
	return strings.Join(h, "\r\n") + "\r\n\r\n" + body
}

// Request is a request from u: method to ruri with u's Via and branch
// z9hG4bK+branch, Max-Forwards 70, From alice with tag "a-"+callID, To
// bob, the Call-ID and CSeq; extra headers follow.
func (u *UA) Request(method, ruri, branch, callID string, cseq int, extra ...string) string {
	h := []string{
		method + " " + ruri + " SIP/2.0",
		fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s", u.Port(), branch),
		"Max-Forwards: 70",
		"From: <sip:alice@127.0.0.1>;tag=a-" + callID,
		"To: <sip:bob@127.0.0.1>",
		"Call-ID: " + callID,
		fmt.Sprintf("CSeq: %d %s", cseq, method),
	}
	return Build(append(h, extra...), "")
}

// WithToTag puts tag on the To header of a request built by Request.
func WithToTag(req, tag string) string {
	return strings.Replace(req, "To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>;tag="+tag, 1)
}

// SDP is the body WithSDP gives a message.
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

// WithSDP gives a message without a body (Build's) the body SDP.
func WithSDP(msg string) string {
	msg = strings.Replace(msg, "Content-Length: 0\r\n", "Content-Type: application/sdp\r\nContent-Length: "+strconv.Itoa(len(SDP))+"\r\n", 1)
	return msg + SDP
}

// Reply is a server's reply to req: its Vias, Record-Routes, From, To
// (toTag added when not empty and the To has no tag), Call-ID and CSeq
// in the request's order, then the extra headers.
func Reply(req *sipmsg.Msg, code int, reason, toTag string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, h := range req.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via", "record-route", "from", "call-id", "cseq":
			b.WriteString(req.Buf[h.Start:h.End])
		case "to":
			line := req.Buf[h.Start:h.End]
			if toTag != "" && !strings.Contains(line, ";tag=") {
				line = strings.TrimRight(line, "\r\n") + ";tag=" + toTag + "\r\n"
			}
			b.WriteString(line)
		}
	}
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// Status is the status line of a reply without "SIP/2.0 ": "200 OK".
func Status(m *sipmsg.Msg) string { return strconv.Itoa(m.Status) + " " + m.Reason }

// TopBranch is the branch of a message's top Via.
func TopBranch(m *sipmsg.Msg) string {
	v, _, _ := m.TopVia()
	b, _ := v.Param("branch")
	return b
}

// Placeholders are the pairs that write the ports of uas for "UAS1",
// "UAS2" ... in a configuration (Options.Subst, StartKamailio's subst),
// the highest number first so that UAS1 does not take UAS12's place.
func Placeholders(uas ...*UA) []string {
	var pairs []string
	for i := len(uas) - 1; i >= 0; i-- {
		pairs = append(pairs, "UAS"+strconv.Itoa(i+1), strconv.Itoa(uas[i].Port()))
	}
	return pairs
}

// Answer plays one transaction through the server at addr: phone sends
// req, uas receives it (passing over retransmissions and other
// methods) and answers code with toTag and the extra headers, and phone
// receives the reply with that code. It returns the request uas got.
func Answer(addr string, phone *UA, req string, uas *UA, code int, reason, toTag string, extra ...string) *sipmsg.Msg {
	phone.t.Helper()
	method, _, _ := strings.Cut(req, " ")
	phone.SendTo(addr, req)
	in := uas.RecvMethod(method)
	uas.SendTo(addr, Reply(in, code, reason, toTag, extra...))
	phone.RecvStatus(code)
	return in
}

// Case is a branch of Switch: Body runs when the switched value is Name.
type Case struct {
	Name string
	// Body are the statements, one a line, without the indentation of
	// the route (a nested line starts with its own tabs).
	Body []string
}

// Switch is configuration text for a route: an if / else if chain,
// indented as a route's statements, that runs the Body of the case whose
// Name the value v (a pseudo-variable) equals.
func Switch(v string, cases ...Case) string {
	var b strings.Builder
	for i, c := range cases {
		if i == 0 {
			b.WriteString("\tif (")
		} else {
			b.WriteString(" else if (")
		}
		fmt.Fprintf(&b, "%s == %q) {\n", v, c.Name)
		for _, l := range c.Body {
			b.WriteString("\t\t" + l + "\n")
		}
		b.WriteString("\t}")
	}
	b.WriteString("\n")
	return b.String()
}

// Parse parses a message a test wrote, failing the test when it is not
// SIP.
func Parse(t testing.TB, text string) *sipmsg.Msg {
	t.Helper()
	m, err := sipmsg.Parse(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return m
}

// LoadModules is configuration text that loads the modules named, one
// loadmodule line each, in order.
func LoadModules(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "loadmodule \"%s.so\"\n", n)
	}
	return b.String()
}
