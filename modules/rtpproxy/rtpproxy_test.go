package rtpproxy

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/pvtest"
	"github.com/kamgo/kamgo/modules/rtpproxy/internal/fakertpp"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/value"
)

// loaded returns a provisioned and started module with the given
// rtpproxy_sock values and int parameters, on clock.
func loaded(t *testing.T, clock Clock, socks []string, ints map[string]int64) *Module {
	t.Helper()
	m := newModule()
	for _, s := range socks {
		if err := m.SetParam("rtpproxy_sock", value.MakeStr(s)); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range ints {
		if err := m.SetParam(k, value.MakeInt(v)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := pvtest.NewHost(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	if clock != nil {
		m.SetClock(clock)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Stop(context.Background()) })
	return m
}

func TestParseSets(t *testing.T) {
	m := newModule()
	m.log = nil
	h, _ := pvtest.NewHost(m)
	m.log = h.Log()
	err := m.parseSets([]string{
		"udp:127.0.0.1:7722 unix:/run/rtpp.sock=3",
		" 2 == udp6:[::1]:7000=5 udp:host",
		"2==udp:10.0.0.1:9",
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range m.sets {
		for _, n := range s.nodes {
			got = append(got, strconv.Itoa(int(s.id))+" "+n.url+" "+strconv.Itoa(n.mode)+" "+n.address+" "+strconv.Itoa(int(n.weight)))
		}
	}
	want := []string{
		"0 udp:127.0.0.1:7722 1 127.0.0.1:7722 1",
		"0 unix:/run/rtpp.sock 0 /run/rtpp.sock 3",
		"2 udp6:[::1]:7000 6 [::1]:7000 5",
		"2 udp:host 1 host 1",
		"2 udp:10.0.0.1:9 1 10.0.0.1:9 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, bad := range []string{"x == udp:1.2.3.4", "1 ==", " == udp:1.2.3.4", "1 ==   "} {
		m := newModule()
		m.log = h.Log()
		if err := m.parseSets([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPayloadList(t *testing.T) {
	for in, want := range map[string]string{"0 8 101": "c0,8,101", "31": "c31", "0  8": "c0,8", "0 8 x": "c0,8", "": "c"} {
		if got := payloadList(in); got != want {
			t.Errorf("payloadList(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCandidates(t *testing.T) {
	got := candidates("192.0.2.50", 35000, 2)
	want := "a=candidate:1920250 2 UDP 16777214 192.0.2.50 35001 typ relay\r\n" +
		"a=candidate:1920250 1 UDP 16777215 192.0.2.50 35000 typ relay\r\n"
	if got != want {
		t.Errorf("candidates:\n%q\nwant\n%q", got, want)
	}
}

// TestWeights: with two enabled proxies the Call-ID's byte sum modulo
// the weights picks the proxy, as Kamailio's select_rtpp_node.
func TestWeights(t *testing.T) {
	a, b := fakeUDP(t), fakeUDP(t)
	m := loaded(t, nil, []string{"udp:127.0.0.1:" + strconv.Itoa(a.Port()) + "=1 udp:127.0.0.1:" + strconv.Itoa(b.Port()) + "=3"}, nil)
	s := m.setByID(0)
	for _, tc := range []struct {
		callid string
		want   int
	}{{"\x00", 0}, {"\x01", 1}, {"\x03", 1}, {"\x04", 0}, {"\x05", 1}} {
		n := m.selectNode(s, tc.callid, true)
		if n == nil || n.idx != tc.want {
			t.Errorf("Call-ID %q: node %v, want %d", tc.callid, n, tc.want)
		}
	}
}

func fakeUDP(t *testing.T) *fakertpp.Proxy {
	t.Helper()
	p, err := fakertpp.ListenUDP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// TestRecheck: a proxy that does not answer at start is disabled; it is
// tried again only once rtpproxy_disable_tout seconds passed on the
// module's clock, and then used.
func TestRecheck(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	clock := fakeclock.New()
	m := loaded(t, clock, []string{"udp:127.0.0.1:" + strconv.Itoa(port)}, map[string]int64{"rtpproxy_disable_tout": 30})
	s := m.setByID(0)
	if n := m.selectNode(s, "c", true); n != nil {
		t.Fatal("a proxy that does not answer was selected")
	}
	p, err := fakertpp.ListenUDP("127.0.0.1:" + strconv.Itoa(port))
	if err != nil {
		t.Skipf("port %d taken: %v", port, err)
	}
	defer p.Close()
	clock.Advance(29 * time.Second)
	if n := m.selectNode(s, "c", true); n != nil {
		t.Fatal("retested before rtpproxy_disable_tout")
	}
	if cmds := p.Commands(false); len(cmds) != 0 {
		t.Fatalf("commands before the recheck time: %q", cmds)
	}
	clock.Advance(time.Second)
	n := m.selectNode(s, "c", true)
	if n == nil {
		t.Fatal("not enabled again after rtpproxy_disable_tout")
	}
	if got := strings.Join(p.Commands(false), "|"); got != "V|VF 20050322|VF 20071116|VF 20081102" {
		t.Errorf("recheck commands %q", got)
	}
	if !n.ptl || !n.rep {
		t.Errorf("capabilities not read: ptl %v rep %v", n.ptl, n.rep)
	}
}

// TestUnixSocket: commands over a unix socket carry no cookie and get
// the proxy's answer.
func TestUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rtpp.sock")
	p, err := fakertpp.ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m := loaded(t, nil, []string{"unix:" + path}, nil)
	n := m.selectNode(m.setByID(0), "c", true)
	if n == nil {
		t.Fatal("unix proxy not enabled")
	}
	r, ok := m.command(n, "Q call tag")
	if !ok || r != "60 0 0 0 0\n" {
		t.Errorf("Q answered %q %v", r, ok)
	}
	if got := strings.Join(p.Commands(true), "|"); got != "Q call tag" {
		t.Errorf("commands %q", got)
	}
}

// TestSilentRetries: a proxy that never answers gets the command
// rtpproxy_retr times, then is disabled.
func TestSilentRetries(t *testing.T) {
	p := fakeUDP(t)
	p.SetSilent(true)
	m := loaded(t, nil, []string{"udp:127.0.0.1:" + strconv.Itoa(p.Port())}, map[string]int64{"rtpproxy_retr": 2, "rtpproxy_tout": 0})
	p.Wait(2, 5*time.Second)
	if got := strings.Join(p.Commands(false), "|"); got != "V|V" {
		t.Errorf("commands %q, want the V probe twice", got)
	}
	if n := m.selectNode(m.setByID(0), "c", true); n != nil {
		t.Error("silent proxy selected")
	}
}

func TestRPC(t *testing.T) {
	p := fakeUDP(t)
	url := "udp:127.0.0.1:" + strconv.Itoa(p.Port())
	m := loaded(t, nil, []string{url, "3 == " + url + "=4"}, nil)
	call := func(method string, params ...*rpc.Value) (string, *rpc.Fault) {
		c := &rpc.Call{Method: method, Params: params}
		for _, cmd := range m.RPC() {
			if cmd.Name == method {
				cmd.Handler(context.Background(), c)
			}
		}
		vals, f := c.Reply()
		var b []string
		for _, v := range vals {
			b = append(b, v.String())
		}
		return strings.Join(b, "\n"), f
	}
	want := "{setid: 0, url: " + url + ", index: 0, disabled: 0, weight: 1, recheck: 0}\n" +
		"{setid: 3, url: " + url + ", index: 1, disabled: 0, weight: 4, recheck: 0}"
	if got, f := call("rtpproxy.list"); f != nil || got != want {
		t.Errorf("list:\n%s\nwant\n%s (%v)", got, want, f)
	}
	if _, f := call("rtpproxy.enable", rpc.NewStr(url), rpc.NewInt(0)); f != nil {
		t.Errorf("enable 0: %v", f)
	}
	if got, _ := call("rtpproxy.list"); !strings.Contains(got, "disabled: 1, weight: 1, recheck: -1}") {
		t.Errorf("after disabling:\n%s", got)
	}
	if n := m.selectNode(m.setByID(0), "c", true); n != nil {
		t.Error("a proxy disabled by RPC was selected")
	}
	if _, f := call("rtpproxy.enable", rpc.NewStr("udp:nowhere"), rpc.NewInt(1)); f == nil || f.Code != 404 {
		t.Errorf("unknown proxy: %v", f)
	}
	if _, f := call("rtpproxy.enable", rpc.NewStr(url)); f == nil {
		t.Errorf("missing parameter: %v", f)
	}
	if _, f := call("rtpproxy.enable", rpc.NewStr(url), rpc.NewInt(1)); f != nil {
		t.Errorf("enable 1: %v", f)
	}
	if n := m.selectNode(m.setByID(0), "c", true); n == nil {
		t.Error("a proxy enabled by RPC was not selected")
	}
}
