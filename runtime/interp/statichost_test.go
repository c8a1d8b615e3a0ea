package interp

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
)

// The lines Kamailio 5.6.3 reports for a forward() host that does not
// resolve ("fixing failed ... at cfg:FILE:LINE", the forward then each
// statement around it) and the order in which it resolves the hosts, as
// `kamailio -DD -E -f` printed them for these layouts (the tagged test
// runtime/server TestKamailioForwardHostAtStart compares a run of both).
func TestStaticHostPlaces(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // host: lines, in resolving order
	}{
		{"switch in a named route", `request_route {
	if ($var(u) == "a") {
		xlog("a");
	} else if ($var(u) == "b") {
		forward("127.0.0.1", 5070);
	} else {
		route(FWD);
	}
	exit;
}

route[FWD] {
	if ($var(u) == "c") {
		xlog("c");
	}
	switch ($var(u)) {
		case "d":
			forward("no-such-host.invalid");
			break;
	}
}
`, []string{"127.0.0.1: 5 8 8", "no-such-host.invalid: 18 20"}},
		{"if without else, call over lines", `request_route {
	if ($var(u) == "a") {
		xlog("a");
	} else if ($var(u) == "b") {
		if ($var(u) == "c") {
			forward(
			  "no-such-host.invalid"
			)
			;
		}

		xlog("x");
	} else {
		exit;
	}

	exit;
}
`, []string{"no-such-host.invalid: 8 12 15 15"}},
		{"while, if without braces", `request_route {
	$var(x) = 1;
	while ($var(x) < 2) {
		$var(x) = $var(x) + 1;
		if ($var(u) == "c") forward("no-such-host.invalid");
	}
	exit;
}
event_route[core:worker-one-init] {
	forward("no-such-host2.invalid");
}
onreply_route {
	forward("no-such-host3.invalid");
}
`, []string{"no-such-host.invalid: 5 6 6", "no-such-host3.invalid: 13", "no-such-host2.invalid: 10"}},
		{"route tables", `event_route[tm:local-request] {
	forward("ev.invalid");
}
failure_route[F] {
	forward("failure.invalid");
}
route[B] {
	forward("b.invalid");
}
route[A] {
	forward("a.invalid");
}
request_route {
	route(A);
	forward("main.invalid");
}
`, []string{"main.invalid: 15", "b.invalid: 8", "a.invalid: 11", "failure.invalid: 5", "ev.invalid: 2"}},
		{"not static", `request_route {
	forward();
	forward(uri:host, uri:port);
	forward_tcp(uri:host, 5070);
}
`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, dl := compileTest(t, tc.src, nil)
			if r == nil {
				t.Fatalf("compile: %v", dl)
			}
			abs, err := filepath.Abs("test.cfg")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range r.prog.StaticHosts() {
				var lines []string
				for _, at := range h.At {
					if at.File != abs {
						t.Errorf("%s: file %q, want %q", h.Host, at.File, abs)
					}
					lines = append(lines, fmt.Sprint(at.Line))
				}
				got = append(got, h.Host+": "+strings.Join(lines, " "))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("hosts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestResolveHosts: hosts resolve in order until one fails, which is
// returned; those resolved keep their address, the others have none.
func TestResolveHosts(t *testing.T) {
	r, dl := compileTest(t, `request_route {
	forward("a.example", 5070);
	forward("bad.invalid");
	forward("c.example");
}
`, nil)
	if r == nil {
		t.Fatalf("compile: %v", dl)
	}
	var asked []string
	bad, err := r.prog.ResolveHosts(func(host string, port, _ int) (netip.AddrPort, error) {
		asked = append(asked, fmt.Sprintf("%s:%d", host, port))
		if strings.HasSuffix(host, ".invalid") {
			return netip.AddrPort{}, errors.New("no such host")
		}
		return netip.MustParseAddrPort("192.0.2.1:5070"), nil
	})
	if bad == nil || bad.Host != "bad.invalid" || err == nil {
		t.Fatalf("ResolveHosts = %v, %v; want bad.invalid and an error", bad, err)
	}
	if got := strings.Join(asked, " "); got != "a.example:5070 bad.invalid:0" {
		t.Errorf("asked %s", got)
	}
	hosts := r.prog.StaticHosts()
	if a, ok := hosts[0].Addr(); !ok || a.String() != "192.0.2.1:5070" {
		t.Errorf("a.example: %v %v", a, ok)
	}
	for _, h := range hosts[1:] {
		if _, ok := h.Addr(); ok {
			t.Errorf("%s has an address", h.Host)
		}
	}
}
