//go:build kamailio

package server_test

// A stateless forward() to a host that does not resolve: Kamailio 5.6.3's
// resolver logs the host, then forward_request() drops the packet, and the
// script goes on. Needs kamailio and its modules:
//
//	go test -tags kamailio -run KamailioForward ./runtime/server

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
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

// A host written in the configuration that does not resolve, or a
// force_send_socket() socket the server does not listen on, refuses it at
// startup in both servers, with the same lines: the resolver's, the
// module's (tm's fixups), then "fixing failed" at the call and at each
// statement around it, in the absolute path of the file (compared by its
// base name: the two servers read copies in different directories).
const hostAtStartConfig = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "sl.so"
loadmodule "corex.so"
modparam("corex", "dns_cache", "type=A;name=bad.example;flags=1;ttl=3600")
modparam("corex", "dns_cache", "type=A;name=ok.example;addr=127.0.0.1;ttl=3600")
request_route {
	forward("ok.example", 5070);
	if ($rU == "a") {
		sl_send_reply("200", "ok");
	} else if ($rU == "b") {
		route(FWD);
	}
	exit;
}
route[FWD] {
	switch ($rU) {
		case "c":
			if ($rd == "x") {
				CALL
				;
			}

			break;
	}
}
`

func TestKamailioHostAtStart(t *testing.T) {
	for _, tc := range []struct{ name, call string }{
		{"forward over lines", "forward(\n\t\t\t\t  \"bad.example\", 5060\n\t\t\t\t)"},
		{"t_relay", `t_relay("bad.example", "5060")`},
		{"t_relay_to_tcp", `t_relay_to_tcp("bad.example", "5060")`},
		{"t_replicate", `t_replicate("bad.example", "5060")`},
		{"t_forward_nonack", `t_forward_nonack("bad.example", "5060")`},
		{"t_relay_to", `t_relay_to("udp:bad.example:5060")`},
		{"force_send_socket not listened", `force_send_socket(tcp:127.0.0.1:5)`},
		{"force_send_socket unresolved", `force_send_socket(udp:bad.example:5060)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := strings.Replace(hostAtStartConfig, "CALL", tc.call, 1)
			want, wantErr := kamailioRefusal(t, cfg)
			got, gotErr := kamgoRefusal(t, cfg)
			// Kamailio's line names the server.
			for i, l := range got {
				got[i] = strings.Replace(l, "(kamgo doesn't listen on it)", "(kamailio doesn't listen on it)", 1)
			}
			if gotErr != wantErr {
				t.Errorf("kamgo: %q, Kamailio: %q", gotErr, wantErr)
			}
			base := regexp.MustCompile(`at cfg:(/\S*/)?([^/:]+):`)
			for _, lines := range [][]string{want, got} {
				for i, l := range lines {
					if m := base.FindStringSubmatch(l); m != nil && m[1] == "" {
						t.Errorf("not an absolute path: %s", l)
					}
					lines[i] = base.ReplaceAllString(l, "at cfg:$2:")
				}
			}
			if len(want) < 3 {
				t.Fatalf("Kamailio's lines:\n%s", strings.Join(want, "\n"))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("lines:\n kamgo\n%s\n Kamailio\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// refusalOrigins are the origins of the lines the refusals compare.
var refusalOrigins = map[string]bool{"core": true, "tm": true}

// kamailioRefusal runs cfg in Kamailio, which must refuse it while
// fixing it, and returns its CRITICAL and ERROR lines of refusalOrigins
// ("LEVEL: <origin>: text") and the error on its stderr.
func kamailioRefusal(t *testing.T, cfg string) ([]string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := kamref.StartSIP(ctx, cfg, kamref.Options{})
	var se *kamref.StartError
	if !errors.As(err, &se) {
		in.Stop()
		t.Fatalf("Kamailio started: %v", err)
	}
	var lines []string
	for _, l := range kamref.ParseLog(se.Log) {
		origin := strings.Trim(l.Origin, "<>")
		if (l.Level == "CRITICAL" || l.Level == "ERROR") && refusalOrigins[origin] {
			// The stderr line after the last record reads as its
			// continuation.
			text, _, _ := strings.Cut(l.Text, "\n")
			lines = append(lines, l.Level+": <"+origin+">: "+text)
		}
	}
	for _, l := range se.Log {
		if strings.Contains(l, "while trying to fix configuration") {
			return lines, strings.TrimSpace(l)
		}
	}
	t.Fatalf("Kamailio did not refuse its configuration while fixing it:\n%s", strings.Join(se.Log, "\n"))
	return nil, ""
}

// kamgoRefusal loads cfg in kamgo and starts it, its SIP sockets
// included, which must fail; it returns the lines kamailioRefusal keeps
// and StartSIP's error.
func kamgoRefusal(t *testing.T, cfg string) ([]string, string) {
	t.Helper()
	srv, _, out := startKamgoModules(t, cfg)
	err := srv.StartSIP(context.Background())
	if err == nil {
		srv.StopSIP(context.Background())
		t.Fatal("kamgo started")
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		lv, rest, _ := strings.Cut(l, ": ")
		origin, _, _ := strings.Cut(rest, ": ")
		if (lv == "CRITICAL" || lv == "ERROR") && refusalOrigins[strings.Trim(origin, "<>")] {
			lines = append(lines, l)
		}
	}
	return lines, err.Error()
}
