package sipmsg

import "testing"

// TestLumps: edits stacked at one place come out as Kamailio's lumps do
// (the cases under spec/conformance/modules/textops/lumps show the same
// on Kamailio 5.6.3).
func TestLumps(t *testing.T) {
	const buf = "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nTo: <sip:b@x>\r\nSubject: one\r\n" +
		"Call-ID: 1\r\nContent-Length: 4\r\n\r\nbody"
	m0, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	to, subj := m0.Headers[1], m0.Headers[2]
	body := m0.BodyStart()
	head := "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
	for _, tc := range []struct {
		name  string
		edits func(m *Msg)
		want  string
	}{
		{"two appends at one place keep their order", func(m *Msg) {
			m.Insert(to.End, "A: 1\r\n")
			m.Insert(to.End, "B: 2\r\n")
		}, head + "To: <sip:b@x>\r\nA: 1\r\nB: 2\r\nSubject: one\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody"},
		{"a delete then an insert at its start: the insert follows the deleted place", func(m *Msg) {
			m.Remove(subj.Start, subj.End-subj.Start)
			m.Insert(subj.Start, "A: 1\r\n")
		}, head + "To: <sip:b@x>\r\nA: 1\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody"},
		{"an insert then a delete at one place", func(m *Msg) {
			m.Insert(subj.Start, "A: 1\r\n")
			m.Remove(subj.Start, subj.End-subj.Start)
		}, head + "To: <sip:b@x>\r\nA: 1\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody"},
		{"a replacement after a deletion of the same text is written after it", func(m *Msg) {
			m.Replace(subj.Start+9, 3, "two")
			m.Replace(subj.Start+9, 3, "three")
		}, head + "To: <sip:b@x>\r\nSubject: twothree\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody"},
		{"an insert inside a deleted header moves to its end", func(m *Msg) {
			m.Remove(subj.Start, subj.End-subj.Start)
			m.Insert(subj.Start+3, "A: 1\r\n")
		}, head + "To: <sip:b@x>\r\nA: 1\r\nCall-ID: 1\r\nContent-Length: 4\r\n\r\nbody"},
		{"a body change fixes the Content-Length", func(m *Msg) {
			m.Replace(body, 4, "longer")
		}, head + "To: <sip:b@x>\r\nSubject: one\r\nCall-ID: 1\r\nContent-Length: 6\r\n\r\nlonger"},
		{"dropping the body edits restores the length", func(m *Msg) {
			m.Replace(body, 4, "longer")
			m.DropBodyEdits()
		}, buf},
	} {
		m, _ := Parse(buf)
		tc.edits(m)
		if got := m.Rebuilt(); got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.name, got, tc.want)
		}
		if len(m.Headers) != len(m0.Headers) || m.Body != m0.Body {
			t.Errorf("%s: the parsed message changed", tc.name)
		}
	}
}
