package corex_test

import (
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/all"
	_ "github.com/kamgo/kamgo/modules/corex"
)

// deviations are the recorded cases kamgo answers differently, with why
// (the README's "Not run yet" and "Differences from Kamailio").
var deviations = map[string]string{
	"003-msg-iflag-set-unknown.txtar": "Kamailio sets every flag for an unknown name; kamgo refuses it",
	"008-lsock.txtar":                 "a failed $lsock read prints <null> in kamgo, nothing in Kamailio",
}

// TestCases replays testdata/cases, recorded from Kamailio 5.6.3 with
// spec/conformance's recorder, against kamgo serving SIP on a real UDP
// socket, and compares the script's log lines. The evapi cases
// (is_faked_msg in an evapi event) are skipped: the runner sends SIP only.
func TestCases(t *testing.T) {
	siptest.ReplayCases(t, "testdata/cases/*.txtar", deviations)
}
