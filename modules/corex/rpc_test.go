package corex_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// startServer loads text with its SIP sockets open until the test ends.
func startServer(t *testing.T, text string) *server.Server {
	t.Helper()
	tree, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(tree, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = srv.StopSIP(stop)
		_ = srv.Stop(stop)
	})
	return srv
}

// reply runs method and gives its reply as text, one value a line.
func reply(t *testing.T, srv *server.Server, method string) string {
	t.Helper()
	c := &rpc.Call{Method: method}
	if !srv.RPC().Run(context.Background(), c) {
		t.Fatalf("%s is not registered", method)
	}
	vals, f := c.Reply()
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
	p1, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	p2, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, fmt.Sprintf(`auto_aliases=no
listen=tcp:127.0.0.1:%[1]d
listen=udp:127.0.0.1:%[1]d advertise 192.0.2.1:5080 name "pub"
listen=udp:localhost:%[2]d
alias=example.com:5070
alias=tcp:foo.org
loadmodule "corex.so"
request_route { exit; }
`, p1, p2))
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
	tree, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte("loadmodule \"corex.so\"\nrequest_route { exit; }\n"),
		preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	srv, ld := server.Load(tree, server.Options{})
	if ld.HasErrors() {
		t.Fatal(ld.Error())
	}
	for _, m := range []string{"corex.list_sockets", "corex.list_aliases"} {
		if got := reply(t, srv, m); got != "" {
			t.Errorf("%s = %q, want nothing", m, got)
		}
	}
}

// TestRPCDebug: corex.debug reads the core's debug, and sets it (the
// logger's threshold too) given an integer.
func TestRPCDebug(t *testing.T) {
	srv := startServer(t, "debug=2\nauto_aliases=no\nloadmodule \"corex.so\"\nrequest_route { exit; }\n")
	run := func(params ...*rpc.Value) string {
		c := &rpc.Call{Method: "corex.debug", Params: params}
		srv.RPC().Run(context.Background(), c)
		vals, f := c.Reply()
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
