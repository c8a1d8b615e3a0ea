package sdp

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

const body = "v=0\r\n" +
	"o=alice 1 1 IN IP4 10.0.0.5\r\n" +
	"s=-\r\n" +
	"c=IN IP4 10.0.0.5\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8\r\n" +
	"a=rtcp:49171 IN IP4 10.0.0.5\r\n" +
	"a=candidate:1 1 UDP 2130706431 10.0.0.5 49170 typ host\r\n" +
	"m=video 0 RTP/SAVPF 31\r\n" +
	"c=IN IP6 fd00::1\r\n" +
	"m=image 5000 udptl t38\r\n"

// TestParse checks every field and that each offset points at its text.
func TestParse(t *testing.T) {
	const base = 100
	s, err := Parse(body, base, "application/sdp; charset=x")
	if err != nil {
		t.Fatal(err)
	}
	at := func(f Field) string { return body[f.At-base : f.At-base+len(f.Text)] }
	sess := s.Session
	if sess.OIP.Text != "10.0.0.5" || at(sess.OIP) != "10.0.0.5" || sess.OPF != IPv4 {
		t.Errorf("origin %+v", sess.OIP)
	}
	if sess.IP.Text != "10.0.0.5" || sess.PF != IPv4 || !strings.HasPrefix(body[sess.IP.At-base-9:], "c=IN IP4 ") {
		t.Errorf("session address %+v", sess.IP)
	}
	if len(sess.Streams) != 3 {
		t.Fatalf("%d streams", len(sess.Streams))
	}
	for i, want := range []struct {
		media, port, transport, payloads, ip, rtcp string
		rtp                                        bool
		pf, cands                                  int
	}{
		{"audio", "49170", "RTP/AVP", "0 8", "", "49171 IN IP4 10.0.0.5", true, IPv4, 1},
		{"video", "0", "RTP/SAVPF", "31", "fd00::1", "", true, IPv6, 0},
		{"image", "5000", "udptl", "t38", "", "", false, IPv6, 0},
	} {
		st := sess.Streams[i]
		if st.Media != want.media || st.Port.Text != want.port || at(st.Port) != want.port ||
			st.Transport != want.transport || st.Payloads != want.payloads || st.IsRTP != want.rtp ||
			st.IP.Text != want.ip || st.RTCPPort.Text != want.rtcp || st.PF != want.pf || st.Candidates != want.cands {
			t.Errorf("stream %d: %+v", i, st)
		}
		if st.RTCPPort.Present() && at(st.RTCPPort) != want.rtcp {
			t.Errorf("stream %d: rtcp offset", i)
		}
	}
	if fc := sess.Streams[0].FirstCandidate - base; !strings.HasPrefix(body[fc:], "a=candidate:1 ") {
		t.Errorf("first candidate at %d", fc)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, ct string }{
		{"empty", "", "application/sdp"},
		{"no content type", body, ""},
		{"not sdp", body, "text/plain"},
		{"no v=", "o=a 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n", "application/sdp"},
		{"no m=", "v=0\r\no=a 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", "application/sdp"},
		{"no c=", "v=0\r\no=a 1 1 IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n", "application/sdp"},
		{"no port", "v=0\r\no=a 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\nm=audio\r\n", "application/sdp"},
	} {
		if _, err := Parse(tc.body, 0, tc.ct); err == nil {
			t.Errorf("%s: parsed", tc.name)
		}
	}
}

func TestMultipart(t *testing.T) {
	mp := "--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\nContent-Type: application/sdp\r\n\r\n" + body + "--b1--\r\n"
	s, err := Parse(mp, 0, `multipart/mixed;boundary="b1"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mp[s.At:], "v=0\r\n") || len(s.Session.Streams) != 3 {
		t.Errorf("SDP part at %d: %q", s.At, mp[s.At:])
	}
}

func TestExtract(t *testing.T) {
	msg := func(ct string, clen string, b string) *sipmsg.Msg {
		h := []string{"INVITE sip:b@x SIP/2.0", "Via: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1", "From: <sip:a@x>;tag=1",
			"To: <sip:b@x>", "Call-ID: c", "CSeq: 1 INVITE"}
		if ct != "" {
			h = append(h, "Content-Type: "+ct)
		}
		if clen != "" {
			h = append(h, "Content-Length: "+clen)
		}
		m, err := sipmsg.Parse(strings.Join(h, "\r\n") + "\r\n\r\n" + b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		name, ct, clen, body string
		err, warn            bool
	}{
		{"sdp", "application/sdp", "10", "v=0\r\no=1\r\n", false, false},
		{"spaces", "application / sdp", "10", "v=0\r\no=1\r\n", false, false},
		{"no type", "", "10", "v=0\r\no=1\r\n", false, true},
		{"zero length", "application/sdp", "0", "", true, false},
		{"other type", "text/plain", "10", "v=0\r\no=1\r\n", true, false},
		{"only line ends", "application/sdp", "2", "\r\n", true, false},
	} {
		b, _, warn, err := Extract(msg(tc.ct, tc.clen, tc.body))
		if (err != nil) != tc.err || (warn != "") != tc.warn {
			t.Errorf("%s: err %v warn %q", tc.name, err, warn)
		}
		if err == nil && strings.HasSuffix(b, "\n") {
			t.Errorf("%s: trailing line end kept", tc.name)
		}
	}
}

func TestIsNullAddr(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		pf   int
		want bool
	}{{"0.0.0.0", IPv4, true}, {"0.0.0.1", IPv4, false}, {"::", IPv6, true}, {"0:0::0", IPv6, true}, {"::1", IPv6, false}} {
		if got := IsNullAddr(tc.ip, tc.pf); got != tc.want {
			t.Errorf("IsNullAddr(%q) = %v", tc.ip, got)
		}
	}
}
