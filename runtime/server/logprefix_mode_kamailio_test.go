//go:build kamailio

package server_test

// log_prefix_mode: the lines Kamailio 5.6.3 and kamgo print for the same
// requests when the prefix reads a $var the script changes, expanded once
// per message (0) or around every action (1). Needs kamailio and its
// modules:
//
//	go test -tags kamailio -run KamailioLogPrefixMode ./runtime/server

import (
	"strings"
	"testing"
)

func TestKamailioLogPrefixMode(t *testing.T) {
	for _, mode := range []string{"0", "1"} {
		cfg := "#!KAMAILIO\ndebug=2\nlog_stderror=yes\nmpath=\"/usr/lib/x86_64-linux-gnu/kamailio/modules/\"\n" +
			"listen=tcp:127.0.0.1:%%SIP_PORT%%\n" + // kamref waits for the TCP socket
			strings.Replace(eachActionConfig, "MODE", mode, 1)
		in := startKamailioSIP(t, cfg)
		gport, out := startKamgoSIP(t, cfg)
		for i := 1; i <= 2; i++ {
			if g, k := sendRURI(t, gport, i, "sip:b@127.0.0.1"), sendRURI(t, in.SIPPort, i, "sip:b@127.0.0.1"); g != k {
				t.Errorf("log_prefix_mode=%s: kamgo %q, Kamailio %q", mode, g, k)
			}
		}
		// lines keeps the script's and sl's lines.
		lines := func(all []string) string {
			var out []string
			for _, l := range all {
				if strings.Contains(l, "<script>: ") || strings.Contains(l, "sl_reply_error(): ") {
					out = append(out, l)
				}
			}
			return strings.Join(out, "\n")
		}
		want := lines(kamailioLines(t, in, func(l []string) bool { return strings.Count(lines(l), "sl_reply_error") == 2 }))
		if got := lines(strings.Split(out.String(), "\n")); got != want {
			t.Errorf("log_prefix_mode=%s:\n kamgo\n%s\n Kamailio\n%s", mode, got, want)
		}
	}
}
