package sipmsg

import "testing"

func TestHTTPRequestLine(t *testing.T) {
	for line, want := range map[string]bool{
		"GET / HTTP/1.1": true, "POST /RPC?x=1 HTTP/1.0": true, "GET / HTTP/2.0": false,
		"INVITE sip:a@b SIP/2.0": false, "HTTP/1.1": false, "GET HTTP/1.1": false, "SIP/2.0 200 OK": false,
	} {
		if got := HTTPRequestLine(line); got != want {
			t.Errorf("%q: %v", line, got)
		}
	}
}

func TestParseHTTP(t *testing.T) {
	raw := "POST /RPC HTTP/1.1\r\nVia: SIP/2.0/TCP 127.0.0.1:40000\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
	m, err := ParseHTTP(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Method != "POST" || m.RURI != "/RPC" || m.Version != "HTTP/1.1" || m.Body != "{}" || !m.IsHTTP() {
		t.Errorf("parsed %q %q %q body %q", m.Method, m.RURI, m.Version, m.Body)
	}
	if v, _ := m.Header("content-type"); v != "application/json" {
		t.Errorf("Content-Type %q", v)
	}
	if h := m.Headers[1]; raw[h.Start:h.End] != "Host: h\r\n" {
		t.Errorf("Host field %q", raw[h.Start:h.End])
	}
	if _, err := ParseHTTP("INVITE sip:a@b SIP/2.0\r\n\r\n"); err == nil {
		t.Error("a SIP request parsed as HTTP")
	}
	if m, err := Parse("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n"); err != nil || m.IsHTTP() {
		t.Errorf("SIP request: %v %v", err, m)
	}
}
