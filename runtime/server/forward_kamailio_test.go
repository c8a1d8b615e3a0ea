//go:build kamailio

package server_test

// A stateless forward() to a host that does not resolve: Kamailio 5.6.3's
// resolver logs the host, then forward_request() drops the packet, and the
// script goes on. Needs kamailio and its modules:
//
//	go test -tags kamailio -run KamailioForwardUnresolved ./runtime/server

import (
	"strings"
	"testing"
)

const forwardUnresolvedConfig = `#!KAMAILIO
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
	if ($rU == "du") {
		$du = "sip:no-such-host.invalid";
	} else {
		$ru = "sip:x@no-such-host.invalid:5070";
	}
	forward();
	xlog("L_INFO", "after forward $rU $rc\n");
	sl_send_reply("500", "Not Forwarded");
}
`

func TestKamailioForwardUnresolved(t *testing.T) {
	in := startKamailioSIP(t, forwardUnresolvedConfig)
	gport, out := startKamgoSIP(t, forwardUnresolvedConfig)
	for i, user := range []string{"du", "ruri"} {
		if g, k := sendRURI(t, gport, i, "sip:"+user+"@127.0.0.1"), sendRURI(t, in.SIPPort, i, "sip:"+user+"@127.0.0.1"); g != k {
			t.Errorf("%s: kamgo %q, Kamailio %q", user, g, k)
		}
	}
	// forwarded keeps the core's error lines and the script's.
	forwarded := func(lines []string) string { return scriptAndErrors(lines, "core") }
	want := forwarded(kamailioLines(t, in, func(lines []string) bool {
		return strings.Count(forwarded(lines), "<script>: after forward") == 2
	}))
	if !strings.Contains(want, `sip_hostport2su(): could not resolve hostname: "no-such-host.invalid"`) {
		t.Fatalf("Kamailio's lines lack the resolver's:\n%s", want)
	}
	if got := forwarded(strings.Split(out.String(), "\n")); got != want {
		t.Errorf("lines:\n kamgo\n%s\n Kamailio\n%s", got, want)
	}
}
