package sl

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestToTag pins to-tags Kamailio 5.6.3's sl gave (first socket
// udp:127.0.0.1:35060) to OPTIONS requests with these top Vias and
// Call-IDs.
func TestToTag(t *testing.T) {
	first := &sipmsg.Socket{Proto: sipmsg.ProtoUDP, IP: "127.0.0.1", Port: 35060}
	m := newModule()
	for _, tc := range []struct{ via, callID, want string }{
		{"SIP/2.0/UDP 127.0.0.1:35061;branch=z9hG4bK-tag-1", "tag-call-1@127.0.0.1", "b9dcc20e5ffba37e2b03af6a7ee57ad3.128b05aa"},
		{"SIP/2.0/UDP 10.0.0.7;branch=z9hG4bKabc;rport", "other-call", "b9dcc20e5ffba37e2b03af6a7ee57ad3.dba00000"},
	} {
		msg, err := sipmsg.Parse("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: " + tc.via + "\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:x@h>\r\nCall-ID: " +
			tc.callID + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		if got := m.toTag(first, msg); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.via, got, tc.want)
		}
	}
	if got := len(m.toTag(nil, sipmsg.Faked())); got != tagLen {
		t.Errorf("tag without sockets: %d characters", got)
	}
}
