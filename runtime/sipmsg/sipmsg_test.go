package sipmsg

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
)

func TestFaked(t *testing.T) {
	m := Faked()
	if len(m.Buf) != 184 || m.Method != "OPTIONS" || m.RURI != "sip:you@kamailio.org" || m.Version != "SIP/2.0" {
		t.Fatalf("faked request: %+v", m)
	}
	if v, _ := m.Header("i"); v != "123" {
		t.Errorf("Call-ID by compact name = %q", v)
	}
	if n, meth, _ := m.CSeq(); n != "1" || meth != "OPTIONS" {
		t.Errorf("CSeq = %q %q", n, meth)
	}
	if m.Src.IP != "1.0.0.127" || m.Src.Port != 5060 || m.Proto != "udp" {
		t.Errorf("source = %+v %s", m.Src, m.Proto)
	}
}

func TestFromContextPerEvent(t *testing.T) {
	c := &event.Context{}
	m := FromContext(c)
	m.SetRequestURI("sip:bob@example.com")
	if FromContext(c).RequestURI() != "sip:bob@example.com" {
		t.Error("rewrite lost within the event")
	}
	c.Reset()
	if got := FromContext(c).RequestURI(); got != "sip:you@kamailio.org" {
		t.Errorf("next event sees %q", got)
	}
}

func TestParse(t *testing.T) {
	raw := "INVITE sip:alice@example.com;transport=tcp SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP a\r\nv: SIP/2.0/UDP b\r\nSubject: one\r\n two\r\n" +
		"f: \"Bob B\" <sip:bob@b.org>;tag=x\r\nContent-Length: 3\r\n\r\nabc"
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.HeaderValues("VIA"); len(got) != 2 || got[1] != "SIP/2.0/UDP b" {
		t.Errorf("Via values %q", got)
	}
	if s, _ := m.Header("subject"); s != "one two" {
		t.Errorf("folded subject %q", s)
	}
	if m.Body != "abc" {
		t.Errorf("body %q", m.Body)
	}
	f, _ := m.Header("from")
	na, err := ParseNameAddr(f)
	if err != nil || na.Display != `"Bob B"` || na.URI != "sip:bob@b.org" {
		t.Fatalf("name-addr %+v %v", na, err)
	}
	if tag, _ := na.Param("tag"); tag != "x" {
		t.Errorf("tag %q", tag)
	}
	r, err := Parse("SIP/2.0 180 Ringing\r\nCSeq: 2 INVITE\r\n\r\n")
	if err != nil || r.IsRequest() || r.Status != 180 || r.Reason != "Ringing" {
		t.Errorf("reply %+v %v", r, err)
	}
	for _, bad := range []string{"INVITE sip:a SIP/2.0\r\n", "HELLO\r\n\r\n", "INVITE sip:a@b SIP/2.0\r\nNo colon\r\n\r\n"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestURI(t *testing.T) {
	for in, want := range map[string]URI{
		"sip:alice:pw@example.com:5070;transport=tcp?h=v": {Scheme: "sip", User: "alice", Password: "pw", Host: "example.com", Port: "5070", Params: "transport=tcp", Headers: "h=v"},
		"sips:[::1]:5061":          {Scheme: "sips", Host: "[::1]", Port: "5061"},
		"tel:+4930123;phone-ctx=x": {Scheme: "tel", User: "+4930123", Params: "phone-ctx=x"},
		"sip:example.com":          {Scheme: "sip", Host: "example.com"},
	} {
		u, err := ParseURI(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if *u != want {
			t.Errorf("%s: got %+v want %+v", in, *u, want)
		}
		if u.String() != in {
			t.Errorf("%s: String() = %s", in, u.String())
		}
	}
	for _, bad := range []string{"alice", "http://x", "sip:", "sip:a@b:99999", "sip:[::1"} {
		if _, err := ParseURI(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	u, _ := ParseURI("sips:a@b")
	if u.PortNumber() != 5061 {
		t.Error("sips default port")
	}
	if v, ok := u.Param("transport"); ok || v != "" {
		t.Error("absent param found")
	}
}

// TestParseSpans: every header keeps where it is in the text; a body
// without Content-Length is the rest of the text; bare LFs are refused.
func TestParseSpans(t *testing.T) {
	raw := "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nSubject: one\r\n\ttwo\r\nX-Empty:\r\nl:3\r\n\r\nabc"
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []Header{
		{Name: "Via", Value: "SIP/2.0/UDP h", At: 29, Start: 24, End: 44},
		{Name: "Subject", Value: "one two", At: -1, Start: 44, End: 64},
		{Name: "X-Empty", Value: "", At: -1, Start: 64, End: 74},
		{Name: "l", Value: "3", At: 76, Start: 74, End: 79},
	}
	if len(m.Headers) != len(want) {
		t.Fatalf("headers %+v", m.Headers)
	}
	for i, h := range m.Headers {
		if h != want[i] {
			t.Errorf("header %d: %+v, want %+v", i, h, want[i])
		}
	}
	if m.Body != "abc" {
		t.Errorf("body %q", m.Body)
	}
	m, err = Parse("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nbody without length")
	if err != nil || m.Body != "body without length" || len(m.Headers) != 1 {
		t.Errorf("%+v %v", m, err)
	}
	for _, bad := range []string{"OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n\n", "SIP/2.0 99 Low\r\n\r\n", "SIP/2.0 2000 X\r\n\r\n"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
