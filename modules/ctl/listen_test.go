package ctl

import "testing"

func TestParseListenID(t *testing.T) {
	for _, tc := range []struct {
		in    string
		def   transport
		proto transport
		name  string
		port  int
	}{
		{"unix:/run/kamailio/kamailio_ctl", udpSock, unixStream, "/run/kamailio/kamailio_ctl", 0},
		{"unixs:/tmp/unix_stream", udpSock, unixStream, "/tmp/unix_stream", 0},
		{"UNIXD:/tmp/unix_dgram", udpSock, unixDgram, "/tmp/unix_dgram", 0},
		{"/tmp/unix_test", udpSock, unixStream, "/tmp/unix_test", 0},
		{"udp:localhost:2046", udpSock, udpSock, "localhost", 2046},
		{"tcp:localhost:2046", udpSock, tcpSock, "localhost", 2046},
		{"localhost:3000", udpSock, udpSock, "localhost", 3000},
		{"tcp:3012", udpSock, tcpSock, "*", 3012},
		{"udp:*:3012", udpSock, udpSock, "*", 3012},
		{"tcp:[::1]:2049", udpSock, tcpSock, "[::1]", 2049},
		{"tcp:localhost", udpSock, tcpSock, "localhost", 0},
		{"somehost", udpSock, udpSock, "somehost", 0},
		{"fifo:/tmp/kamailio_fifo", fifoSock, fifoSock, "/tmp/kamailio_fifo", 0},
		{"/tmp/kamailio_fifo2", fifoSock, fifoSock, "/tmp/kamailio_fifo2", 0},
		{"udp:*:2050", fifoSock, udpSock, "*", 2050},
		{"tcp:localhost:2050", fifoSock, tcpSock, "localhost", 2050},
		{"localhost:2051", fifoSock, udpSock, "localhost", 2051},
	} {
		id, err := parseListenID(tc.in, tc.def)
		if err != nil || id.proto != tc.proto || id.name != tc.name || id.port != tc.port {
			t.Errorf("parseListenID(%q) = %v %q %d, %v; want %v %q %d", tc.in, id.proto, id.name, id.port, err, tc.proto, tc.name, tc.port)
		}
	}
	for _, bad := range []string{"tcp:host:notaport", "tcp:[::1", "tcp:[::1]x", "udp:h:99999"} {
		if id, err := parseListenID(bad, udpSock); err == nil {
			t.Errorf("parseListenID(%q) = %+v, want an error", bad, id)
		}
	}
}

func TestFIFOEscapes(t *testing.T) {
	if got := fifoEscape("a:b,c\n\\\t\r\x00", true); got != `a\ob\cc\n\\\t\r\0` {
		t.Errorf("escape all: %q", got)
	}
	if got := fifoEscape("a:b,c\n", false); got != `a:b,c\n` {
		t.Errorf("escape lines: %q", got)
	}
	if got, err := fifoUnescape(`a\cb\oc\n\\\0`); err != nil || got != "a:b,c\n\\\x00" {
		t.Errorf("unescape: %q %v", got, err)
	}
	for _, bad := range []string{`a\`, `\x`} {
		if _, err := fifoUnescape(bad); err == nil {
			t.Errorf("unescape %q: no error", bad)
		}
	}
}
