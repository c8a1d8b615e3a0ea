//go:build kamailio

package server_test

// Requests whose Request-URI does not parse are routed by Kamailio 5.6.3
// (it parses the URI when something reads its parts): kamgo must route
// them too, and log what Kamailio logs when the script reads the parts. Needs kamailio and its modules:
//
//	go test -tags kamailio -run KamailioBadRURI ./runtime/server

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const badRURIConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
listen=tcp:127.0.0.1:%%SIP_PORT%%
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "sl.so"
request_route {
	xlog("L_INFO", "routed $rm $ci\n");
	xlog("L_INFO", "parts $ci [$rU] [$rd] [$rp] [$rz] [$ru] [$oU] [$ou] [$nh(d)]\n");
	sl_send_reply("404", "No");
}
`

// badRURIs are Request-URIs kamgo's parser once refused, and urn: ones,
// which Kamailio parses with SIP's grammar.
var badRURIs = []string{"foo", "*", "sip:b@host:abc", "sip:b@[::1", "<sip:b@h>", "sip:b@h:99999",
	"urn:service:sos", "URN:service:sos.fire", "urn:nena:service:sos", "urn:service:sos;x=1", "urn:foo", "urn:a@b:5070", "urn:service:123"}

// sendRURI sends OPTIONS with the Request-URI uri and returns the first
// line of the reply.
func sendRURI(t *testing.T, port, i int, uri string) string {
	t.Helper()
	c, lp := dialUDP(t, port)
	defer c.Close()
	msg := fmt.Sprintf("OPTIONS %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-r%d\r\nFrom: <sip:a@x>;tag=1\r\n"+
		"To: <sip:b@x>\r\nCall-ID: ruri-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", uri, lp, i, i)
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	n, err := c.Read(buf)
	if err != nil {
		return "no reply"
	}
	first, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	return first
}

func TestKamailioBadRURI(t *testing.T) {
	in := startKamailioSIP(t, badRURIConfig)
	kport := in.SIPPort
	gport, out := startKamgoSIP(t, badRURIConfig)
	for i, uri := range badRURIs {
		if g, k := sendRURI(t, gport, i, uri), sendRURI(t, kport, i, uri); g != k {
			t.Errorf("%q: kamgo %q, Kamailio %q", uri, g, k)
		}
	}
	// routed keeps the lines of the requests: the script's and the errors
	// of reading their Request-URI's parts, as "LEVEL: <origin>: text".
	routed := func(lines []string) string { return scriptAndErrors(lines, "pv", "core") }
	want := routed(kamailioLines(t, in, func(lines []string) bool {
		return strings.Count(routed(lines), "<script>: parts ") == len(badRURIs)
	}))
	if got := routed(strings.Split(out.String(), "\n")); got != want {
		t.Errorf("routed:\n kamgo\n%s\n Kamailio\n%s", got, want)
	}
}
