package cfgutils

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

func newHost(t *testing.T, m *Module) *pvtest.Host {
	t.Helper()
	h := pvtest.NewPVHost(t, m)
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	return h
}

func call(t *testing.T, h *pvtest.Host, m *Module, name string, args ...string) module.Call {
	t.Helper()
	return h.MustCall(t, m, name, args...)
}

// TestLiterals checks what the module does with literals that are not
// plain numbers (the probabilities "50%", "abc" and "$var(x)", the flag
// ""), as Kamailio does in spec/conformance/modules/cfgutils/literals.
func TestLiterals(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	get := call(t, h, m, "rand_get_prob")
	for lit, want := range map[string]int{`"50%"`: 50, `"abc"`: 0, `"$var(x)"`: 0} {
		c := h.Context()
		if rc := call(t, h, m, "rand_set_prob", lit)(c); rc != 1 {
			t.Errorf("rand_set_prob(%s) = %d", lit, rc)
		}
		if rc := get(c); rc != want {
			t.Errorf("after rand_set_prob(%s): rand_get_prob() = %d, want %d", lit, rc, want)
		}
	}
	c := h.Context()
	isFlag0 := call(t, h, m, "is_gflag", `"0"`)
	for _, step := range []struct {
		fn   string
		want int
	}{{"set_gflag", 1}, {"reset_gflag", -1}} {
		call(t, h, m, step.fn, `""`)(c)
		if rc := isFlag0(c); rc != step.want {
			t.Errorf(`after %s(""): is_gflag("0") = %d, want %d`, step.fn, rc, step.want)
		}
	}
}

func TestLocks(t *testing.T) {
	m := newModule()
	if err := m.SetParam("lock_set_size", value.MakeInt(2)); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, m)
	c := h.Context()
	for _, step := range []struct {
		fn, key string
		want    int
	}{
		{"lock", "k", 1},
		{"trylock", "k", -1},
		{"trylock", "K", -1}, // keys are hashed without ASCII case
		{"unlock", "k", 1},
		{"unlock", "k", 1}, // unlocking a free lock succeeds
		{"trylock", "K", 1},
		{"unlock", "K", 1},
	} {
		if rc := call(t, h, m, step.fn, strconv.Quote(step.key))(c); rc != step.want {
			t.Errorf("%s(%q) = %d, want %d", step.fn, step.key, rc, step.want)
		}
	}
}

// TestTwoKeyLocks: lock, unlock and trylock with a second key (Kamailio
// 6.0, read from cfgutils.c at 6.0.7; no Kamailio 6.0 runs here to record
// it) use the lock of both keys hashed together, without ASCII case; an
// empty second key is none.
func TestTwoKeyLocks(t *testing.T) {
	m := newModule()
	if err := m.SetParam("lock_set_size", value.MakeInt(14)); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, m)
	c := h.Context()
	if corehash.Sum("a", "b", 1<<14) == corehash.Sum("a", "", 1<<14) {
		t.Fatal("the keys chosen share a lock with the first key alone")
	}
	for _, step := range []struct {
		fn   string
		keys []string
		want int
	}{
		{"lock", []string{"a", "b"}, 1},
		{"trylock", []string{"a", "b"}, -1},
		{"trylock", []string{"A", "B"}, -1},
		{"trylock", []string{"a"}, 1}, // another lock
		{"unlock", []string{"a"}, 1},
		{"unlock", []string{"a", "b"}, 1},
		{"trylock", []string{"a", "b"}, 1},
		{"unlock", []string{"a", "b"}, 1},
		{"trylock", []string{"a", ""}, 1}, // an empty second key is none
		{"trylock", []string{"a"}, -1},
		{"unlock", []string{"a"}, 1},
	} {
		var args []string
		for _, k := range step.keys {
			args = append(args, strconv.Quote(k))
		}
		if rc := call(t, h, m, step.fn, args...)(c); rc != step.want {
			t.Errorf("%s%q = %d, want %d", step.fn, step.keys, rc, step.want)
		}
	}
	m2 := newModule()
	h2 := newHost(t, m2)
	if rc := call(t, h2, m2, "lock", `"a"`, `"b"`)(h2.Context()); rc != -1 {
		t.Errorf("lock without a set: rc %d", rc)
	}
	want := "ERROR: <cfgutils>: cfg_lock_helper(): lock set not initialized (attempt to do op: 0 on:[a b]) - see param lock_set_size"
	if got := h2.Lines(); !slices.Equal(got, []string{want}) {
		t.Errorf("got %q", got)
	}
}

func TestLockSetSize(t *testing.T) {
	for _, tc := range []struct {
		bits  int64
		locks int
		warn  bool
	}{{0, 0, false}, {1, 2, false}, {14, 1 << 14, false}, {15, 1 << 14, true}, {-1, 1 << 14, true}} {
		m := newModule()
		_ = m.SetParam("lock_set_size", value.MakeInt(tc.bits))
		h := newHost(t, m)
		if len(m.locks) != tc.locks {
			t.Errorf("lock_set_size %d: %d locks, want %d", tc.bits, len(m.locks), tc.locks)
		}
		warned := slices.Contains(h.Lines(), "WARNING: <cfgutils>: mod_init(): lock set size too large ("+strconv.Itoa(int(tc.bits))+"), making it 14")
		if warned != tc.warn {
			t.Errorf("lock_set_size %d: warned %v", tc.bits, warned)
		}
	}
}

// TestLockWithoutSet checks the error Kamailio logs (recorded in
// spec/conformance/modules/cfgutils/funcs).
func TestLockWithoutSet(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	if rc := call(t, h, m, "trylock", `"k"`)(h.Context()); rc != -1 {
		t.Errorf("rc %d", rc)
	}
	want := "ERROR: <cfgutils>: cfg_lock_helper(): lock set not initialized (attempt to do op: 2 on: k) - see param lock_set_size"
	if got := h.Lines(); !slices.Equal(got, []string{want}) {
		t.Errorf("got %q", got)
	}
}

// TestSleep checks what sleep and usleep ask to wait for, with the
// module's sleeper replaced so nothing waits.
func TestSleep(t *testing.T) {
	m := newModule()
	var slept []time.Duration
	m.sleep = func(d time.Duration) { slept = append(slept, d) }
	h := newHost(t, m)
	for _, tc := range []struct {
		fn, arg string
		rc      int
		want    time.Duration // -1: no sleep
	}{
		{"sleep", `"2"`, 1, 2 * time.Second},
		{"sleep", "0", 1, 0},
		{"usleep", `"+250"`, 1, 250 * time.Microsecond},
		{"usleep", `"-1"`, 1, time.Duration(1<<32-1) * time.Microsecond},
		{"sleep", `"$var(n)"`, 1, 7 * time.Second},
		{"sleep", `"$var(s)"`, -1, -1},
		{"usleep", `"$avp(none)"`, -1, -1},
	} {
		slept = nil
		c := h.Context()
		setVar(t, h, c, "$var(n)", value.MakeInt(7))
		setVar(t, h, c, "$var(s)", value.MakeStr("7"))
		if rc := call(t, h, m, tc.fn, tc.arg)(c); rc != tc.rc {
			t.Errorf("%s(%s) = %d, want %d", tc.fn, tc.arg, rc, tc.rc)
		}
		// The error lines Kamailio logged in
		// spec/conformance/modules/cfgutils/funcs (sleep-values).
		var wantLog []string
		if tc.rc < 0 {
			wantLog = []string{"ERROR: <core>: get_int_fparam(): Could not convert PV to int",
				"ERROR: <cfgutils>: m_" + tc.fn + "(): cannot get time interval value"}
		}
		if got := h.Lines(); !slices.Equal(got, wantLog) {
			t.Errorf("%s(%s) logged %q, want %q", tc.fn, tc.arg, got, wantLog)
		}
		switch {
		case tc.want < 0 && len(slept) != 0:
			t.Errorf("%s(%s) slept %v", tc.fn, tc.arg, slept)
		case tc.want >= 0 && !slices.Equal(slept, []time.Duration{tc.want}):
			t.Errorf("%s(%s) slept %v, want %v", tc.fn, tc.arg, slept, tc.want)
		}
	}
}

func setVar(t *testing.T, h *pvtest.Host, c *event.Context, name string, v value.Value) {
	t.Helper()
	h.MustSet(t, c, name, v)
}

// TestSleepStops checks that Stop wakes a sleeping worker.
func TestSleepStops(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	sleep := call(t, h, m, "sleep", `"3600"`)
	done := make(chan int)
	go func() { done <- sleep(h.Context()) }()
	_ = m.Stop(context.Background())
	if rc := <-done; rc != 1 {
		t.Errorf("rc %d", rc)
	}
}

type abortHost struct {
	*pvtest.Host
	reasons []string
}

func (a *abortHost) Abort(reason string) { a.reasons = append(a.reasons, reason) }

// TestAbort checks that abort() logs at CRITICAL, asks the host to stop
// and ends the route (0); a host without Aborter only logs.
func TestAbort(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	ah := &abortHost{Host: h}
	for _, host := range []module.Host{ah, h} {
		abort, err := compileAbort(host, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rc := abort(h.Context()); rc != 0 {
			t.Errorf("rc %d", rc)
		}
		if got := h.Lines(); !slices.Equal(got, []string{"CRITICAL: <cfgutils>: dbg_abort(): abort called"}) {
			t.Errorf("log %q", got)
		}
	}
	if !slices.Equal(ah.reasons, []string{"cfgutils: abort called"}) {
		t.Errorf("Abort calls %q", ah.reasons)
	}
}

func TestHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kamailio.cfg")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newModule()
	_ = m.SetParam("hash_file", value.MakeStr(p))
	newHost(t, m)
	if m.configHash != "900150983cd24fb0d6963f7d28e17f72" {
		t.Errorf("hash %s", m.configHash)
	}
	m = newModule()
	_ = m.SetParam("hash_file", value.MakeStr(filepath.Join(t.TempDir(), "missing")))
	h, _ := pvtest.NewHost(m)
	if err := m.Provision(h); err == nil {
		t.Error("a missing hash_file was accepted")
	}
}

// TestRandom checks $RANDOM's shape: a non-negative int that reads as its
// decimal text.
func TestRandom(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	r, err := h.Ref("$RANDOM")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		v := r.Get(h.Context())
		if v.K != value.Int || v.I < 0 || v.I > 1<<31-1 {
			t.Fatalf("$RANDOM = %v", v)
		}
	}
	if _, err := h.Ref("$RANDOM(x)"); err == nil {
		t.Error("$RANDOM(x) accepted")
	}
}

// TestRandEvent checks rand_event's shape: fixed at 0 and 100, true or
// false in between, never true for a negative probability.
func TestRandEvent(t *testing.T) {
	m := newModule()
	for _, tc := range []struct {
		prob int64
		want []int
	}{{0, []int{-1}}, {100, []int{1}}, {-5, []int{-1}}, {50, []int{1, -1}}} {
		m.prob.Store(tc.prob)
		for i := 0; i < 50; i++ {
			if rc := m.randEvent(); !slices.Contains(tc.want, rc) {
				t.Fatalf("prob %d: rand_event = %d", tc.prob, rc)
			}
		}
	}
}

func TestProbLiteral(t *testing.T) {
	for in, want := range map[string]uint32{"50": 50, "50%": 50, "abc": 0, "": 0, "+7": 7, "-5": 0, "$var(x)": 0, "99999999999": 1<<32 - 1} {
		if got := leadingUint(in); got != want {
			t.Errorf("leadingUint(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestMemReport(t *testing.T) {
	m := newModule()
	h := newHost(t, m)
	c := h.Context()
	h.Logger.SetThreshold(klog.Info)
	if rc := call(t, h, m, "pkg_status")(c); rc != 1 || len(h.Lines()) != 0 {
		t.Error("pkg_status printed above L_DBG")
	}
	h.Logger.SetThreshold(klog.Dbg)
	if rc := call(t, h, m, "shm_summary")(c); rc != 1 || len(h.Lines()) != 1 {
		t.Error("shm_summary printed nothing at L_DBG")
	}
}
