package procs

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	p := Policy{Max: 4, Up: 0.8, Down: 0.55, DownTicks: 3}
	for _, tc := range []struct {
		name            string
		cur, low        int
		used            float64
		light           int
		wantN, wantLite int
	}{
		{"idle at one stays", 1, 1, 0.0, 0, 1, 0},
		{"busy below up stays", 1, 1, 0.79, 0, 1, 0},
		{"at up switches to max", 1, 1, 0.8, 0, 4, 0},
		{"over a core switches", 1, 1, 1.3, 0, 4, 0},
		{"heavy at max stays", 4, 1, 1.5, 2, 4, 0},
		{"between down and up stays and resets", 4, 1, 0.6, 2, 4, 0},
		{"first light tick counts", 4, 1, 0.2, 0, 4, 1},
		{"light ticks short of the count", 4, 1, 0.54, 1, 4, 2},
		{"last light tick switches to one", 4, 1, 0.1, 2, 1, 0},
		{"one held: idle stays at two", 2, 2, 0.1, 0, 2, 0},
		{"one held: busy switches to max", 2, 2, 0.9, 0, 4, 0},
		{"one held: last light tick switches to two", 4, 2, 0.1, 2, 2, 0},
		{"all held but one: max for good", 4, 4, 0.0, 5, 4, 0},
	} {
		n, l := p.next(tc.cur, tc.low, tc.used, tc.light)
		if n != tc.wantN || l != tc.wantLite {
			t.Errorf("%s: next(%d, %d, %v, %d) = %d, %d; want %d, %d", tc.name, tc.cur, tc.low, tc.used, tc.light, n, l, tc.wantN, tc.wantLite)
		}
	}
}

// fake is a process whose CPU and wall clocks the test moves.
type fake struct {
	mu   sync.Mutex
	cpu  time.Duration
	gc   time.Duration // the collector's workers' share of cpu, as reported
	wall time.Time
	sets chan int
}

func (f *fake) CPU() time.Duration { f.mu.Lock(); defer f.mu.Unlock(); return f.cpu }
func (f *fake) GC() time.Duration  { f.mu.Lock(); defer f.mu.Unlock(); return f.gc }
func (f *fake) Now() time.Time     { f.mu.Lock(); defer f.mu.Unlock(); return f.wall }

// spend advances the wall clock by a tick during which the process used
// `cores` cores.
func (f *fake) spend(cores float64) {
	f.mu.Lock()
	f.wall = f.wall.Add(Tick)
	f.cpu += time.Duration(cores * float64(Tick))
	f.mu.Unlock()
}

// collect adds cores' worth of a tick to the collector's reported time
// (the runtime reports it when a collection ends).
func (f *fake) collect(cores float64) {
	f.mu.Lock()
	f.gc += time.Duration(cores * float64(Tick))
	f.mu.Unlock()
}

func TestController(t *testing.T) {
	f := &fake{wall: time.Unix(1000, 0), sets: make(chan int, 16)}
	ticks := make(chan time.Time)
	p := Policy{Max: 2, Up: 0.8, Down: 0.55, DownTicks: 3, Idle: 0.02, IdleTicks: 2}
	frees := make(chan struct{}, 4)
	tested := make(chan struct{})
	c := newController(p, f.CPU, f.GC, f.Now, func(n int) { f.sets <- n }, func() { frees <- struct{}{} }, ticks, tested)
	if n := <-f.sets; n != 1 {
		t.Fatalf("start set %d Ps, want 1", n)
	}
	tick := func(cores float64) {
		f.spend(cores)
		ticks <- time.Time{}
		<-tested // handled before the clocks move again
	}
	expectSet := func(want int) {
		t.Helper()
		// The controller sets synchronously within the tick; one more
		// tick of the same load makes sure it has handled the first.
		select {
		case n := <-f.sets:
			if n != want {
				t.Fatalf("set %d Ps, want %d", n, want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("no switch to %d Ps", want)
		}
	}
	noSwitch := func() {
		t.Helper()
		select {
		case n := <-f.sets:
			t.Fatalf("unexpected switch to %d Ps", n)
		default:
		}
	}
	tick(0.3)
	// A collection in one tick: the workers' time, reported at its end,
	// is not load.
	f.collect(0.6)
	tick(0.95)
	tick(0.3)
	noSwitch()
	// A collection over two ticks: the first looks like a full core and
	// switches; the second brings the report, and the two together were
	// light: back at once.
	tick(1.0)
	expectSet(2)
	f.collect(0.9)
	tick(0.7)
	expectSet(1)
	tick(0.3)
	noSwitch()
	// A collection reported after a tick of real load: the switch stays.
	tick(0.95)
	expectSet(2)
	f.collect(0.1)
	tick(0.9)
	noSwitch()
	tick(0.3)
	tick(0.3)
	tick(0.3) // three light ticks in a row: one P
	expectSet(1)
	tick(0.95) // one tick at 95% of a core: all Ps
	expectSet(2)
	if got := c.Procs(); got != 2 {
		t.Fatalf("Procs() = %d, want 2", got)
	}
	tick(1.4)
	tick(0.3)
	tick(0.3)
	tick(0.7) // light run broken
	tick(0.3)
	tick(0.3)
	tick(0.3) // three light ticks in a row: one P
	expectSet(1)
	// Memory goes back once the load is over: after two idle ticks that
	// follow a busy one, once per idle period.
	tick(0.01)
	tick(0.0) // second idle tick: released
	tick(0.0)
	tick(0.0)
	tick(0.3) // busy again
	tick(0.0)
	tick(0.01) // released again
	c.Stop()
	if n := len(frees); n != 2 {
		t.Errorf("memory released %d times, want 2", n)
	}
	expectSet(2) // the runtime's default back
	select {
	case n := <-f.sets:
		t.Fatalf("unexpected switch to %d Ps", n)
	default:
	}
	c.Stop() // idempotent
}

func TestStartRespectsEnvironment(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	if c := Start(); c != nil {
		c.Stop()
		t.Fatal("Start ran a controller though GOMAXPROCS is set")
	}
}

// TestHold: each holder raises the light-load P count by one, as long as
// one P is left besides the holders; releases lower it again.
func TestHold(t *testing.T) {
	f := &fake{wall: time.Unix(1000, 0), sets: make(chan int, 16)}
	ticks := make(chan time.Time)
	tested := make(chan struct{})
	p := Policy{Max: 3, Up: 0.8, Down: 0.55, DownTicks: 2, Idle: 0.02, IdleTicks: 2}
	c := newController(p, f.CPU, f.GC, f.Now, func(n int) { f.sets <- n }, func() {}, ticks, tested)
	activeMu.Lock()
	active = c
	activeMu.Unlock()
	t.Cleanup(func() { c.Stop(); held.Store(0) })
	tick := func(cores float64) {
		f.spend(cores)
		ticks <- time.Time{}
		<-tested
	}
	want := func(n int) {
		t.Helper()
		select {
		case got := <-f.sets:
			if got != n {
				t.Fatalf("set %d Ps, want %d", got, n)
			}
		default:
			t.Fatalf("no switch to %d Ps", n)
		}
	}
	none := func() {
		t.Helper()
		select {
		case got := <-f.sets:
			t.Fatalf("unexpected switch to %d Ps", got)
		default:
		}
	}
	want(1)
	tick(0) // the controller has taken its first sample
	for i, tc := range []struct {
		hold bool // Hold, else Release
		ok   bool
		set  int // 0: no switch
	}{
		{true, true, 2},
		{true, true, 3},
		{true, false, 0}, // no P would be left
		{false, false, 2},
		{false, false, 1},
	} {
		if tc.hold {
			if got := Hold(); got != tc.ok {
				t.Fatalf("step %d: Hold() = %v, want %v", i, got, tc.ok)
			}
		} else {
			Release()
		}
		if tc.set == 0 {
			none()
		} else {
			want(tc.set)
		}
	}
	// Under load at the light-load count of one holder: all Ps, then back
	// to two after the light ticks.
	if !Hold() {
		t.Fatal("Hold() = false with three Ps and none held")
	}
	want(2)
	tick(0.9)
	want(3)
	tick(0.1)
	tick(0.1)
	want(2)
	tick(0.1)
	none()
	Release()
	want(1)
	if Held() != 0 {
		t.Fatalf("Held() = %d after every Release", Held())
	}
}

// TestGCWorkerCPU: the runtime knows the metrics the controller reads, and
// a collection's workers show in them once it ends.
func TestGCWorkerCPU(t *testing.T) {
	known := map[string]metrics.ValueKind{}
	for _, d := range metrics.All() {
		known[d.Name] = d.Kind
	}
	for _, name := range gcMetrics {
		if known[name] != metrics.KindFloat64 {
			t.Errorf("runtime metric %s: kind %v, want float64", name, known[name])
		}
	}
	before := gcWorkerCPU()
	for range 20 {
		runtime.GC()
		if gcWorkerCPU() > before {
			return
		}
	}
	t.Errorf("gcWorkerCPU() = %v after 20 collections, was %v", gcWorkerCPU(), before)
}
