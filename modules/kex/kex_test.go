package kex_test

import (
	"regexp"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/spec/conformance"
)

// TestTransportCases replays the cases of testdata/transport, recorded
// from Kamailio 5.6.3 as spec/conformance records its cases, against
// kamgo serving SIP on a real UDP socket: is_myself needs the server's
// sockets, which spec/conformance's in-process runner does not open.
func TestTransportCases(t *testing.T) {
	siptest.ReplayCases(t, "testdata/transport/*.txtar", nil)
}

// TestSruid checks $sruid's shape (srid-, time and process id in hex, a
// counter written lowest digit first) and that each read is new.
func TestSruid(t *testing.T) {
	c := conformance.Case{Name: "sruid", Cfg: `loadmodule "kex.so"
request_route {
	$var(i) = 0;
	while ($var(i) < 17) { $var(u) = $sruid; $var(i) = $var(i) + 1; }
	xlog("L_INFO", "$var(u) $sruid\n");
	drop;
}
route[TEST] { drop; }
`, SIP: []string{"OPTIONS sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1",
		"From: <sip:a@a.org>;tag=1", "To: <sip:b@b.org>", "Call-ID: sruid@a.org", "CSeq: 1 OPTIONS", "Content-Length: 0", ""}}
	got := siptest.Replay(t, c.ConfigTemplate(), c.SIPMessage(), 1)
	if len(got) != 1 {
		t.Fatalf("log: %q", got)
	}
	re := regexp.MustCompile(`^INFO: srid-[0-9a-f]+-[0-9a-f]+-(11) srid-[0-9a-f]+-[0-9a-f]+-(21)$`)
	if !re.MatchString(got[0]) {
		t.Errorf("got %q, want the 17th and 18th ids (counters 0x11 and 0x12 written lowest digit first)", got[0])
	}
}
