package procs

import (
	"sync"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	p := Policy{Max: 4, Up: 0.8, Down: 0.55, DownTicks: 3}
	for _, tc := range []struct {
		name            string
		cur             int
		used            float64
		light           int
		wantN, wantLite int
	}{
		{"idle at one stays", 1, 0.0, 0, 1, 0},
		{"busy below up stays", 1, 0.79, 0, 1, 0},
		{"at up switches to max", 1, 0.8, 0, 4, 0},
		{"over a core switches", 1, 1.3, 0, 4, 0},
		{"heavy at max stays", 4, 1.5, 2, 4, 0},
		{"between down and up stays and resets", 4, 0.6, 2, 4, 0},
		{"first light tick counts", 4, 0.2, 0, 4, 1},
		{"light ticks short of the count", 4, 0.54, 1, 4, 2},
		{"last light tick switches to one", 4, 0.1, 2, 1, 0},
	} {
		n, l := p.next(tc.cur, tc.used, tc.light)
		if n != tc.wantN || l != tc.wantLite {
			t.Errorf("%s: next(%d, %v, %d) = %d, %d; want %d, %d", tc.name, tc.cur, tc.used, tc.light, n, l, tc.wantN, tc.wantLite)
		}
	}
}

// fake is a process whose CPU and wall clocks the test moves.
type fake struct {
	mu   sync.Mutex
	cpu  time.Duration
	wall time.Time
	sets chan int
}

func (f *fake) CPU() time.Duration { f.mu.Lock(); defer f.mu.Unlock(); return f.cpu }
func (f *fake) Now() time.Time     { f.mu.Lock(); defer f.mu.Unlock(); return f.wall }

// spend advances the wall clock by a tick during which the process used
// `cores` cores.
func (f *fake) spend(cores float64) {
	f.mu.Lock()
	f.wall = f.wall.Add(Tick)
	f.cpu += time.Duration(cores * float64(Tick))
	f.mu.Unlock()
}

func TestController(t *testing.T) {
	f := &fake{wall: time.Unix(1000, 0), sets: make(chan int, 16)}
	ticks := make(chan time.Time)
	p := Policy{Max: 2, Up: 0.8, Down: 0.55, DownTicks: 3, Idle: 0.02, IdleTicks: 2}
	frees := make(chan struct{}, 4)
	tested := make(chan struct{})
	c := newController(p, f.CPU, f.Now, func(n int) { f.sets <- n }, func() { frees <- struct{}{} }, ticks, tested)
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
	tick(0.3)
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
