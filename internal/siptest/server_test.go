package siptest_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/evapi"
	_ "github.com/kamgo/kamgo/modules/pv"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/xlog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/server"
)

// proxyCfg answers OPTIONS itself and forwards every other request to
// the server UAS1, statelessly; replies go back the same way.
const proxyCfg = "children=1\n" + siptest.ListenUDP + `loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("L_INFO", "got $rm $ci\n");
	if ($rm == "OPTIONS") {
		sl_send_reply("200", "Here");
		exit;
	}
	$du = "sip:127.0.0.1:UAS1";
	forward();
	exit;
}
`

// TestStartAsk: Start serves the configuration on the port it picked;
// a UA's request is answered and logged, WaitLog sees the line and
// Lines reads it as a record.
func TestStartAsk(t *testing.T) {
	srv := siptest.Start(t, proxyCfg, siptest.Options{Subst: []string{"UAS1", "5999"}})
	if !strings.Contains(srv.Config, "listen=udp:"+srv.Addr+"\n") || !strings.Contains(srv.Config, "127.0.0.1:5999") {
		t.Fatalf("config not filled:\n%s", srv.Config)
	}
	phone := siptest.Dial(t, "phone", srv.Addr)
	phone.Send(phone.Request("OPTIONS", "sip:bob@127.0.0.1", "o1", "call-o1", 1))
	m := phone.Recv()
	if siptest.Status(m) != "200 Here" || siptest.TopBranch(m) != "z9hG4bKo1" {
		t.Fatalf("reply:\n%s", m.Buf)
	}
	srv.WaitLog(t, `got OPTIONS call-o1`, 1)
	if !slices.Contains(srv.Lines(), "INFO: script: got OPTIONS call-o1") {
		t.Errorf("lines: %q", srv.Lines())
	}
	if got := phone.Received(); len(got) != 1 || !strings.HasPrefix(got[0], "SIP/2.0 200 Here\r\n") {
		t.Errorf("received: %q", got)
	}
	phone.None()
}

// TestAnswer: a transaction through the server, the UAS's reply (with
// the extra header) back at the phone; Placeholders fill UAS1.
func TestAnswer(t *testing.T) {
	phone, uas := siptest.NewUA(t, "phone"), siptest.NewUA(t, "uas")
	srv := siptest.Start(t, proxyCfg, siptest.Options{Subst: siptest.Placeholders(uas)})
	req := siptest.WithSDP(phone.Request("INVITE", "sip:bob@127.0.0.1", "i1", "call-i1", 1, "X-Mark: 1"))
	in := siptest.Answer(srv.Addr, phone, req, uas, 486, "Busy Here", "u1", "X-Why: busy")
	if in.Method != "INVITE" || !strings.HasSuffix(in.Buf, siptest.SDP) {
		t.Fatalf("relayed:\n%s", in.Buf)
	}
	got := phone.Received()
	if len(got) != 1 || !strings.Contains(got[0], "\r\nTo: <sip:bob@127.0.0.1>;tag=u1\r\n") || !strings.Contains(got[0], "\r\nX-Why: busy\r\n") {
		t.Errorf("phone got %q", got)
	}
}

// TestClockAndSetup: Setup sees the loaded server before it starts and
// Advance moves the clock given.
func TestClockAndSetup(t *testing.T) {
	clock := fakeclock.New()
	var loaded bool
	srv := siptest.Start(t, proxyCfg, siptest.Options{Clock: clock, Subst: []string{"UAS1", "5999"},
		Setup: func(s *server.Server) {
			_, loaded = s.Module("sl")
		}})
	if !loaded {
		t.Error("Setup did not see sl loaded")
	}
	before := clock.Now()
	srv.Advance(3 * time.Second)
	if d := clock.Now().Sub(before); d != 3*time.Second {
		t.Errorf("clock moved %v", d)
	}
	if srv.EvapiPort != 0 {
		t.Errorf("evapi port %d without the placeholder", srv.EvapiPort)
	}
}

// TestLoad: Load starts the modules without SIP listeners and hands
// back their start error.
func TestLoad(t *testing.T) {
	srv, err := siptest.Load(t, "loadmodule \"sl.so\"\nrequest_route { exit; }\n", siptest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if srv.Srv.SIP() != nil {
		t.Error("Load opened the SIP listeners")
	}
	if sl := siptest.Module[module.Module](t, srv.Srv, "sl"); sl == nil {
		t.Error("no sl instance")
	}
}

// TestRefusal: a configuration that does not check is refused with its
// diagnostics, one that starts is not.
func TestRefusal(t *testing.T) {
	if got, _ := siptest.Refusal(t, "request_route { nosuch_function(); }\n", siptest.Options{}); !strings.Contains(got, "nosuch_function") {
		t.Errorf("refusal %q, want the unknown function named", got)
	}
	got, srv := siptest.Refusal(t, "loadmodule \"sl.so\"\nrequest_route { exit; }\n", siptest.Options{})
	if got != "" || srv.Srv == nil {
		t.Errorf("refusal %q of a configuration that starts", got)
	}
}

// TestRPC: a core command through the registry, with Args and Strs
// parameters, an unknown one, and the fault of a bad call.
func TestRPC(t *testing.T) {
	srv := siptest.Start(t, proxyCfg, siptest.Options{Subst: []string{"UAS1", "5999"}})
	vals, f, ok := siptest.RPC(srv.Srv, "core.echo", siptest.Args("7", "s:8", "x")...)
	if !ok || f != nil {
		t.Fatalf("core.echo: %v %v", ok, f)
	}
	if got := siptest.Kamcmd(vals, nil); got != "7\n8\nx\n" {
		t.Errorf("core.echo: %q", got)
	}
	vals, _, _ = siptest.RPC(srv.Srv, "core.printi", siptest.Args("7", "s:8")...)
	if got := siptest.Flatten(vals, nil); !slices.Equal(got, []string{"[0] = 7"}) {
		t.Errorf("core.printi with Args: %q", got)
	}
	vals, _, _ = siptest.RPC(srv.Srv, "core.prints", siptest.Strs("7", "8")...)
	if got := siptest.Flatten(vals, nil); !slices.Equal(got, []string{"[0] = 7", "[1] = 8"}) {
		t.Errorf("core.prints with Strs: %q", got)
	}
	if _, _, ok := siptest.RPC(srv.Srv, "no.such"); ok {
		t.Error("no.such ran")
	}
}

// TestKamcmdFlatten: a reply's two printed forms.
func TestKamcmdFlatten(t *testing.T) {
	v := rpc.NewStruct().Set("name", rpc.NewStr("x")).Set("list", rpc.NewArray().AppendNamed("item", rpc.NewInt(1)).Append(rpc.NewStr("y")))
	if got, want := siptest.Kamcmd([]*rpc.Value{v}, nil), "{\n\tname: x\n\tlist: {\n\t\titem: 1\n\t\ty\n\t}\n}\n"; got != want {
		t.Errorf("Kamcmd:\n%q\nwant\n%q", got, want)
	}
	if got, want := siptest.Flatten([]*rpc.Value{v}, nil), []string{"[0].name = x", "[0].list.item = 1", "[0].list. = y"}; !slices.Equal(got, want) {
		t.Errorf("Flatten: %q, want %q", got, want)
	}
	f := &rpc.Fault{Code: 500, Text: "Nope"}
	if got := siptest.Kamcmd(nil, f); got != "error: 500 - Nope\n" {
		t.Errorf("Kamcmd fault: %q", got)
	}
	if got := siptest.Flatten(nil, f); !slices.Equal(got, []string{"fault = 500"}) {
		t.Errorf("Flatten fault: %q", got)
	}
	two := []*rpc.Value{v, rpc.NewStr("z")}
	if got, want := siptest.FlattenKamcmd(siptest.Kamcmd(two, nil)), siptest.Flatten(two, nil); !slices.Equal(got, want) {
		t.Errorf("FlattenKamcmd: %q, want %q", got, want)
	}
	if got := siptest.FlattenKamcmd(siptest.Kamcmd(nil, f)); !slices.Equal(got, []string{"fault = 500"}) {
		t.Errorf("FlattenKamcmd fault: %q", got)
	}
}

// TestReplay: a case's configuration (placeholders kept) and message;
// the script's lines with a message's line breaks as lines.
func TestReplay(t *testing.T) {
	cfg := "listen=udp:127.0.0.1:%%SIP_PORT%%\nloadmodule \"tm.so\"\nloadmodule \"xlog.so\"\nloadmodule \"pv.so\"\n" +
		"#!define EVAPI \"%%EVAPI_PORT%%\"\nrequest_route {\n\txlog(\"L_INFO\", \"one $rm\\ntwo\\n\");\n\txlog(\"L_ERR\", \"three\\n\");\n\tdrop;\n}\n"
	msg := "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@example.com>;tag=1\r\n" +
		"To: <sip:b@example.com>\r\nCall-ID: r1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	got := siptest.Replay(t, cfg, msg, 3)
	if want := []string{"INFO: one OPTIONS", "two", "ERROR: three"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestReplayCases: a recorded case replayed and compared.
func TestReplayCases(t *testing.T) {
	siptest.ReplayCases(t, "testdata/*.txtar", nil)
}

// TestPoll: Poll reports a condition that comes true, and one that
// never does after Wait.
func TestPoll(t *testing.T) {
	n := 0
	if !siptest.Poll(func() bool { n++; return n == 3 }) {
		t.Error("Poll gave up on a condition that came true")
	}
	if testing.Short() {
		return
	}
	if siptest.Poll(func() bool { return false }) {
		t.Error("Poll reported a condition that never held")
	}
}

// TestDrain: Drain reads what is late and stops at the first quiet
// period.
func TestDrain(t *testing.T) {
	a, b := siptest.NewUA(t, "a"), siptest.NewUA(t, "b")
	for i := range 3 {
		a.SendTo(b.Addr(), "late "+string(rune('0'+i)))
	}
	b.Drain()
	if got := b.Received(); !slices.Equal(got, []string{"late 0", "late 1", "late 2"}) {
		t.Errorf("drained %q", got)
	}
	if _, ok := b.ReadText(0); ok {
		t.Error("something left after Drain")
	}
}

// TestUAOn: a UA on another loopback address sends from it.
func TestUAOn(t *testing.T) {
	a, b := siptest.NewUAOn(t, "a", "127.0.0.2"), siptest.NewUA(t, "b")
	a.SendTo(b.Addr(), "hello")
	if got, from, ok := b.ReadFrom(siptest.Wait); !ok || got != "hello" || from != a.Addr() {
		t.Errorf("got %q from %s (%v), want hello from %s", got, from, ok, a.Addr())
	}
	if !strings.HasPrefix(a.Addr(), "127.0.0.2:") {
		t.Errorf("address %s", a.Addr())
	}
}

// TestLock: a second holder of a lock waits until the first test's
// lock is released; within one test it would deadlock, so a subtest
// holds it and ends first.
func TestLock(t *testing.T) {
	t.Run("first", func(t *testing.T) { siptest.Lock(t, "siptest-self") })
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("second", func(t *testing.T) { siptest.Lock(t, "siptest-self") })
	}()
	select {
	case <-done:
	case <-time.After(siptest.Wait):
		t.Fatal("the lock was not released")
	}
}

// TestWaitLogFails: WaitLog's failure is a test failure, reported with
// the log, not a hang.
func TestWaitLogFails(t *testing.T) {
	if testing.Short() {
		t.Skip("waits Wait")
	}
	srv := siptest.Start(t, proxyCfg, siptest.Options{Subst: []string{"UAS1", "5999"}})
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		srv.WaitLog(ft, `never logged`, 1)
	}()
	if !ft.fatal || !regexp.MustCompile(`never logged`).MatchString(ft.msg) {
		t.Errorf("WaitLog did not fail: %v %q", ft.fatal, ft.msg)
	}
}

// fakeT records a Fatalf and stops the caller as testing does.
type fakeT struct {
	testing.TB
	fatal bool
	msg   string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = true
	f.msg = fmt.Sprintf(format, args...)
	panic(errors.New("fatal"))
}
