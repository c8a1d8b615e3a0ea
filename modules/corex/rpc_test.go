package corex_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// startServer loads text with its SIP sockets open until the test ends.
func startServer(t *testing.T, text string) *siptest.Server {
	t.Helper()
	return siptest.Start(t, text, siptest.Options{})
}

// reply runs method and gives its reply as text, one value a line.
func reply(t *testing.T, srv *server.Server, method string) string {
	t.Helper()
	vals, f, ok := siptest.RPC(srv, method)
	if !ok {
		t.Fatalf("%s is not registered", method)
	}
	if f != nil {
		return fmt.Sprintf("fault %d %s", f.Code, f.Text)
	}
	var lines []string
	for _, v := range vals {
		lines = append(lines, v.String())
	}
	return strings.Join(lines, "\n")
}

func TestRPCListSocketsAndAliases(t *testing.T) {
	p2 := siptest.FreePort(t)
	s := startServer(t, fmt.Sprintf(`auto_aliases=no
listen=tcp:127.0.0.1:%[1]s
listen=udp:127.0.0.1:%[1]s advertise 192.0.2.1:5080 name "pub"
listen=udp:localhost:%[2]d
alias=example.com:5070
alias=tcp:foo.org
loadmodule "corex.so"
request_route { exit; }
`, siptest.SIPPort, p2))
	srv, p1 := s.Srv, s.Port
	sock := func(proto, name string, port int, sockname, adv string) string {
		return fmt.Sprintf("{PROTO: %s, NAME: %s, ADDRLIST: {ADDR: 127.0.0.1}, PORT: %d, MCAST: no, MHOMED: no, VIRTUAL: no, SOCKNAME: %s, ADVERTISE: %s}",
			proto, name, port, sockname, adv)
	}
	for _, tc := range []struct{ method, want string }{
		{"corex.list_sockets", strings.Join([]string{
			sock("udp", "127.0.0.1", p1, "pub", "192.0.2.1"),
			sock("udp", "localhost", p2, "-", "-"),
			sock("tcp", "127.0.0.1", p1, "-", "-"),
		}, "\n")},
		{"corex.list_aliases", "{PROTO: tcp, ADDR: foo.org, PORT: 0}\n{PROTO: *, ADDR: example.com, PORT: 5070}"},
	} {
		if got := reply(t, srv, tc.method); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.method, got, tc.want)
		}
	}
}

// TestRPCWithoutSockets: a configuration whose sockets are not open
// lists none.
func TestRPCWithoutSockets(t *testing.T) {
	s, err := siptest.Load(t, "loadmodule \"corex.so\"\nrequest_route { exit; }\n", siptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := s.Srv
	for _, m := range []string{"corex.list_sockets", "corex.list_aliases"} {
		if got := reply(t, srv, m); got != "" {
			t.Errorf("%s = %q, want nothing", m, got)
		}
	}
}

// TestRPCDebug: corex.debug reads the core's debug, and sets it (the
// logger's threshold too) given an integer.
func TestRPCDebug(t *testing.T) {
	srv := startServer(t, "debug=2\nauto_aliases=no\nloadmodule \"corex.so\"\nrequest_route { exit; }\n").Srv
	run := func(params ...*rpc.Value) string {
		vals, f, _ := siptest.RPC(srv, "corex.debug", params...)
		if f != nil {
			return fmt.Sprintf("fault %d %s", f.Code, f.Text)
		}
		return fmt.Sprint(vals)
	}
	for _, tc := range []struct {
		params []*rpc.Value
		want   string
	}{
		{nil, "[{debug: 2}]"},
		{[]*rpc.Value{rpc.NewInt(3)}, "[{old: 2, new: 3}]"},
		{[]*rpc.Value{rpc.NewStr("x")}, "[{debug: 3}]"},
		{nil, "[{debug: 3}]"},
	} {
		if got := run(tc.params...); got != tc.want {
			t.Errorf("corex.debug %v = %s, want %s", tc.params, got, tc.want)
		}
	}
}
