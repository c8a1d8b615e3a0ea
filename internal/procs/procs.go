// Package procs owns how many threads run Go code at once (GOMAXPROCS)
// while `kamgo run` serves, and the collector's pace then (the heap floor,
// gcpace.go). A server that waits on sockets most of the
// time does best with one: every message that wakes a goroutine on an
// otherwise idle process then runs on the thread that received it, where
// with more than one the Go scheduler also wakes a second thread to look
// for work, which finds none and sleeps again (measured on 2 cores: one
// third less CPU per REGISTER and per call at a few hundred a second, and
// evapi's ping-pong rows faster with less CPU). A server whose load needs
// more than one core gets them all.
//
// The Controller samples the process's CPU time (user and system, every
// thread) each tick, less what the collector's background workers spent.
// At one P it raises GOMAXPROCS to the runtime's default as soon as a tick
// used Up of a core; at more it goes back to one after DownTicks ticks in a
// row under Down. The band between the two keeps it from switching back
// and forth: work that fills one P at Up uses less than that with more Ps
// only when it was short of them. GOMAXPROCS set in the environment turns
// the controller off: the operator's number stands.
//
// The collector's workers are not load: at one P its idle worker marks in
// every moment the P would sleep, so a tick with a collection in it looks
// like a full core. Counted as load, each collection of a server holding
// tens of thousands of transactions switched it to all Ps for a second,
// most of the time at a steady 2000 calls per second, at a fifth more CPU
// per call. The runtime reports its workers' time when a collection ends,
// so a collection still running at the end of a tick counts as load in
// that tick; when the next tick brings the report and the two ticks
// together, corrected, used less than Up, the switch it made is undone at
// once.
//
// The controller also gives memory back once a load is over: after
// IdleTicks ticks in a row under Idle that follow a busy tick, it runs a
// collection and returns the free heap to the system, once per idle
// period. Without it a server that handled a burst keeps the burst's peak
// resident until the runtime's own periodic collection (two minutes) and
// its slow scavenging.
//
// A goroutine that waits in blocking system calls for most of its life (an
// event loop in epoll_wait, internal/evloop) can Hold a P of its own: the
// controller then keeps one P more per holder, so that the holder's wait
// never leaves the rest of the process without a P and the runtime's
// monitor has no reason to take the P back and start another thread.
package procs

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Policy is when the controller switches.
type Policy struct {
	Max       int     // Ps when the load needs more than one: the runtime's default
	Up        float64 // cores used in a tick at one P that switch to Max
	Down      float64 // cores used below which a tick at Max counts as light
	DownTicks int     // light ticks in a row that switch back to one
	Idle      float64 // cores used below which a tick counts as idle
	IdleTicks int     // idle ticks after a busy one that release memory
}

// DefaultPolicy is the policy `kamgo run` uses: Max from the runtime
// (CPUs, or the cgroup's quota), up at 80% of a core, down after one second
// under 55% of a core; memory released after three seconds under 2%.
func DefaultPolicy() Policy {
	return Policy{Max: runtime.GOMAXPROCS(0), Up: 0.8, Down: 0.55, DownTicks: 10, Idle: 0.02, IdleTicks: 30}
}

// Tick is how often the controller samples.
const Tick = 100 * time.Millisecond

// next returns the P count after a tick that used `used` cores at `cur` Ps,
// and how many light ticks in a row that makes. low is the count under
// light load: one, plus the Ps held.
func (p Policy) next(cur, low int, used float64, light int) (int, int) {
	if low >= p.Max {
		return p.Max, 0
	}
	if cur <= low {
		if used >= p.Up {
			return p.Max, 0
		}
		return low, 0
	}
	if used < p.Down {
		light++
		if light >= p.DownTicks {
			return low, 0
		}
		return cur, light
	}
	return cur, 0
}

// sample is one tick's CPU (all of it, and the collector's workers' share
// reported in it) over its wall time.
type sample struct{ cpu, gc, wall time.Duration }

// collectorMade reports whether the switch up after tick up was the
// collector's doing, seen in the tick after it, then: the two ticks
// together used less than Up once the report of the collection that was
// running is taken off.
func (p Policy) collectorMade(up, then sample) bool {
	if then.gc <= 0 {
		return false
	}
	wall := up.wall + then.wall
	return float64(up.cpu+then.cpu-up.gc-then.gc) < p.Up*float64(wall)
}

// held counts the Ps held (Hold); active is the controller Start started.
var (
	held     atomic.Int32
	activeMu sync.Mutex
	active   *Controller
)

// Hold reserves a P for a goroutine that is about to spend most of its time
// in blocking system calls, and says whether it got one. It gets one when
// the process keeps at least one P besides every holder: under the
// controller, its P count under light load grows by one at once; without
// it, GOMAXPROCS must already be above the count of holders. On false the
// caller must wait in the runtime's poller instead. Release gives the P
// back.
func Hold() bool {
	activeMu.Lock()
	defer activeMu.Unlock()
	limit := runtime.GOMAXPROCS(0)
	if active != nil {
		limit = active.policy.Max
	}
	if int(held.Load())+1 >= limit {
		return false
	}
	held.Add(1)
	if active != nil {
		active.adjust()
	}
	return true
}

// Release gives back a P that Hold reserved.
func Release() {
	activeMu.Lock()
	defer activeMu.Unlock()
	if held.Add(-1) < 0 {
		held.Store(0)
	}
	if active != nil {
		active.adjust()
	}
}

// Held is how many Ps Hold reserved.
func Held() int { return int(held.Load()) }

// low is the P count under light load.
func (c *Controller) low() int { return min(1+int(held.Load()), c.policy.Max) }

// adjust moves the P count to the light-load count when it is below it,
// or was the light-load count before a Release.
func (c *Controller) adjust() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	if low := c.low(); c.cur < low || (c.cur > low && c.atLow) {
		c.cur, c.atLow = low, true
		c.set(low)
	}
}

// Controller adapts GOMAXPROCS until Stop.
type Controller struct {
	policy  Policy
	cpu     func() time.Duration // process CPU time so far
	gc      func() time.Duration // the collector's background workers' share of it
	now     func() time.Time     // wall clock
	set     func(n int)          // applies a P count
	free    func()               // returns the free heap to the system
	ticks   <-chan time.Time     // one sample per value
	tested  chan struct{}        // tests: a value after each tick handled
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	cur     int
	atLow   bool // cur is the light-load count
	stopped bool
}

// Start starts the default controller for this process, or returns nil
// when there is nothing to adapt: GOMAXPROCS is set in the environment, or
// the runtime's default is one.
func Start() *Controller {
	if os.Getenv("GOMAXPROCS") != "" {
		return nil
	}
	p := DefaultPolicy()
	if p.Max <= 1 {
		return nil
	}
	t := time.NewTicker(Tick)
	activeMu.Lock()
	c := newController(p, processCPU, gcWorkerCPU, time.Now, func(n int) { runtime.GOMAXPROCS(n) }, debug.FreeOSMemory, t.C, nil)
	active = c
	activeMu.Unlock()
	go func() {
		<-c.done
		t.Stop()
	}()
	return c
}

// newController starts at the light-load count and samples on every value
// of ticks.
func newController(p Policy, cpu, gc func() time.Duration, now func() time.Time, set func(int), free func(), ticks <-chan time.Time, tested chan struct{}) *Controller {
	c := &Controller{policy: p, cpu: cpu, gc: gc, now: now, set: set, free: free, ticks: ticks, tested: tested,
		stop: make(chan struct{}), done: make(chan struct{}), atLow: true}
	c.cur = c.low()
	set(c.cur)
	go c.run()
	return c
}

func (c *Controller) run() {
	defer close(c.done)
	lastCPU, lastGC, lastAt := c.cpu(), c.gc(), c.now()
	light, idle, busy := 0, 0, false
	// upTick is the tick that switched up, kept for the next tick only.
	var upTick sample
	checkUp := false
	for {
		select {
		case <-c.stop:
			return
		case <-c.ticks:
		}
		cpu, gc, at := c.cpu(), c.gc(), c.now()
		wall := at.Sub(lastAt)
		if wall <= 0 {
			if c.tested != nil {
				c.tested <- struct{}{}
			}
			continue
		}
		tick := sample{cpu: cpu - lastCPU, gc: gc - lastGC, wall: wall}
		used := max(float64(tick.cpu-tick.gc)/float64(wall), 0)
		lastCPU, lastGC, lastAt = cpu, gc, at
		if used < c.policy.Idle {
			idle++
			if busy && idle >= c.policy.IdleTicks {
				busy = false
				c.free()
			}
		} else {
			idle, busy = 0, true
		}
		c.mu.Lock()
		low := c.low()
		n, l := c.policy.next(c.cur, low, used, light)
		if checkUp && c.cur > low && c.policy.collectorMade(upTick, tick) {
			n, l = low, 0
		}
		checkUp = c.cur <= low && n > low
		upTick = tick
		light = l
		c.atLow = n == low
		if n != c.cur {
			c.cur = n
			c.set(n)
		}
		c.mu.Unlock()
		if c.tested != nil {
			c.tested <- struct{}{}
		}
	}
}

// Procs is the P count the controller set last.
func (c *Controller) Procs() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// Stop ends the controller and gives the runtime back its default.
func (c *Controller) Stop() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		activeMu.Lock()
		if active == c {
			active = nil
		}
		activeMu.Unlock()
		close(c.stop)
		<-c.done
		c.mu.Lock()
		c.stopped = true
		c.cur = c.policy.Max
		c.set(c.policy.Max)
		c.mu.Unlock()
	})
}

// CPU is the user and system time of every thread of the process so far.
func CPU() time.Duration { return processCPU() }

// gcMetrics are the runtime's counters of its collector's background
// workers: the dedicated (and fractional) ones and the idle one.
var gcMetrics = []string{"/cpu/classes/gc/mark/dedicated:cpu-seconds", "/cpu/classes/gc/mark/idle:cpu-seconds"}

// gcWorkerCPU is the time the collector's background workers have run so
// far, as the runtime counts it at the end of each collection.
func gcWorkerCPU() time.Duration {
	s := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	var sum float64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindFloat64 {
			sum += v.Value.Float64()
		}
	}
	return time.Duration(sum * float64(time.Second))
}

// processCPU is the user and system time of every thread of the process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
