package siputils

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// TestMsgProto runs is_sip, is_http and sip_parse_headers on SIP and HTTP
// messages.
func TestMsgProto(t *testing.T) {
	sipReq := parse(t, "OPTIONS sip:b@e.com SIP/2.0\r\n", "")
	sipRpl := parse(t, "SIP/2.0 200 OK\r\n", "")
	httpReq, err := sipmsg.ParseHTTP("GET /rpc HTTP/1.1\r\nHost: example.com\r\nVia: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		msg       *sipmsg.Msg
		sip, http int
	}{
		{"SIP request", sipReq, 1, -1},
		{"SIP reply", sipRpl, 1, -1},
		{"faked request", sipmsg.Faked(), 1, -1},
		{"HTTP/1.1 request", httpReq, -1, 1},
		{"HTTP/2 request", &sipmsg.Msg{Method: "POST", Version: "HTTP/2"}, -1, 1},
		{"http/1.0 reply", &sipmsg.Msg{Version: "http/1.0", Status: 200}, -1, 1},
		{"HTTP/1.2 reply", &sipmsg.Msg{Version: "HTTP/1.2", Status: 200}, -1, -1},
		{"sip/2.0 request", &sipmsg.Msg{Method: "INVITE", Version: "sip/2.0"}, 1, -1},
		{"other request", &sipmsg.Msg{Method: "GET", Version: "RTSP/1.0"}, -1, -1},
	} {
		if rc := isSIP(nil, tc.msg); rc != tc.sip {
			t.Errorf("%s: is_sip() = %d, want %d", tc.name, rc, tc.sip)
		}
		if rc := isHTTP(nil, tc.msg); rc != tc.http {
			t.Errorf("%s: is_http() = %d, want %d", tc.name, rc, tc.http)
		}
		if rc := sipParseHeaders(nil, tc.msg); rc != 1 {
			t.Errorf("%s: sip_parse_headers() = %d, want 1", tc.name, rc)
		}
	}
}
