package counters_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/counters"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/registrar"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/tmx"
	_ "github.com/kamgo/kamgo/modules/usrloc"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

const wait = 5 * time.Second

// modules are the modules of the test configurations, in load order.
const modules = `loadmodule "counters.so"
modparam("counters", "script_counter", "foo first one")
modparam("counters", "script_counter", "grp.bar:the bar")
modparam("counters", "script_cnt_grp_name", "mine")
modparam("counters", "script_counter", "baz")
modparam("counters", "script_counter", "foo")
loadmodule "kex.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "pv.so"
loadmodule "xlog.so"
`

// routes count in the script and log $stat before answering.
const routes = `request_route {
	cnt_inc("script.foo");
	cnt_add("grp.bar", "5");
	$var(n) = -2;
	cnt_add("baz", "$var(n)");
	xlog("L_INFO", "STAT rcv=$stat(rcv_requests) foo=$stat(foo) bar=$stat(bar) baz=$stat(baz) ru=$stat(registered_users) x=$stat(nope)\n");
	if ($rm == "REGISTER") { save("location"); exit; }
	if ($rm == "INFO") { cnt_reset("grp.bar"); }
	sl_send_reply("404", "nf");
}
`

type kamgo struct {
	srv  *server.Server
	addr string
	log  *linelog.Log
}

// load loads src (after a listen line for a free port) and serves SIP.
func load(t *testing.T, src string) *kamgo {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	src = fmt.Sprintf("children=1\nlisten=udp:127.0.0.1:%d\n%s", port, src)
	cfg, diags, _ := check.AnalyzeSource("counters.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	ll := &linelog.Log{}
	srv, ld := server.Load(cfg, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = srv.StopSIP(ctx)
		_ = srv.Stop(ctx)
	})
	return &kamgo{srv: srv, addr: "127.0.0.1:" + strconv.Itoa(port), log: ll}
}

// loadErr loads src and returns the load's errors.
func loadErr(t *testing.T, src string) string {
	t.Helper()
	cfg, diags, _ := check.AnalyzeSource("counters.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v\n%s", diags.Error(), src)
	}
	_, ld := server.Load(cfg, server.Options{})
	if !ld.HasErrors() {
		return ""
	}
	return ld.Error()
}

// call runs one RPC command and renders its reply, one value a line, or
// "fault CODE".
func (k *kamgo) call(t *testing.T, method string, params ...string) string {
	t.Helper()
	c := &rpc.Call{Method: method}
	for _, p := range params {
		c.Params = append(c.Params, rpc.NewStr(p))
	}
	if !k.srv.RPC().Run(context.Background(), c) {
		t.Fatalf("no command %s", method)
	}
	vs, f := c.Reply()
	if f != nil {
		return "fault " + strconv.Itoa(f.Code)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return strings.Join(out, "\n")
}

// send sends requests from one UDP socket and waits for each reply.
func send(t *testing.T, addr string, methods ...string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	to, _ := net.ResolveUDPAddr("udp", addr)
	port := pc.LocalAddr().(*net.UDPAddr).Port
	buf := make([]byte, 65535)
	for i, m := range methods {
		req := fmt.Sprintf("%s sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d-%d\r\n"+
			"From: <sip:alice@127.0.0.1>;tag=a%d\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c%d-%d@x\r\nCSeq: %d %s\r\n"+
			"Contact: <sip:alice@127.0.0.1:%d>\r\nExpires: 60\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			m, port, port, i, i, port, i, i+1, m, port)
		if _, err := pc.WriteTo([]byte(req), to); err != nil {
			t.Fatal(err)
		}
		_ = pc.SetReadDeadline(time.Now().Add(wait))
		if _, _, err := pc.ReadFrom(buf); err != nil {
			t.Fatalf("no reply to %s: %v", m, err)
		}
	}
}

func scriptLines(ll *linelog.Log) []string {
	var out []string
	re := regexp.MustCompile(`STAT .*`)
	for _, l := range strings.Split(ll.Text(), "\n") {
		if m := re.FindString(l); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// TestScript: the functions change the counters the script defines,
// $stat reads the last counter of a name, and the core counts the
// requests (kex loaded).
func TestScript(t *testing.T) {
	k := load(t, modules+routes)
	send(t, k.addr, "OPTIONS", "REGISTER", "FOO", "invite", "INFO")
	// sl counts a reply once sent, maybe after the phone has it: stopping
	// the transport waits for the messages being routed.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := k.srv.StopSIP(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"STAT rcv=1 foo=0 bar=5 baz=4294967294 ru=0 x=<null>",
		"STAT rcv=2 foo=0 bar=10 baz=4294967292 ru=0 x=<null>",
		"STAT rcv=3 foo=0 bar=15 baz=4294967290 ru=1 x=<null>",
		"STAT rcv=4 foo=0 bar=20 baz=4294967288 ru=1 x=<null>",
		"STAT rcv=5 foo=0 bar=25 baz=4294967286 ru=1 x=<null>",
	}
	if got := scriptLines(k.log); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("script lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(k.log.Text(), "No stat variable ``nope''") {
		t.Errorf("no warning for an unknown statistic:\n%s", k.log.Text())
	}
	for _, c := range []struct{ method, want string }{
		{"cnt.get script foo", "5"},
		{"cnt.get grp bar", "0"},
		{"cnt.get mine baz", "-10"},
		{"cnt.get_raw script foo", "5"},
		{"cnt.get_raw sl 404_replies", "0"},
		{"cnt.get sl 404_replies", "4"},
		{"cnt.get core rcv_requests", "5"},
		{"cnt.get core rcv_requests_invite", "1"},
		{"cnt.get core rcv_requests_info", "1"},
		{"cnt.get core unsupported_methods", "1"},
		{"cnt.get  rcv_requests_options", "1"},
		{"cnt.get registrar accepted_regs", "1"},
		{"cnt.get usrloc location_users", "1"},
		{"cnt.get usrloc location_contacts", "1"},
		{"cnt.get registrar default_expire", "3600"},
		{"cnt.get nogrp x", "fault 400"},
		{"cnt.get mine", "{baz: -10, foo: 0}"},
		{"cnt.grp_get_all mine", "{baz: -10, foo: 0}"},
		{"cnt.get_vars nogrp", "{}"},
		{"cnt.var_list script", "foo"},
		{"cnt.list_vars grp", "bar"},
		{"cnt.grps_list", "core\ndns\ngrp\nmine\nregistrar\nscript\nshmem\nsl\ntcp\ntmx\nusrloc"},
		{"cnt.list_groups", "core\ndns\ngrp\nmine\nregistrar\nscript\nshmem\nsl\ntcp\ntmx\nusrloc"},
		{"cnt.help script foo", "first one"},
		{"cnt.help grp bar", "the bar"},
		{"cnt.help mine foo", "counter defined by the script."},
		{"cnt.help script", "fault 400"},
		{"cnt.reset", "fault 400"},
		{"cnt.get", "fault 400"},
	} {
		f := strings.Split(c.method, " ")
		if got := k.call(t, f[0], f[1:]...); got != c.want {
			t.Errorf("%s: %q, want %q", c.method, got, c.want)
		}
	}
	// Reset: plain counters go to 0, computed ones and no-reset ones
	// keep their value.
	for _, n := range [][2]string{{"script", "foo"}, {"sl", "404_replies"}, {"usrloc", "location_users"}, {"registrar", "accepted_regs"}, {"registrar", "max_expires"}} {
		if got := k.call(t, "cnt.reset", n[0], n[1]); got != "" {
			t.Errorf("cnt.reset %v: %q", n, got)
		}
	}
	for _, c := range [][3]string{{"script", "foo", "0"}, {"sl", "404_replies", "4"}, {"usrloc", "location_users", "1"}, {"registrar", "accepted_regs", "0"}} {
		if got := k.call(t, "cnt.get", c[0], c[1]); got != c[2] {
			t.Errorf("after reset, %s.%s = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

// TestUndefined: a function naming a counter that no one defined refuses
// the configuration.
func TestUndefined(t *testing.T) {
	for _, fn := range []string{`cnt_inc("nope")`, `cnt_add("grp.nope", "1")`, `cnt_reset("script.foo")`} {
		err := loadErr(t, "loadmodule \"counters.so\"\nmodparam(\"counters\", \"script_cnt_grp_name\", \"g\")\nrequest_route { "+fn+"; }\n")
		if !strings.Contains(err, "is not defined") {
			t.Errorf("%s: %q", fn, err)
		}
	}
	// Defined twice: logged, kept.
	if err := loadErr(t, "loadmodule \"counters.so\"\nmodparam(\"counters\", \"script_counter\", \"a\")\nmodparam(\"counters\", \"script_counter\", \"a x\")\nrequest_route { cnt_inc(\"a\"); }\n"); err != "" {
		t.Errorf("duplicate: %q", err)
	}
}
