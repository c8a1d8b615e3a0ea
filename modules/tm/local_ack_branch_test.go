package tm

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestAckBranchModes: local_ack_branch_mode 0 keeps the INVITE's branch
// for the ACK of a local 2xx, 1 moves the last four characters of the
// characteristic value on by one (9 wraps to 0), 2 takes a new value from
// the 2xx.
func TestAckBranchModes(t *testing.T) {
	rpl, err := sipmsg.Parse("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1.2.0\r\n" +
		"To: <sip:bob@example.test>;tag=t1\r\nFrom: <sip:alice@example.test>;tag=f1\r\nCSeq: 10 INVITE\r\nCall-ID: c1\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	m := newModule()
	x := &txn{m: m, index: 1, md5: "0123456789abcdef0123456789ab0a9f"}
	b := &branch{idx: 0, viaBr: x.branchParam(0)}
	// MD5("f1" "t1" "c1" "ACK" "10" "z9hG4bK1.2.0")
	const mode2 = "z9hG4bK1.9d53b7cfc62de3161c007b7c4a5cbfc9.0"
	for mode, want := range map[int64]string{
		0: "z9hG4bK1.0123456789abcdef0123456789ab0a9f.0",
		1: "z9hG4bK1.0123456789abcdef0123456789ab1b0g.0",
		2: mode2,
	} {
		m.cfg.localAckBranchMode = mode
		if got := x.ackBranch(b, rpl); got != want {
			t.Errorf("mode %d: %q, want %q", mode, got, want)
		}
	}
}
