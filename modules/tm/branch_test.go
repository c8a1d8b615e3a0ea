package tm

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestCharMsgVal: the parts of a request the characteristic value is made
// of, in Kamailio's order (the branches kamgo sends are compared with
// Kamailio's in examples/default-config's differential).
func TestCharMsgVal(t *testing.T) {
	req := func(method, to string) *sipmsg.Msg {
		m, err := sipmsg.Parse(method + " sip:bob@example.com SIP/2.0\r\n" +
			"Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK-abc;rport\r\n" +
			"From: <sip:alice@example.com>;tag=ft\r\nTo: <sip:bob@example.com>" + to + "\r\n" +
			"Call-ID:  c-1 \r\nCSeq: 7 " + method + "\r\nContent-Length: 0\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sum := func(parts ...string) string {
		h := md5.Sum([]byte(strings.Join(parts, "")))
		return hex.EncodeToString(h[:])
	}
	for _, c := range []struct {
		method, to, want string
	}{
		{"INVITE", ";tag=tt", sum("ft", "c-1", "sip:bob@example.com", "7", "192.0.2.1", "5062", "z9hG4bK-abc")},
		{"CANCEL", "", sum("ft", "c-1", "sip:bob@example.com", "7", "192.0.2.1", "5062", "z9hG4bK-abc")},
		{"BYE", ";tag=tt", sum("ft", "tt", "c-1", "sip:bob@example.com", "7", "192.0.2.1", "5062", "z9hG4bK-abc")},
	} {
		m := req(c.method, c.to)
		k, ok := keysOf(m)
		if !ok {
			t.Fatal("no keys")
		}
		if got := charMsgVal(m, &k); got != c.want || len(got) != md5Len {
			t.Errorf("%s: %s, want %s", c.method, got, c.want)
		}
	}
	if l := localMD5(); len(l) != md5Len || !strings.HasSuffix(l, "0") {
		t.Errorf("local value %q", l)
	}
}
