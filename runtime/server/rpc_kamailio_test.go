//go:build kamailio

package server_test

// Compares the shape of the core's RPC replies (member names, their
// order, nesting, and whether each value is a number) with Kamailio
// 5.6.3's, read with kamcmd through ctl on a unix socket, for one
// configuration run by both. Needs kamailio, its modules and kamcmd:
//
//	go test -tags kamailio ./runtime/server -run Kamailio

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/lang/parser"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/evapi"
	_ "github.com/kamgo/kamgo/modules/kex"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// rpcConfig is run by both; CTL is where Kamailio loads ctl.
const rpcConfig = `#!KAMAILIO
#!define WITH_FOO
#!define BAR "baz"
#!define NUM 12
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:%%SIP_PORT%%
listen=tcp:127.0.0.1:%%SIP_PORT%%
alias=example.com:5070
alias=tcp:foo.org
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
CTL
request_route { exit; }
`

type node = kamref.Value

func shapes(ns []*node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Shape()
	}
	return out
}

func texts(ns []*node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text
	}
	return out
}

func TestKamailioCoreRPC(t *testing.T) {
	sockPath := filepath.Join(t.TempDir(), "ctl.sock")
	ctl := kamref.CtlLines(sockPath)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, strings.Replace(rpcConfig, "CTL", ctl, 1), kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	kam := func(args ...string) string {
		t.Helper()
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		out, err := kamref.Kamcmd(cctx, sockPath, args...)
		if err != nil {
			t.Fatalf("%v (%s)", err, out)
		}
		return out
	}

	// kamgo runs the same configuration, without ctl, on ports of its own.
	sipPort, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	evPort, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(rpcConfig, "CTL", "", 1)
	text = strings.ReplaceAll(text, kamref.SIPPortPlaceholder, strconv.Itoa(sipPort))
	text = strings.ReplaceAll(text, kamref.EvapiPortPlaceholder, strconv.Itoa(evPort))
	res := preproc.Process("kamailio.cfg", []byte(text), preproc.Options{})
	cfg, dl := parser.Parse(res)
	if all := append(res.Diags, dl...); all.HasErrors() {
		t.Fatal(all)
	}
	srv, diags := server.Load(cfg, server.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.StopSIP(context.Background()) })
	gor := func(method string, params ...*rpc.Value) ([]*node, *rpc.Fault) {
		t.Helper()
		c := &rpc.Call{Method: method, Params: params}
		if !srv.RPC().Run(context.Background(), c) {
			t.Fatalf("kamgo has no %s", method)
		}
		vals, f := c.Reply()
		var out []*node
		for _, v := range vals {
			out = append(out, kamref.FromRPC("", v))
		}
		return out, f
	}
	kamNodes := func(args ...string) []*node {
		t.Helper()
		ns, err := kamref.ParseKamcmd(kam(args...))
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}

	// Replies compared whole: same values.
	for _, tc := range []struct {
		args   []string
		params []*rpc.Value
	}{
		{[]string{"core.echo", "a", "3"}, []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(3)}},
		{[]string{"core.prints", "a", "b"}, []*rpc.Value{rpc.NewStr("a"), rpc.NewStr("b")}},
		{[]string{"core.prints", "a", "3", "c"}, []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(3), rpc.NewStr("c")}},
		{[]string{"core.printi", "1", "2"}, []*rpc.Value{rpc.NewInt(1), rpc.NewInt(2)}},
		{[]string{"core.printi", "1", "x", "3"}, []*rpc.Value{rpc.NewInt(1), rpc.NewStr("x"), rpc.NewInt(3)}},
	} {
		want := texts(kamNodes(tc.args...))
		g, _ := gor(tc.args[0], tc.params...)
		if got := texts(g); !slices.Equal(got, want) {
			t.Errorf("%v: kamgo %q, Kamailio %q", tc.args, got, want)
		}
	}

	// Faults: same code and text.
	for _, tc := range []struct {
		args   []string
		params []*rpc.Value
	}{
		{[]string{"system.methodSignature", "core.echo"}, []*rpc.Value{rpc.NewStr("core.echo")}},
		{[]string{"system.methodHelp", "no.such"}, []*rpc.Value{rpc.NewStr("no.such")}},
	} {
		want := strings.TrimSpace(kam(tc.args...))
		_, f := gor(tc.args[0], tc.params...)
		if f == nil {
			t.Errorf("%v: kamgo replied, Kamailio %q", tc.args, want)
			continue
		}
		if got := fmt.Sprintf("error: %d - %s", f.Code, f.Text); got != want {
			t.Errorf("%v: kamgo %q, Kamailio %q", tc.args, got, want)
		}
	}

	// Single structures and values: the same shape.
	for _, m := range []string{"core.version", "core.flags", "core.info", "core.runinfo", "core.uptime", "core.pwd",
		"core.tcp_info", "core.tcp_options", "core.sockets_list"} {
		want := shapes(kamNodes(m))
		g, f := gor(m)
		if f != nil {
			t.Errorf("%s: kamgo fault %v", m, f)
			continue
		}
		if got := shapes(g); !slices.Equal(got, want) {
			t.Errorf("%s shape:\n kamgo    %q\n Kamailio %q", m, got, want)
		}
	}

	// Lists: every kamgo entry has the shape of Kamailio's entries.
	for _, tc := range []struct {
		method string
		per    int // values per entry
	}{{"core.ps", 2}, {"core.psx", 1}, {"core.psa", 1}, {"core.ppdefines", 1}, {"core.arg", 1}} {
		want := shapes(kamNodes(tc.method))
		g, f := gor(tc.method)
		if f != nil || len(want) < tc.per || len(g) < tc.per {
			t.Errorf("%s: kamgo %d values (fault %v), Kamailio %d", tc.method, len(g), f, len(want))
			continue
		}
		for i, s := range shapes(g) {
			if s != want[i%tc.per] {
				t.Errorf("%s entry %d shape: kamgo %q, Kamailio %q", tc.method, i, s, want[i%tc.per])
			}
		}
	}

	// Each define both list has the same shape and value in both.
	{
		want := map[string]*node{}
		for _, n := range kamNodes("core.ppdefines_full") {
			want[n.Kids[0].Text] = n
		}
		g, _ := gor("core.ppdefines_full")
		same := 0
		for _, n := range g {
			k := want[n.Kids[0].Text]
			if k == nil {
				continue
			}
			same++
			if n.Shape() != k.Shape() || n.Kids[2].Text != k.Kids[2].Text {
				t.Errorf("core.ppdefines_full %s: kamgo %s %q, Kamailio %s %q", n.Kids[0].Text, n.Shape(), n.Kids[2].Text, k.Shape(), k.Kids[2].Text)
			}
		}
		if same < 6 {
			t.Errorf("core.ppdefines_full: %d defines in both lists", same)
		}
	}

	// The main process comes first, with the same description and rank.
	if g, _ := gor("core.psa"); len(g) > 0 {
		k := kamNodes("core.psa")
		if got, want := g[0].Kids[4].Text+" "+g[0].Kids[3].Text, k[0].Kids[4].Text+" "+k[0].Kids[3].Text; got != want {
			t.Errorf("core.psa first entry: kamgo %q, Kamailio %q", got, want)
		}
	}

	// The same modules, newest first (ctl is Kamailio's only).
	{
		var want []string
		for _, s := range texts(kamNodes("core.modules")) {
			if s != "ctl" {
				want = append(want, s)
			}
		}
		g, _ := gor("core.modules")
		if got := texts(g); !slices.Equal(got, want) {
			t.Errorf("core.modules: kamgo %q, Kamailio %q", got, want)
		}
	}

	// The same defines (ctl's MOD_ctl is Kamailio's only); kamgo does not
	// know the order they were defined in.
	{
		var want []string
		for _, s := range texts(kamNodes("core.ppdefines")) {
			if s != "MOD_ctl" {
				want = append(want, s)
			}
		}
		g, _ := gor("core.ppdefines")
		got := texts(g)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("core.ppdefines: kamgo %q, Kamailio %q", got, want)
		}
	}

	// The aliases, in Kamailio's order, with Kamailio's members: the
	// configured ones and (auto_aliases) the name 127.0.0.1 resolves back
	// to for each socket, localhost here (TestMain gives kamgo that
	// answer; Kamailio reads /etc/hosts).
	{
		k := kamNodes("core.aliases_list")
		g, _ := gor("core.aliases_list")
		if len(k) != 1 || len(g) != 1 || len(k[0].Kids) != 2 || len(g[0].Kids) != 2 {
			t.Fatalf("core.aliases_list: kamgo %d values, Kamailio %d", len(g), len(k))
		}
		if got, want := g[0].Kids[0].Name+"="+g[0].Kids[0].Text, k[0].Kids[0].Name+"="+k[0].Kids[0].Text; got != want {
			t.Errorf("core.aliases_list: kamgo %q, Kamailio %q", got, want)
		}
		alias := func(n *node) string {
			parts := []string{n.Name}
			for _, m := range n.Kids {
				parts = append(parts, m.Name+"="+m.Text)
			}
			return strings.Join(parts, " ")
		}
		var want, got []string
		for _, a := range k[0].Kids[1].Kids {
			want = append(want, strings.ReplaceAll(alias(a), strconv.Itoa(in.SIPPort), "PORT"))
		}
		for _, a := range g[0].Kids[1].Kids {
			got = append(got, strings.ReplaceAll(alias(a), strconv.Itoa(sipPort), "PORT"))
		}
		if !slices.Equal(got, want) || k[0].Kids[1].Name != g[0].Kids[1].Name {
			t.Errorf("core.aliases_list aliases:\n kamgo    %q\n Kamailio %q", got, want)
		}
	}

	// Every command kamgo offers is one of Kamailio's, by that name.
	{
		known := map[string]bool{}
		for _, n := range kamNodes("system.listMethods") {
			known[n.Text] = true
		}
		g, _ := gor("system.listMethods")
		for _, n := range texts(g) {
			if !known[n] {
				t.Errorf("kamgo offers %s, which Kamailio does not have", n)
			}
		}
	}

	// core.kill answers nothing, then the server stops.
	if out := kam("core.kill"); out != "" {
		t.Errorf("Kamailio core.kill replied %q", out)
	}
	if g, f := gor("core.kill"); len(g) != 0 || f != nil {
		t.Errorf("kamgo core.kill replied %v %v", g, f)
	}
	select {
	case <-srv.Aborted():
	default:
		t.Error("kamgo core.kill did not stop the server")
	}
	for i := 0; !in.Exited(); i++ {
		if i == 500 {
			t.Fatal("Kamailio did not exit after core.kill")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
