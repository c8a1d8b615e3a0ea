package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
)

// procmod is a test module with goroutines of its own (module.ProcLister).
type procmod struct{}

func (*procmod) ModuleInfo() module.Info {
	return module.Info{Name: "procmod", New: func() module.Module { return &procmod{} }}
}

func (*procmod) Procs() []module.Proc {
	return []module.Proc{{Desc: "proc dispatcher", Rank: module.RankNoChildInit}, {Desc: "proc worker", Rank: module.RankRPC}}
}

var _ module.ProcLister = (*procmod)(nil)

// rpcModules holds tmod and procmod.
var rpcModules = func() *module.Registry {
	r := module.NewRegistry()
	r.Register(&tmod{})
	r.Register(&procmod{})
	return r
}()

// testBuild is the build information the tests see.
func testBuild() (*debug.BuildInfo, bool) {
	return &debug.BuildInfo{GoVersion: "go1.99", Settings: []debug.BuildSetting{
		{Key: "-tags", Value: "netgo"}, {Key: "CGO_ENABLED", Value: "0"},
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123abc"}, {Key: "vcs.modified", Value: "true"},
	}}, true
}

// run runs one call through the registry and returns its reply as text.
func run(t *testing.T, srv *Server, convert bool, method string, params ...*rpc.Value) string {
	t.Helper()
	c := &rpc.Call{Method: method, Params: params, Convert: convert}
	if !srv.RPC().Run(context.Background(), c) {
		t.Fatalf("%s not registered", method)
	}
	return replyText(c)
}

// loadRPC loads src with the test modules and the clock at *clock.
func loadRPC(t *testing.T, src string, clock *time.Time) *Server {
	t.Helper()
	srv, diags := Load(parse(t, src), Options{Version: "9.9", Registry: rpcModules, Now: func() time.Time { return *clock }})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return srv
}

// TestCoreRPC runs every core command through the registry a transport
// uses, on a server with SIP sockets, aliases, a module with goroutines
// of its own and one open TCP connection.
func TestCoreRPC(t *testing.T) {
	readBuildInfo = testBuild
	t.Cleanup(func() { readBuildInfo = debug.ReadBuildInfo })
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.Local)
	srv := loadRPC(t, fmt.Sprintf(`children=2
listen=udp:127.0.0.1:%[1]d
listen=tcp:127.0.0.1:%[1]d
alias=example.com:5070
alias=tcp:foo.org
tcp_max_connections=100
tcp_connection_lifetime=300
loadmodule "procmod"
loadmodule "tmod"
request_route { exit; }
`, port), &clock)
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	if err := srv.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.StopSIP(ctx)
	conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The transport registers the connection when it accepts it.
	for i := 0; len(srv.SIP().Conns()) == 0; i++ {
		if i == 500 {
			t.Fatal("the TCP connection was not accepted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	peer := conn.LocalAddr().String()
	clock = clock.Add(90061 * time.Second)

	pid := strconv.Itoa(os.Getpid())
	wd, _ := os.Getwd()
	sock := "127.0.0.1:" + strconv.Itoa(port)
	procs := []struct {
		desc string
		rank int
	}{
		{"main process - attendant", 0},
		{"udp receiver child=0 sock=" + sock, 1},
		{"udp receiver child=1 sock=" + sock, 2},
		{"proc dispatcher", -128},
		{"proc worker", -2},
		{"tcp receiver conn=1 peer=" + peer, 3},
		{"tcp main process sock=" + sock, -4},
	}
	var ps, psx, psa []string
	for i, p := range procs {
		ps = append(ps, pid, p.desc)
		psx = append(psx, fmt.Sprintf("{IDX: %d, PID: %s, DSC: %s}", i, pid, p.desc))
		psa = append(psa, fmt.Sprintf("{index: %d, pid: %s, status: 1, rank: %d, description: %s}", i, pid, p.rank, p.desc))
	}
	// A configuration that did not come through the preprocessor has no
	// defines (see TestPPDefinesFromConfig for one that did).
	srv.defines.Store(nil)
	flags := "-tags=netgo, CGO_ENABLED=0"
	for _, tc := range []struct {
		method string
		params []*rpc.Value
		want   string
	}{
		{"core.version", nil, "kamgo 9.9 (Kamailio 5.6.3 configuration language)"},
		{"core.flags", nil, flags},
		{"core.info", nil, "{version: kamgo 9.9, id: 0123abc-dirty, compiler: gc go1.99, compiled: , flags: " + flags + "}"},
		{"core.runinfo", nil, "{name: kamgo, version: 9.9, sourceid: 0123abc-dirty, compiler: gc go1.99, compiled: , " +
			"time_now: Sun Dec  6 08:06:10 2026, time_started: Sat Dec  5 07:05:09 2026, uptime_secs: 90061, utime_days: 1d 1h 1m 1s}"},
		{"core.uptime", nil, "{now: Sun Dec  6 08:06:10 2026, up_since: Sat Dec  5 07:05:09 2026, uptime: 90061}"},
		{"core.echo", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(2)}, "a 2"},
		{"core.prints", []*rpc.Value{rpc.NewStr("a"), rpc.NewStr("b")}, "a b"},
		{"core.prints", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(3), rpc.NewStr("c")}, "a"},
		{"core.prints", nil, ""},
		{"core.printi", []*rpc.Value{rpc.NewInt(1), rpc.NewInt(-2)}, "1 -2"},
		{"core.printi", []*rpc.Value{rpc.NewInt(1), rpc.NewStr("x"), rpc.NewInt(3)}, "1"},
		{"core.printi", []*rpc.Value{rpc.NewInt(1), rpc.NewDouble(2.5)}, "1"},
		{"core.pwd", nil, wd},
		{"core.arg", nil, strings.Join(os.Args, " ")},
		{"core.modules", nil, "tmod procmod"},
		{"core.ps", nil, strings.Join(ps, " ")},
		{"core.psx", nil, strings.Join(psx, " ")},
		{"core.psa", nil, strings.Join(psa, " ")},
		{"core.sockets_list", nil, "[socket: {proto: udp, address: 127.0.0.1, port: " + strconv.Itoa(port) + ", mcast: no, mhomed: no, virtual: no}, " +
			"socket: {proto: tcp, address: 127.0.0.1, port: " + strconv.Itoa(port) + ", mcast: no, mhomed: no, virtual: no}]"},
		{"core.aliases_list", nil, "{myself_callbacks: no, aliases: [alias: {proto: tcp, address: localhost, port: " + strconv.Itoa(port) + "}, " +
			"alias: {proto: udp, address: localhost, port: " + strconv.Itoa(port) + "}, alias: {proto: tcp, address: foo.org, port: *}, " +
			"alias: {proto: *, address: example.com, port: 5070}]}"},
		{"core.tcp_info", nil, "{readers: 2, max_connections: 100, max_tls_connections: 2048, opened_connections: 1, " +
			"opened_tls_connections: 0, write_queued_bytes: 0}"},
		{"core.tcp_options", nil, "{connect_timeout: 10, send_timeout: 10, connection_lifetime: 300, " +
			"max_connections(soft): 100, max_tls_connections(soft): 2048, no_connect: 0, fd_cache: 1, async: 1, " +
			"connect_wait: 1, conn_wq_max: 32768, wq_max: 10485760, defer_accept: 0, delayed_ack: 1, syncnt: 0, linger2: 0, " +
			"keepalive: 1, keepidle: 0, keepintvl: 0, keepcnt: 0, crlf_ping: 1, accept_aliases: 0, " +
			"alias_flags: 1, new_conn_alias_flags: 2}"},
		{"core.ppdefines", nil, "fault 500 preprocessor defines not available"},
		{"core.ppdefines_full", nil, "fault 500 preprocessor defines not available"},
		{"system.methodSignature", []*rpc.Value{rpc.NewStr("core.echo")}, "fault 500 Not Implemented Yet"},
		{"system.methodHelp", []*rpc.Value{rpc.NewStr("core.version")}, "The server's name and version."},
		{"system.methodHelp", []*rpc.Value{rpc.NewStr("no.such")}, "fault 400 command not found"},
		{"system.methodHelp", nil, "fault 400 Method Name Expected"},
	} {
		if got := run(t, srv, false, tc.method, tc.params...); got != tc.want {
			t.Errorf("%s %v:\n got  %q\n want %q", tc.method, tc.params, got, tc.want)
		}
	}

	// core.tcp_list: the connection, accepted, has sent nothing; its idle
	// lifetime (300s) has just started.
	{
		c := &rpc.Call{Method: "core.tcp_list"}
		srv.RPC().Run(ctx, c)
		vals, f := c.Reply()
		if f != nil || len(vals) != 1 {
			t.Fatalf("core.tcp_list: %v %v", vals, f)
		}
		to, _ := vals[0].Get("timeout")
		if to == nil || to.Int < 0 || to.Int > 300 {
			t.Errorf("core.tcp_list timeout %v, want 0..300", to)
		}
		to.Int = 0
		lp := conn.LocalAddr().(*net.TCPAddr).Port
		want := fmt.Sprintf("{id: 1, type: TCP, state: CONN_ACCEPT, timeout: 0, lifetime: 300, ref_count: 1, "+
			"src_ip: 127.0.0.1, src_port: %d, dst_ip: 127.0.0.1, dst_port: %d}", lp, port)
		if got := vals[0].String(); got != want {
			t.Errorf("core.tcp_list:\n got  %s\n want %s", got, want)
		}
	}

	defs := SortDefines(map[string]string{"WITH_FOO": "", "BAR": `"baz"`, "KAMAILIO_5_6": "", "KAMAILIO_5": "", "NUM": "12"})
	srv.defines.Store(&defs)
	if got, want := run(t, srv, false, "core.ppdefines"), "KAMAILIO_5 KAMAILIO_5_6 BAR NUM WITH_FOO"; got != want {
		t.Errorf("core.ppdefines = %q, want %q", got, want)
	}
	if got, want := run(t, srv, false, "core.ppdefines_full"), `{name: KAMAILIO_5, type: 0, value: none} `+
		`{name: KAMAILIO_5_6, type: 0, value: none} {name: BAR, type: 0, value: "baz"} `+
		`{name: NUM, type: 0, value: 12} {name: WITH_FOO, type: 0, value: none}`; got != want {
		t.Errorf("core.ppdefines_full = %q, want %q", got, want)
	}

	c := &rpc.Call{Method: "system.listMethods"}
	srv.RPC().Run(ctx, c)
	vals, _ := c.Reply()
	var names []string
	for _, v := range vals {
		names = append(names, v.Str)
	}
	want := "core.aliases_list core.arg core.echo core.flags core.info core.kill core.modules core.ppdefines " +
		"core.ppdefines_full core.printi core.prints core.ps core.psa core.psx core.pwd core.runinfo " +
		"core.sockets_list core.tcp_info core.tcp_list core.tcp_options core.uptime core.version " +
		"system.listMethods system.methodHelp system.methodSignature"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("system.listMethods:\n got  %s\n want %s", got, want)
	}
}

// TestCoreRPCConvert: with conversion (jsonrpcs, ctl's autoconversion)
// core.prints and core.printi read numbers as strings and digits as
// numbers, and still stop at the first parameter that does not convert.
func TestCoreRPCConvert(t *testing.T) {
	clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.UTC)
	srv := loadRPC(t, "request_route { exit; }\n", &clock)
	for _, tc := range []struct {
		method string
		params []*rpc.Value
		want   string
	}{
		{"core.prints", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(3), rpc.NewDouble(1.5)}, "a 3 1.5"},
		{"core.prints", []*rpc.Value{rpc.NewStr("a"), rpc.NewBool(true), rpc.NewStr("c")}, "a"},
		{"core.printi", []*rpc.Value{rpc.NewStr("7"), rpc.NewInt(3), rpc.NewStr("x"), rpc.NewInt(4)}, "7 3"},
		{"core.echo", []*rpc.Value{rpc.NewDouble(0.5)}, "0.5"},
	} {
		if got := run(t, srv, true, tc.method, tc.params...); got != tc.want {
			t.Errorf("%s %v:\n got  %q\n want %q", tc.method, tc.params, got, tc.want)
		}
	}
}

// TestCoreRPCWithoutSIP: before the SIP sockets open there is one
// process, no socket, and the configured aliases; with disable_tcp the
// TCP commands fault as Kamailio's do.
func TestCoreRPCWithoutSIP(t *testing.T) {
	clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.UTC)
	srv := loadRPC(t, "disable_tcp=yes\nalias=udp:a.example:5061\nrequest_route { exit; }\n", &clock)
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		method string
		want   string
	}{
		{"core.ps", pid + " main process - attendant"},
		{"core.sockets_list", "[]"},
		{"core.aliases_list", "{myself_callbacks: no, aliases: [alias: {proto: udp, address: a.example, port: 5061}]}"},
		{"core.tcp_info", "fault 500 tcp support disabled"},
		{"core.tcp_options", "fault 500 tcp support disabled"},
		{"core.modules", ""},
	} {
		if got := run(t, srv, false, tc.method); got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.method, got, tc.want)
		}
	}
}

// TestCoreRPCKill: core.kill stops the server (through Abort) for the
// signals that stop Kamailio, SIGTERM by default, and not for those
// Kamailio ignores or survives.
func TestCoreRPCKill(t *testing.T) {
	for _, tc := range []struct {
		params []*rpc.Value
		reason string // "" when the server keeps running
	}{
		{nil, "core.kill: signal 15"},
		{[]*rpc.Value{rpc.NewInt(2)}, "core.kill: signal 2"},
		{[]*rpc.Value{rpc.NewInt(9)}, "core.kill: signal 9"},
		{[]*rpc.Value{rpc.NewInt(1)}, ""},
		{[]*rpc.Value{rpc.NewInt(10)}, ""},
		{[]*rpc.Value{rpc.NewInt(0)}, ""},
		{[]*rpc.Value{rpc.NewInt(99)}, ""},
		{[]*rpc.Value{rpc.NewInt(-3)}, ""},
	} {
		clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.UTC)
		srv := loadRPC(t, "request_route { exit; }\n", &clock)
		if got := run(t, srv, false, "core.kill", tc.params...); got != "" {
			t.Errorf("core.kill %v replied %q", tc.params, got)
		}
		got := ""
		select {
		case got = <-srv.Aborted():
		default:
		}
		if got != tc.reason {
			t.Errorf("core.kill %v: abort %q, want %q", tc.params, got, tc.reason)
		}
	}
}

// TestBuildOfWithoutInfo: a binary without build information reports an
// unknown revision and no settings.
func TestBuildOfWithoutInfo(t *testing.T) {
	readBuildInfo = func() (*debug.BuildInfo, bool) { return nil, false }
	t.Cleanup(func() { readBuildInfo = debug.ReadBuildInfo })
	b := buildOf()
	if b.id != "unknown" || b.flags != "" || !strings.HasPrefix(b.compiler, "gc go") && !strings.HasPrefix(b.compiler, "gccgo") {
		t.Errorf("buildOf() = %+v", b)
	}
}

// replyText is the reply's values separated by spaces, or the fault.
func replyText(c *rpc.Call) string {
	vals, f := c.Reply()
	if f != nil {
		return "fault " + f.Error()
	}
	out := ""
	for i, v := range vals {
		if i > 0 {
			out += " "
		}
		out += v.String()
	}
	return out
}

// TestCoreRPCTransportScan: under a transport's own scan rules
// (rpc.Call.Scan, as ctl's binrpc has them), core.prints and core.printi
// stop at the first parameter that does not read, and a first one that
// does not read is the reply, as Kamailio answers over binrpc.
func TestCoreRPCTransportScan(t *testing.T) {
	clock := time.Date(2026, 12, 5, 7, 5, 9, 0, time.UTC)
	srv := loadRPC(t, "request_route { exit; }\n", &clock)
	strict := func(idx int, v *rpc.Value, want rpc.Kind, _ bool) (*rpc.Value, string) {
		if v == nil || v.Kind != want {
			return nil, "parameter " + strconv.Itoa(idx) + " does not read"
		}
		return v, ""
	}
	for _, tc := range []struct {
		method string
		params []*rpc.Value
		want   string
	}{
		{"core.prints", []*rpc.Value{rpc.NewStr("a"), rpc.NewInt(3)}, "a"},
		{"core.prints", []*rpc.Value{rpc.NewInt(3)}, "fault 400 parameter 0 does not read"},
		{"core.printi", []*rpc.Value{rpc.NewInt(1), rpc.NewStr("x")}, "1"},
		{"core.printi", []*rpc.Value{rpc.NewStr("x")}, "fault 400 parameter 0 does not read"},
		{"core.printi", nil, ""},
	} {
		c := &rpc.Call{Method: tc.method, Params: tc.params, Scan: strict}
		srv.RPC().Run(context.Background(), c)
		if got := replyText(c); got != tc.want {
			t.Errorf("%s %v:\n got  %q\n want %q", tc.method, tc.params, got, tc.want)
		}
	}
}

// TestPPDefinesFromConfig: the defines are those the configuration was
// read with, and a reload brings the new ones.
func TestPPDefinesFromConfig(t *testing.T) {
	srv, diags := Load(parse(t, "#!define WITH_X\n#!define GW \"gw.example.org\"\nrequest_route { exit; }\n"), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	has := func(name, value string) bool {
		d, _ := srv.loadDefines()
		for _, x := range d {
			if x.Name == name && x.Value == value {
				return true
			}
		}
		return false
	}
	if !has("WITH_X", "") || !has("GW", `"gw.example.org"`) {
		d, _ := srv.loadDefines()
		t.Fatalf("defines %v", d)
	}
	if rd := srv.Reload(parse(t, "#!define WITH_Y\nrequest_route { exit; }\n")); rd.HasErrors() {
		t.Fatal(rd)
	}
	if has("WITH_X", "") || !has("WITH_Y", "") {
		d, _ := srv.loadDefines()
		t.Errorf("after reload: %v", d)
	}
}
