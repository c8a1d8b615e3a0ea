package corex

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestVBFlagParse pins how msg_vbflag_parse reads the top Via's kvf
// parameter: the first one with a value, any case, hexadecimal; the
// lowest 8 digits of a longer value; a value that is not hexadecimal
// keeps the flags and fails (Kamailio returns 1 then: spec/deviations.md).
func TestVBFlagParse(t *testing.T) {
	for _, tc := range []struct {
		via  string
		rc   int
		want uint32
	}{
		{"SIP/2.0/UDP h;branch=z9hG4bK1;kvf=1f", 1, 0x1f},
		{"SIP/2.0/UDP h;KvF=A;branch=z9hG4bK1", 1, 0xa},
		{"SIP/2.0/UDP h;kvf;kvf=;kvf=4", 1, 4},
		{"SIP/2.0/UDP h;kvf=123456789", 1, 0x23456789},
		{"SIP/2.0/UDP h;kvf=0x1", -1, 7},
		{"SIP/2.0/UDP h;kvf=-1", -1, 7},
		{"SIP/2.0/UDP h;branch=z9hG4bK1", -1, 7},
		{"SIP/2.0/UDP h;kvf=2, SIP/2.0/UDP g;kvf=8", 1, 2},
	} {
		m, err := sipmsg.Parse("OPTIONS sip:a@b SIP/2.0\r\nVia: " + tc.via + "\r\nContent-Length: 0\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		c := &event.Context{}
		c.Reset()
		sipmsg.Set(c, m)
		flagsOf(c).vb = 7
		if rc := vbflagParse(c); rc != tc.rc || flagsOf(c).vb != tc.want {
			t.Errorf("%s: rc %d flags %#x, want %d %#x", tc.via, rc, flagsOf(c).vb, tc.rc, tc.want)
		}
	}
}
