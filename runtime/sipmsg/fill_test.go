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
