package interp

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
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

// fakeFixer resolves names ending in .invalid to nothing, others to
// 192.0.2.1, and has one socket, udp:192.0.2.1:5060.
type fakeFixer struct{ asked []string }

func (f *fakeFixer) ResolveStatic(host string, port, proto int) (netip.AddrPort, error) {
	f.asked = append(f.asked, fmt.Sprintf("%s:%d/%d", host, port, proto))
	if strings.HasSuffix(host, ".invalid") {
		return netip.AddrPort{}, errors.New("no such host")
	}
	return netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), uint16(port)), nil
}

var fakeSocket = &sipmsg.Socket{Proto: sipmsg.ProtoUDP, Port: 5060}

// StaticSocket looks a name up as the transport does (an address record:
// a port given), then finds the socket by address.
func (f *fakeFixer) StaticSocket(proto int, host string, port int) (*sipmsg.Socket, error) {
	addr := host
	if _, err := netip.ParseAddr(host); err != nil {
		a, err := f.ResolveStatic(host, max(port, 1), proto)
		if err != nil {
			return nil, &sip.UnresolvedError{Host: host, Err: err}
		}
		addr = a.Addr().String()
	}
	if addr == "192.0.2.1" && (proto == sipmsg.ProtoNone || proto == sipmsg.ProtoUDP) && (port == 0 || port == 5060) {
		return fakeSocket, nil
	}
	return nil, &sip.NoSocketError{Host: host, Proto: proto}
}

// TestFixHosts: hosts resolve in order until one fails, whose refusal is
// returned with Kamailio's lines; those fixed keep their address or
// socket, the others have none.
func TestFixHosts(t *testing.T) {
	for _, tc := range []struct {
		name, src, asked, refused string
		lines                     []string
	}{
		{"forward", `request_route {
	forward("a.example", 5070);
	force_send_socket(udp:192.0.2.1:5060);
	forward("bad.invalid");
	forward("c.example");
}
`, "a.example:5070/0 bad.invalid:0/0", "bad.invalid",
			[]string{`CRITICAL: core: mk_proxy(): could not resolve hostname: "bad.invalid"`}},
		{"socket not listened", `request_route {
	force_send_socket(a.example);
	force_send_socket(tcp:192.0.2.1:5060);
	forward("c.example");
}
`, "a.example:1/0", "192.0.2.1",
			[]string{"ERROR: core: fix_actions(): bad force_send_socket argument: 192.0.2.1:5060 (kamgo doesn't listen on it)"}},
		{"socket name", `request_route {
	force_send_socket(udp:b.invalid:5060);
}
`, "b.invalid:5060/1", "b.invalid",
			[]string{"ERROR: core: fix_actions(): force_send_socket: could not resolve b.invalid"}},
		{"tls left to the call", `request_route {
	force_send_socket(tls:192.0.2.9:5061);
}
`, "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, dl := compileTest(t, tc.src, nil)
			if r == nil {
				t.Fatalf("compile: %v", dl)
			}
			f := &fakeFixer{}
			ref := r.prog.FixHosts(f)
			if got := strings.Join(f.asked, " "); got != tc.asked {
				t.Errorf("asked %q, want %q", got, tc.asked)
			}
			if tc.refused == "" {
				if ref != nil {
					t.Fatalf("refused: %+v", ref)
				}
				return
			}
			if ref == nil || ref.Host.Host != tc.refused || ref.Err == nil {
				t.Fatalf("refusal %+v, want one for %s", ref, tc.refused)
			}
			var lines []string
			for _, l := range ref.Lines {
				lines = append(lines, l.Level.String()+": "+l.Origin+": "+l.Text)
			}
			if strings.Join(lines, "\n") != strings.Join(tc.lines, "\n") {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tc.lines, "\n"))
			}
			after := false
			for _, h := range r.prog.StaticHosts() {
				if h == ref.Host {
					after = true
				}
				_, resolved := h.Addr()
				_, found := h.SocketOf()
				if fixed := resolved || found; fixed == (after || h == ref.Host) {
					t.Errorf("%s: fixed %v", h.Host, fixed)
				}
			}
		})
	}
}
