package textops

import (
	"slices"
	"testing"
)

// TestSetBodyHex: set_body_hex's code, the rebuilt message and the log.
func TestSetBodyHex(t *testing.T) {
	const head = "INVITE sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1;rport\r\n" +
		"From: <sip:alice@example.com>;tag=1\r\n" +
		"To: <sip:bob@example.com>\r\n" +
		"Call-ID: c1\r\n" +
		"CSeq: 1 INVITE\r\n"
	for _, tc := range []struct {
		hex, ctype string
		rc         int
		want       string // the rebuilt message; the received one when empty
		log        []string
	}{
		{hex: `"68 69"`, ctype: `"text/x"`, rc: 1,
			want: head + "Content-Length: 2\r\nContent-Type: text/x\r\n\r\nhi"},
		{hex: `"6869"`, ctype: `"text/plain"`, rc: 1,
			want: head + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"},
		{hex: "$var(h)", ctype: "$var(ct)", rc: 1,
			want: head + "Content-Length: 3\r\nContent-Type: a/b\r\n\r\n\x00\xffA"},
		{hex: `""`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <textops>: ki_set_body_hex(): invalid body parameter"}},
		{hex: `"6g"`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [6g] (2/1)"}},
		{hex: `"g6"`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [g6] (2/0)"}},
		{hex: `"686"`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [686] (3/2)"}},
		{hex: `"6 8"`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [6 8] (3/1)"}},
		{hex: "$var(ws)", ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [ \t ] (3/3)"}},
		{hex: `"zz"`, ctype: `""`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [zz] (2/0)"}},
		{hex: `"6869"`, ctype: `""`, rc: -1,
			log: []string{"ERROR: <textops>: ki_set_body(): invalid content-type parameter"}},
	} {
		f := newFixture(t, testRequest)
		f.set("h", "00 ff41")
		f.set("ct", "a/b")
		f.set("ws", " \t ")
		if rc := f.call("set_body_hex", tc.hex, tc.ctype); rc != tc.rc {
			t.Errorf("set_body_hex(%s, %s) = %d, want %d", tc.hex, tc.ctype, rc, tc.rc)
		}
		want := tc.want
		if want == "" {
			want = testRequest
		}
		if got := f.msg.Rebuilt(); got != want {
			t.Errorf("set_body_hex(%s, %s): message\n%q, want\n%q", tc.hex, tc.ctype, got, want)
		}
		if lines := f.h.Lines(); !slices.Equal(lines, tc.log) {
			t.Errorf("set_body_hex(%s, %s): log %q, want %q", tc.hex, tc.ctype, lines, tc.log)
		}
	}
}

// TestSetBodyHexWholeBody: the old body is everything after the headers,
// as Kamailio 6.1's set_body removes it, also past a Content-Length that
// says less; a message without Content-Length gets one.
func TestSetBodyHexWholeBody(t *testing.T) {
	const head = "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.1:5062;branch=z9hG4bK1\r\n" +
		"From: <sip:alice@example.com>;tag=1\r\n" +
		"To: <sip:bob@example.com>\r\n" +
		"Call-ID: c1\r\n" +
		"CSeq: 1 MESSAGE\r\n"
	for _, tc := range []struct{ in, want string }{
		{head + "\r\nold body", head + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"},
		{head + "Content-Length: 3\r\n\r\nold body", head + "Content-Length: 2\r\nContent-Type: text/plain\r\n\r\nhi"},
	} {
		f := newFixture(t, tc.in)
		if rc := f.call("set_body_hex", `"6869"`, `"text/plain"`); rc != 1 {
			t.Fatalf("rc %d", rc)
		}
		if got := f.msg.Rebuilt(); got != tc.want {
			t.Errorf("%q: message\n%q, want\n%q", tc.in, got, tc.want)
		}
	}
}

// TestSetReplyBodyHex: the Content-Type for local replies, after the
// hex text decodes.
func TestSetReplyBodyHex(t *testing.T) {
	for _, tc := range []struct {
		hex, ctype string
		rc         int
		hdrs       string
		log        []string
	}{
		{hex: `"68 69"`, ctype: `"text/plain"`, rc: 1, hdrs: "Content-Type: text/plain\r\n"},
		{hex: "$var(h)", ctype: "$var(ct)", rc: 1, hdrs: "Content-Type: a/b\r\n"},
		{hex: `""`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <textops>: ki_set_rpl_body_hex(): invalid body parameter"}},
		{hex: `"6x"`, ctype: `"text/plain"`, rc: -1,
			log: []string{"ERROR: <core>: ksr_hex_decode_ws(): invalid input hex data [6x] (2/1)"}},
		{hex: `"6869"`, ctype: `""`, rc: -1,
			log: []string{"ERROR: <textops>: ki_set_rpl_body(): invalid content-type parameter"}},
	} {
		f := newFixture(t, testRequest)
		f.set("h", "6869")
		f.set("ct", "a/b")
		if rc := f.call("set_reply_body_hex", tc.hex, tc.ctype); rc != tc.rc {
			t.Errorf("set_reply_body_hex(%s, %s) = %d, want %d", tc.hex, tc.ctype, rc, tc.rc)
		}
		if f.msg.ReplyHeaders != tc.hdrs {
			t.Errorf("set_reply_body_hex(%s, %s): reply headers %q, want %q", tc.hex, tc.ctype, f.msg.ReplyHeaders, tc.hdrs)
		}
		if f.msg.Rebuilt() != testRequest {
			t.Errorf("set_reply_body_hex(%s, %s) changed the request", tc.hex, tc.ctype)
		}
		if lines := f.h.Lines(); !slices.Equal(lines, tc.log) {
			t.Errorf("set_reply_body_hex(%s, %s): log %q, want %q", tc.hex, tc.ctype, lines, tc.log)
		}
	}
}
