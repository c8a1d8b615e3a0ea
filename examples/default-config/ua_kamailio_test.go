//go:build kamailio

package defaultconfig_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/siptest"
)

// ua is a phone the test plays: a UDP socket on 127.0.0.1 whose port
// stays the same for both servers, so that everything the phone puts in
// its messages is the same too.
type ua struct {
	*siptest.UA
	name string // the user part it registers and is called by
	port int
}

func newUA(t *testing.T, name string) *ua {
	t.Helper()
	u := siptest.NewUA(t, name)
	return &ua{UA: u, name: name, port: u.Port()}
}

// contact is the address the phone registers.
func (u *ua) contact() string { return fmt.Sprintf("sip:%s@127.0.0.1:%d", u.name, u.port) }

// tag is the phone's dialog tag for call id: the same on both servers.
func (u *ua) tag(id string) string { return u.name[:1] + "-" + id }

// via is the phone's Via with branch (after z9hG4bK-c): the same on
// both servers.
func (u *ua) via(branch string) string {
	return fmt.Sprintf("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-c%s;rport", u.port, branch)
}

// received is one message a phone got.
type received struct {
	who, step, msg string
}

// session is one run of the exchanges against one server.
type session struct {
	t      *testing.T
	server string // names the proxy in failures
	proxy  string // the proxy's address, "127.0.0.1:PORT"
	seen   map[*ua][]string
	got    []received
}

func newSession(t *testing.T, server string, port int) *session {
	return &session{t: t, server: server, proxy: "127.0.0.1:" + strconv.Itoa(port), seen: map[*ua][]string{}}
}

// uri is a SIP URI at the proxy's address, for user (none: the proxy).
func (s *session) uri(user string) string {
	if user == "" {
		return "sip:" + s.proxy
	}
	return "sip:" + user + "@" + s.proxy
}

// send writes msg (lines joined by "\n", turned into CRLF) to the proxy.
func (s *session) send(u *ua, msg string) {
	s.t.Helper()
	u.SendTo(s.proxy, strings.ReplaceAll(msg, "\n", "\r\n"))
}

// recv returns the next message u gets from this session's proxy, and
// fails the test unless its start line is want. Reads are bounded.
func (s *session) recv(u *ua, step, want string) string {
	s.t.Helper()
	msg, err := s.next(u, step, 10*time.Second)
	if err != nil {
		s.t.Fatalf("%s: %s, %s: %v", s.server, u.name, step, err)
	}
	if start, _, _ := strings.Cut(msg, "\r\n"); start != want {
		s.t.Errorf("%s: %s, %s: got %q, want %q", s.server, u.name, step, start, want)
	}
	return msg
}

// drain keeps what u still gets within a short while, as unsolicited
// messages: the other server must send the same.
func (s *session) drain(u *ua) {
	s.t.Helper()
	for i := 0; i < 10; i++ {
		if _, err := s.next(u, "unsolicited", 300*time.Millisecond); err != nil {
			return
		}
	}
}

// next reads u's next message from this session's proxy within wait. A
// copy of one u already got is a retransmission (the proxy's timers run
// on their own clock) and is passed over, as is anything from another
// address (a server of an earlier session). The loop is bounded.
func (s *session) next(u *ua, step string, wait time.Duration) (string, error) {
	for i := 0; i < 50; i++ {
		msg, from, ok := u.ReadFrom(wait)
		if !ok {
			return "", fmt.Errorf("nothing received within %v", wait)
		}
		if from != s.proxy {
			continue
		}
		if contains(s.seen[u], msg) {
			continue
		}
		s.seen[u] = append(s.seen[u], msg)
		s.got = append(s.got, received{who: u.name, step: step, msg: msg})
		return msg, nil
	}
	return "", fmt.Errorf("only retransmissions and strangers' messages")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// header returns the values of every header called name in msg, in
// order.
func header(msg, name string) []string {
	var out []string
	for _, l := range strings.Split(msg, "\r\n") {
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// build is a message: start line, headers, then Content-Type (with a
// body) and Content-Length, which counts the body with CRLF line ends.
func build(start string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(start + "\n")
	for _, h := range headers {
		b.WriteString(h + "\n")
	}
	if body != "" {
		b.WriteString("Content-Type: application/sdp\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\n\n%s", len(strings.ReplaceAll(body, "\n", "\r\n")), body)
	return b.String()
}

// reply is the phone's answer to req: its Vias, Record-Routes, From,
// To (with tag added when given), Call-ID and CSeq, then extra headers
// and body.
func reply(req, status, tag, body string, extra ...string) string {
	var hs []string
	for _, name := range []string{"Via", "Record-Route", "From", "To", "Call-ID", "CSeq"} {
		for _, v := range header(req, name) {
			if name == "To" && tag != "" && !strings.Contains(v, ";tag=") {
				v += ";tag=" + tag
			}
			hs = append(hs, name+": "+v)
		}
	}
	return build("SIP/2.0 "+status, append(hs, extra...), body)
}

// sdp is the offer and the answer.
const sdp = "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n"

var (
	tagRE    = regexp.MustCompile(`tag=([^;>\s,]+)`)
	branchRE = regexp.MustCompile(`branch=([^;>\s,]+)`)
	agentRE  = regexp.MustCompile(`(?m)^(Server|User-Agent): [^\r]*\r$`)
	shapeRE  = regexp.MustCompile(`^[0-9a-f]{32}[.-]`)
	tmRE     = regexp.MustCompile(`^z9hG4bK([0-9a-f]+)\.([0-9a-f]+)\.([0-9]+)$`)
)

// branchShape is what must match in a branch the proxy makes: tm's
// z9hG4bK<hash index>.<md5 or label>.<branch number> keeps the index and
// the number (tm's hash of the request is the same on both servers) and
// says which of an MD5 or a shorter label is in the middle.
func branchShape(v string) string {
	m := tmRE.FindStringSubmatch(v)
	switch {
	case m != nil && len(m[2]) == 32:
		return "z9hG4bK" + m[1] + ".md5." + m[3]
	case m != nil:
		return "z9hG4bK" + m[1] + ".label." + m[3]
	case strings.HasPrefix(v, "z9hG4bK"):
		return "z9hG4bK"
	}
	return "no magic cookie"
}

// common is the set of tag and branch values found in the messages of
// both sessions: values a server derives from the request alone, which
// must then be equal.
func common(a, b []received) map[string]bool {
	values := func(got []received) map[string]bool {
		m := map[string]bool{}
		for _, r := range got {
			for _, re := range []*regexp.Regexp{tagRE, branchRE} {
				for _, v := range re.FindAllStringSubmatch(r.msg, -1) {
					m[v[1]] = true
				}
			}
		}
		return m
	}
	va, vb := values(a), values(b)
	for v := range va {
		if !vb[v] {
			delete(va, v)
		}
	}
	return va
}

// normalize takes out of the messages of one session what must differ
// between servers and is not in keep: the proxy's port, the tags and
// branches the proxy makes (numbered in order of appearance, so that a
// value used twice must be used twice by both), and the Server and
// User-Agent headers. A tag made of an MD5 (of the server's address and
// port, in Kamailio's sl and tm), a separator and a suffix (a CRC of the
// request) keeps its separator and suffix; a branch keeps its tm shape.
func normalize(got []received, proxyPort int, keep map[string]bool) []received {
	tags, branches := map[string]string{}, map[string]string{}
	name := func(m map[string]string, prefix, v string) string {
		if n, ok := m[v]; ok {
			return n
		}
		m[v] = fmt.Sprintf("%s%d", prefix, len(m)+1)
		return m[v]
	}
	out := make([]received, len(got))
	for i, r := range got {
		msg := strings.ReplaceAll(r.msg, fmt.Sprintf(":%d", proxyPort), ":PROXY")
		msg = agentRE.ReplaceAllString(msg, "$1: AGENT\r")
		msg = tagRE.ReplaceAllStringFunc(msg, func(s string) string {
			v := s[len("tag="):]
			if keep[v] {
				return s
			}
			if m := shapeRE.FindString(v); m != "" {
				return "tag=" + name(tags, "TAG", m[:32]) + "(md5)" + v[32:]
			}
			return "tag=" + name(tags, "TAG", v) + "(other)"
		})
		msg = branchRE.ReplaceAllStringFunc(msg, func(s string) string {
			v := s[len("branch="):]
			if keep[v] {
				return s
			}
			return "branch=" + name(branches, "BRANCH", v) + "(" + branchShape(v) + ")"
		})
		out[i] = received{who: r.who, step: r.step, msg: msg}
	}
	return out
}
