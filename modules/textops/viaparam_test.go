package textops

import (
	"slices"
	"strings"
	"testing"
)

const viaRequest = "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport;x=1\r\n" +
	"Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;received=1.2.3.4;x\r\n" +
	"From: <sip:alice@example.com>;tag=1\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"Call-ID: c1\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Content-Length: 0\r\n\r\n"

// TestViaParamRm: the parameters removed from the via-parm at an index,
// the code (how many went) and the Via headers of the rebuilt message.
func TestViaParamRm(t *testing.T) {
	const (
		via1 = "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport;x=1\r\n"
		via2 = "Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;received=1.2.3.4;x\r\n"
	)
	for _, tc := range []struct {
		name, idx string
		rc        int
		vias      string // the Via lines afterwards
		log       []string
	}{
		{name: `"x"`, idx: "0", rc: 1, vias: "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport\r\n" + via2},
		{name: `"rport"`, idx: "0", rc: 1, vias: "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;x=1\r\n" + via2},
		// Every parameter of that name, without case; a quoted value goes
		// with its closing quote, the blank before the next ';' stays.
		{name: `"X"`, idx: "1", rc: 2, vias: via1 + "Via: SIP/2.0/TCP h2  , SIP/2.0/UDP h3;received=1.2.3.4;x\r\n"},
		{name: `"x"`, idx: `"2"`, rc: 1, vias: via1 + "Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;received=1.2.3.4\r\n"},
		{name: `"x"`, idx: "3", rc: -1, vias: via1 + via2},
		{name: `"branch"`, idx: "1", rc: -1, vias: via1 + via2},
		// Negative indexes count from the end, -1 the last, as the
		// documentation says (Kamailio 5.8 to 6.1 count one too many:
		// spec/deviations.md).
		{name: `"x"`, idx: "-1", rc: 1, vias: via1 + "Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;received=1.2.3.4\r\n"},
		{name: `"X"`, idx: "-2", rc: 2, vias: via1 + "Via: SIP/2.0/TCP h2  , SIP/2.0/UDP h3;received=1.2.3.4;x\r\n"},
		{name: `"x"`, idx: "-3", rc: 1, vias: "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport\r\n" + via2},
		{name: `"x"`, idx: "-4", rc: -1, vias: via1 + via2},
		{name: "$var(n)", idx: "$var(i)", rc: 1, vias: via1 + "Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;x\r\n"},
		{name: `"x"`, idx: "$var(bad)", rc: -2, vias: via1 + via2,
			log: []string{"ERROR: <textops>: w_via_param_rm(): cannot get name parameter"}},
	} {
		f := newFixture(t, viaRequest)
		f.set("n", "received")
		f.setInt("i", 2)
		f.set("bad", "two")
		if rc := f.call("via_param_rm", tc.name, tc.idx); rc != tc.rc {
			t.Errorf("via_param_rm(%s, %s) = %d, want %d", tc.name, tc.idx, rc, tc.rc)
		}
		if got := viaLines(f.msg.Rebuilt()); got != tc.vias {
			t.Errorf("via_param_rm(%s, %s): Via\n%q, want\n%q", tc.name, tc.idx, got, tc.vias)
		}
		if lines := f.h.Lines(); !slices.Equal(lines, tc.log) {
			t.Errorf("via_param_rm(%s, %s): log %q, want %q", tc.name, tc.idx, lines, tc.log)
		}
	}
}

// TestViaParamRmNoVia: a message without Via is -1 with Kamailio's warning.
func TestViaParamRmNoVia(t *testing.T) {
	f := newFixture(t, strings.Replace(strings.Replace(viaRequest,
		"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport;x=1\r\n", "", 1),
		"Via: SIP/2.0/TCP h2 ;x=\"a,b\" ;X=2, SIP/2.0/UDP h3;received=1.2.3.4;x\r\n", "", 1))
	if rc := f.call("via_param_rm", `"x"`, "0"); rc != -1 {
		t.Errorf("rc %d", rc)
	}
	want := []string{"WARNING: <textops>: ki_via_param_rm(): no Via header"}
	if lines := f.h.Lines(); !slices.Equal(lines, want) {
		t.Errorf("log %q, want %q", lines, want)
	}
}

func viaLines(msg string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(msg, "\r\n") {
		if strings.HasPrefix(l, "Via:") {
			b.WriteString(l)
		}
	}
	return b.String()
}
