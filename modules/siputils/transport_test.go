package siputils_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
)

// TestTransportCases replays the cases of testdata/transport, recorded from
// Kamailio 5.6.3 as spec/conformance records its cases, against kamgo
// serving SIP on a real UDP socket: options_reply's answer and
// is_first_hop's check of this server's addresses need the SIP transport,
// which spec/conformance's in-process runner does not start. The case's
// message is sent from a socket of the test, and the script's log lines
// are compared with Kamailio's.
func TestTransportCases(t *testing.T) {
	siptest.ReplayCases(t, "testdata/transport/*.txtar", nil)
}
