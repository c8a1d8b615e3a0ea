package pike

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/pvtest"
	cnt "github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// setup starts a pike module with the Debian configuration's parameters
// (16 requests per 2 s, removed 4 s after the last) on a fake clock.
func setup(t *testing.T) (*Module, *pvtest.Host, *fakeclock.Clock) {
	t.Helper()
	m := (&Module{}).ModuleInfo().New().(*Module)
	for name, v := range map[string]int64{"sampling_time_unit": 2, "reqs_density_per_unit": 16, "remove_latency": 4} {
		if err := m.SetParam(name, value.MakeInt(v)); err != nil {
			t.Fatal(err)
		}
	}
	h, err := pvtest.NewHost(m)
	if err != nil {
		t.Fatal(err)
	}
	clock := fakeclock.New()
	m.SetClock(clock)
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	if err := m.RegisterCounters(cnt.NewRegistry()); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Stop(context.Background()) })
	h.Lines()
	return m, h, clock
}

// from returns a context whose request came from ip.
func from(h *pvtest.Host, ip string) *event.Context {
	c := h.Context()
	msg := sipmsg.Faked()
	msg.Src.IP = ip
	sipmsg.Set(c, msg)
	return c
}

var nodeRE = regexp.MustCompile(`0x[0-9a-f]+`)

// lines returns the log with node addresses replaced by "NODE".
func lines(h *pvtest.Host) []string {
	var out []string
	for _, l := range h.Lines() {
		out = append(out, nodeRE.ReplaceAllString(l, "NODE"))
	}
	return out
}

// TestFlood: the 22nd request of a unit from one address blocks it (the
// tree grows one byte per hot prefix before the address is counted); it
// stays blocked while a unit is hot, and is unblocked at the end of the
// first unit in which it was not.
func TestFlood(t *testing.T) {
	m, h, clock := setup(t)
	c := from(h, "192.0.2.7")
	var rcs []int
	for range 25 {
		rcs = append(rcs, m.checkReq(c))
	}
	want := slices.Repeat([]int{1}, 21)
	want = append(want, -2, -1, -1, -1)
	if !slices.Equal(rcs, want) {
		t.Errorf("codes %v, want %v", rcs, want)
	}
	if got := lines(h); !slices.Equal(got, []string{"WARNING: <pike>: pike_check_ipaddr(): PIKE - BLOCKing ip 192.0.2.7, node=NODE"}) {
		t.Errorf("log %q", got)
	}
	if n := m.blocked.Value(); n != 1 {
		t.Errorf("blocked_ips = %d", n)
	}
	// Another address is not affected.
	if rc := m.checkReq(from(h, "192.0.2.8")); rc != 1 {
		t.Errorf("other address: %d", rc)
	}
	clock.Advance(2 * time.Second) // a new unit: the previous one was hot
	if rc := m.checkReq(c); rc != -1 {
		t.Errorf("next unit: %d, want -1", rc)
	}
	if got := lines(h); len(got) != 0 {
		t.Errorf("log %q", got)
	}
	clock.Advance(2 * time.Second) // the unit before had one request
	if got := lines(h); !slices.Equal(got, []string{"WARNING: <pike>: refresh_node(): PIKE - UNBLOCKing node NODE"}) {
		t.Errorf("log %q", got)
	}
	if rc := m.checkReq(c); rc != 1 {
		t.Errorf("after unblocking: %d, want 1", rc)
	}
}

// TestRemoval: remove_latency seconds after its last request an address
// is forgotten; the prefixes above it follow.
func TestRemoval(t *testing.T) {
	m, h, clock := setup(t)
	c := from(h, "198.51.100.1")
	for range 10 {
		m.checkReq(c)
	}
	if got := top(t, m, "ALL"); !strings.Contains(got, "ip_addr: 198.51.100.1") {
		t.Fatalf("pike.top ALL: %s", got)
	}
	clock.Advance(3 * time.Second)
	if got := top(t, m, "ALL"); !strings.Contains(got, "ip_addr: 198.51.100.1") {
		t.Errorf("removed before the latency: %s", got)
	}
	clock.Advance(time.Second)
	if got := top(t, m, "ALL"); got != "{max_hits: 16, list: [], number_of_rows: 0}" {
		t.Errorf("pike.top after removal: %s", got)
	}
	// Each prefix above waits the latency again once it has no kids.
	clock.Advance(11 * time.Second)
	if m.tree.branches[198] == nil {
		t.Error("the first byte's node went before its latency")
	}
	clock.Advance(time.Second)
	for i, b := range m.tree.branches {
		if b != nil {
			t.Errorf("branch %d still has nodes", i)
		}
	}
	if !m.tree.timerEmpty() {
		t.Error("timer list not empty")
	}
}

func top(t *testing.T, m *Module, opt ...string) string {
	t.Helper()
	c := &rpc.Call{Method: "pike.top"}
	for _, o := range opt {
		c.Params = append(c.Params, rpc.NewStr(o))
	}
	m.rpcTop(context.Background(), c)
	vals, fault := c.Reply()
	if fault != nil {
		return "fault " + fault.Error()
	}
	var parts []string
	for _, v := range vals {
		parts = append(parts, v.String())
	}
	return strings.Join(parts, " ")
}

// TestTop: pike.top lists the hot addresses by default, every address
// with ALL, none with WARM (as Kamailio), the last found first.
func TestTop(t *testing.T) {
	m, h, clock := setup(t)
	hot := from(h, "10.0.0.1")
	for range 22 {
		m.checkReq(hot)
	}
	cold := from(h, "10.0.0.2")
	for range 3 {
		m.checkReq(cold)
	}
	clock.Advance(time.Second)
	for _, tc := range []struct {
		opt  []string
		want string
	}{
		{nil, "{max_hits: 16, list: [{ip_addr: 10.0.0.1, leaf_hits_prev: 0, leaf_hits_curr: 16, expires: 3, status: HOT}], number_of_rows: 1}"},
		{[]string{"hot"}, "{max_hits: 16, list: [{ip_addr: 10.0.0.1, leaf_hits_prev: 0, leaf_hits_curr: 16, expires: 3, status: HOT}], number_of_rows: 1}"},
		// 10.0.0.2 gets its node at once (10.0.0 is hot) and inherits its hits:
		// it is warm.
		{[]string{"ALL"}, "{max_hits: 16, list: [{ip_addr: 10.0.0.1, leaf_hits_prev: 0, leaf_hits_curr: 16, expires: 3, status: HOT}, {ip_addr: 10.0.0.2, leaf_hits_prev: 0, leaf_hits_curr: 2, expires: 3, status: WARM}], number_of_rows: 2}"},
		{[]string{"WARM"}, "{max_hits: 16, list: [], number_of_rows: 0}"},
		{[]string{"x"}, "fault 500 Bad argument. Select: ALL, HOT or WARM"},
	} {
		if got := top(t, m, tc.opt...); got != tc.want {
			t.Errorf("pike.top %v:\n got %s\nwant %s", tc.opt, got, tc.want)
		}
	}
}

// TestCheckIP: pike_check_ip counts an IPv4 address given as text.
func TestCheckIP(t *testing.T) {
	m, h, _ := setup(t)
	c := h.Context()
	call, err := h.Call(m, "pike_check_ip", `"203.0.113.9"`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 21 {
		if rc := call(c); rc != 1 {
			t.Fatalf("request %d: %d", i+1, rc)
		}
	}
	if rc := call(c); rc != -2 {
		t.Errorf("22nd: %d", rc)
	}
	h.Lines()
	for _, tc := range []struct {
		arg string
		log []string
	}{
		{`""`, nil},
		{`"2001:db8::1"`, []string{"ERROR: <pike>: pike_check_ip(): failed to parse ip address: 2001:db8::1"}},
		{`"host"`, []string{"ERROR: <pike>: pike_check_ip(): failed to parse ip address: host"}},
	} {
		call, err := h.Call(m, "pike_check_ip", tc.arg)
		if err != nil {
			t.Fatal(err)
		}
		if rc := call(c); rc != -1 {
			t.Errorf("pike_check_ip(%s) = %d", tc.arg, rc)
		}
		if got := h.Lines(); !slices.Equal(got, tc.log) {
			t.Errorf("pike_check_ip(%s): log %q", tc.arg, got)
		}
	}
	// IPv6 sources are counted by pike_check_req, 16 bytes deep.
	v6 := from(h, "2001:db8::5")
	rc := 0
	n := 0
	for rc != -2 && n < 100 {
		rc = m.checkReq(v6)
		n++
	}
	if rc != -2 || n != 34 { // 18 to build the 16 bytes, then 16 on the address
		t.Errorf("IPv6: code %d after %d requests", rc, n)
	}
}
