package sipmsg

import (
	"testing"

	sipgo "github.com/emiago/sipgo/sip"
)

// TestHeadersReadAsSipgoReads: the names and values fill reads from the
// text are those sipgo reads when it keeps every header (folded lines,
// blanks around values, compact names, an empty value), and a value's
// offset points at it in the text.
func TestHeadersReadAsSipgoReads(t *testing.T) {
	plain := sipgo.NewParser(sipgo.WithHeadersParsers(map[string]sipgo.HeaderParser{}))
	for _, msg := range []string{
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nSubject:  hello \t\r\n  world \r\n\tagain\r\n" +
			"X-Odd:\r\nX-V: \v v\r\ni:1\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@b>;tag=1\r\nTo : <sip:a@b>\r\nX-Long: a,\r\n b\r\n\r\n",
		"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: 1\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\n" +
			"To: <sip:a@b>;tag=2\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
	} {
		m, err := Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		sm, err := plain.ParseSIP([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		hs := sm.(interface{ Headers() []sipgo.Header }).Headers()
		if len(hs) != len(m.Headers) {
			t.Fatalf("%d headers, sipgo %d", len(m.Headers), len(hs))
		}
		for i, h := range m.Headers {
			if h.Name != hs[i].Name() || h.Value != hs[i].Value() {
				t.Errorf("%d: %q: %q, sipgo %q: %q", i, h.Name, h.Value, hs[i].Name(), hs[i].Value())
			}
			if h.At >= 0 && msg[h.At:h.At+len(h.Value)] != h.Value {
				t.Errorf("%d: %q is not at %d", i, h.Value, h.At)
			}
		}
	}
}

// TestLeanFull: a lean copy has no headers; Full reads back the same
// headers and top Via as Parse (folded and compact ones, a body, a message
// whose body has no Content-Length), and leaves the other fields as they
// were.
func TestLeanFull(t *testing.T) {
	for _, msg := range []string{
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nSubject:  hello \t\r\n  world \r\n\tagain\r\n" +
			"X-Odd:\r\ni:1\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@b>;tag=1\r\nTo : <sip:a@b>\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h:5060;rport;branch=z9hG4bK2 , SIP/2.0/TCP q\r\nCall-ID: 1\r\nCSeq: 1 INVITE\r\n" +
			"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n",
		"MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\nCall-ID: 1\r\nCSeq: 1 MESSAGE\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n\r\nno length",
	} {
		m, err := Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		m.DstURI, m.RuriFlags = "sip:next", 7
		lean := m.Lean()
		if len(lean.Headers) != 0 || lean.DstURI != "sip:next" || lean.RuriFlags != 7 || lean.Body != m.Body {
			t.Fatalf("lean copy: %d headers, $du %q, flags %d", len(lean.Headers), lean.DstURI, lean.RuriFlags)
		}
		full := lean.Full()
		if len(full.Headers) != len(m.Headers) {
			t.Fatalf("%d headers read back, Parse read %d", len(full.Headers), len(m.Headers))
		}
		for i, h := range full.Headers {
			if h != m.Headers[i] {
				t.Errorf("header %d: %+v, Parse read %+v", i, h, m.Headers[i])
			}
		}
		v1, at1, ok1 := m.TopVia()
		v2, at2, ok2 := full.TopVia()
		if ok1 != ok2 || at1 != at2 || (v1 != nil) != (v2 != nil) || (v1 != nil && *v1 != *v2) {
			t.Errorf("top Via %+v %d %v, Parse's %+v %d %v", v2, at2, ok2, v1, at1, ok1)
		}
		if full.DstURI != "sip:next" || full.RuriFlags != 7 || full.Full() != full || m.Full() != m {
			t.Error("Full changed other fields, or copied a message that has its headers")
		}
	}
}
