package evapi

import (
	"errors"
	"testing"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func TestParams(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:8448", "127.0.0.1:8448"},
		{"127.0.0.1", "127.0.0.1:8448"},
		{"[::1]:9000", "[::1]:9000"},
		{"[::1]", "[::1]:8448"},
		{"127.0.0.1:0", "127.0.0.1:0"},
		{"::1:8448", "error"},
		{"127.0.0.1:", "error"},
		{"127.0.0.1:x", "error"},
		{"127.0.0.1:70000", "error"},
	} {
		got, err := listenAddr(tc.in)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("bind_addr %q: %q, want %q", tc.in, got, tc.want)
		}
	}
	m := newModule()
	for _, bad := range []struct {
		name string
		v    value.Value
	}{
		{"workers", value.MakeStr("two")}, {"workers", value.MakeInt(-1)}, {"max_clients", value.MakeInt(0)},
		{"slow_client", value.MakeStr("block")}, {"bind_addr", value.MakeInt(1)}, {"nope", value.MakeInt(1)},
	} {
		if err := m.SetParam(bad.name, bad.v); err == nil {
			t.Errorf("%s=%v accepted", bad.name, bad.v)
		}
	}
	for _, ok := range []string{"wait_idle", "wait_increase", "send_task_timeout", "send_data_timeout", "context_mlimit"} {
		if err := m.SetParam(ok, value.MakeInt(7)); err != nil {
			t.Error(err)
		}
	}
	// Without a KEMI engine (native routes) the callback is never called,
	// as in Kamailio; kamgo says so at load.
	m.SetParam("event_callback", value.MakeStr("ksr_evapi_event"))
	fh := newFakeHost()
	if err := m.Provision(fh); err != nil || len(fh.logged(`event_callback "ksr_evapi_event" is never called`)) != 1 {
		t.Errorf("event_callback: %v %q", err, fh.lines)
	}
	if n := len(newModule().Exports().Funcs); n != 8 {
		t.Errorf("%d functions, want evapi's 8", n)
	}
}

// fakeTM implements Suspender.
type fakeTM struct {
	n   int
	err error
}

func (*fakeTM) ModuleInfo() module.Info                 { return module.Info{Name: "tm"} }
func (f *fakeTM) SuspendRequest(c *event.Context) error { f.n++; return f.err }

func TestAsync(t *testing.T) {
	// Without tm: -1 and Kamailio's line.
	m, h := newTestModule(t, nil)
	start(t, m)
	ctx := &event.Context{Worker: event.NewWorker(9), Route: routetype.Request}
	if rc := call(t, h, m, "evapi_async_relay", lit("x"))(ctx); rc != -1 {
		t.Errorf("rc %d", rc)
	}
	if len(h.logged("ERROR: <evapi>: w_evapi_async_relay(): evapi async relay is disabled - tm module not loaded")) != 1 {
		t.Errorf("lines %q", h.lines)
	}
	// With a tm that suspends: the data goes out after suspension.
	m2, h2 := newTestModule(t, nil)
	tm := &fakeTM{}
	h2.modules["tm"] = tm
	start(t, m2)
	a := connect(t, m2, 1)[0]
	if rc := call(t, h2, m2, "evapi_async_unicast", lit("ev"), lit("none"))(ctx); rc != 1 || tm.n != 1 {
		// Outside the evapi routes an undelivered message still succeeds.
		t.Errorf("rc %d, suspended %d", rc, tm.n)
	}
	if rc := call(t, h2, m2, "evapi_async_relay", lit("ev"))(ctx); rc != 1 {
		t.Errorf("rc %d", rc)
	}
	if got := a.until("2:ev,"); got != "" {
		t.Errorf("got %q", got)
	}
	tm.err = errors.New("no transaction")
	if rc := call(t, h2, m2, "evapi_async_relay", lit("ev"))(ctx); rc != -1 || len(h2.logged("failed to suspend request processing")) != 1 {
		t.Errorf("rc %d", rc)
	}
}

func TestRelayOutsideEvents(t *testing.T) {
	m, h := newTestModule(t, map[string]value.Value{"context_mlimit": value.MakeInt(2)})
	start(t, m)
	ctx := &event.Context{Worker: event.NewWorker(9)}
	// No client and not in an evapi route: 1, as Kamailio's SIP workers.
	if rc := call(t, h, m, "evapi_relay", lit("x"))(ctx); rc != 1 {
		t.Errorf("rc %d", rc)
	}
	if rc := call(t, h, m, "evapi_relay", lit(""))(ctx); rc != -1 || len(h.logged("w_evapi_relay(): invalid data parameter")) != 1 {
		t.Errorf("empty data rc %d", rc)
	}
	if rc := call(t, h, m, "evapi_multicast", lit("x"), lit(""))(ctx); rc != -1 || len(h.logged("w_evapi_multicast(): invalid tag parameter")) != 1 {
		t.Errorf("empty tag rc %d", rc)
	}
	if rc := call(t, h, m, "evapi_close")(ctx); rc != -1 {
		t.Errorf("close rc %d", rc)
	}
	if rc := call(t, h, m, "evapi_set_tag", lit("t"))(ctx); rc != -1 {
		t.Errorf("set_tag rc %d", rc)
	}
	// context_mlimit: frames still queued count against it.
	m.live.Store(2)
	if rc := call(t, h, m, "evapi_relay", lit("x"))(ctx); rc != -1 || len(h.logged("evapi context condition failure - dropping message")) != 1 {
		t.Errorf("mlimit rc %d", rc)
	}
	m.live.Store(0)
}

// TestWorkers: with N workers each route sees one of N worker states, so
// $var-style data persists per worker; with 0 the dispatcher runs them.
func TestWorkers(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		m, h := newTestModule(t, map[string]value.Value{"workers": value.MakeInt(int64(n))})
		relay := call(t, h, m, "evapi_relay", lit("$evapi(msg)"))
		ids := make(chan int, 100)
		h.routes[EventMessageReceived] = func(c *event.Context) int { ids <- c.Worker.ID; return relay(c) }
		start(t, m)
		cs := connect(t, m, 3)
		for i, c := range cs {
			c.send(ns("relay:" + string(rune('a'+i))))
		}
		seen := map[int]bool{}
		for range cs {
			seen[<-ids] = true
		}
		for id := range seen {
			if n == 0 && id != 0 || n > 0 && (id < 1 || id > n) {
				t.Errorf("workers=%d: route ran on worker %d", n, id)
			}
		}
	}
}
