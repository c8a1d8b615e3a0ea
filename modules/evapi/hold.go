package evapi

import (
	"runtime"
	"time"

	"github.com/kamgo/kamgo/internal/procs"
	"github.com/kamgo/kamgo/runtime/klog"
)

// How a loop waits. Blocking in epoll_wait on a P of its own costs one
// system call per wait where parking in the runtime's poller costs four,
// but the P is then missing from the rest of the process: under `kamgo
// run` GOMAXPROCS grows by one (internal/procs), and goroutines that the
// loop's routes wake (SIP transactions resumed by t_continue, their
// timers) then run on another thread. Measured on 2 cores: the evapi echo
// rows cost 10-15% less CPU per message with the P held, SIP calls
// through evapi_async_relay 15-50% more. So a loop holds a P while it
// carries most of the process's work, and parks otherwise.
const (
	// holdWindow is how often a loop weighs its share of the work.
	holdWindow = 100 * time.Millisecond
	// holdLoad: below this process CPU (cores) a loop parks; it has
	// little to save and a held P in a long wait is taken back by the
	// runtime.
	holdLoad = 0.1
	// holdShare: the loop holds a P while its own busy time (wall time
	// between its waits) is at least this share of the process's CPU.
	// Measured: above 1 most of the time on the evapi echo rows (the
	// wall time counts the loop's preemptions), at times 0.5; 0.27 on
	// average and never above 0.47 with SIP calls through evapi.
	holdShare = 0.6
	// holdAfter and releaseAfter are how many windows in a row decide a
	// switch: a P is held quickly and released only after a second, as
	// changing GOMAXPROCS stops the world.
	holdAfter    = 2
	releaseAfter = 10
)

// yieldEvery is how often a loop that holds a P passes through the
// scheduler while it is busy. The runtime takes back a P whose goroutine
// has not been scheduled for 10 ms, even in a system call, and its monitor
// then polls every 20 µs until the goroutine is; a yield before that costs
// one wake-up of an idle thread (measured: yielding every 4 ms cost 0.04
// futex calls per message on the ping-pong row, every 8 ms half that).
const yieldEvery = 8 * time.Millisecond

// Test hooks: holdMode forces a way of waiting (0: adaptive, 1: always
// held, 2: never); holdP and releaseP reserve and give back a P.
var (
	holdMode        = 0
	holdP, releaseP = procs.Hold, procs.Release
	processCPU      = procs.CPU
)

const errHoldSwitch = "evapi: event loop: cannot switch how it waits: "

// holder is a loop's state for holding a P; loop goroutine only.
type holder struct {
	held      bool
	busy      time.Duration // the loop's time between waits in this window
	since     time.Time     // window start
	cpu       time.Duration // process CPU at the window start
	votes     int           // windows in a row that asked for a switch
	lastYield time.Time
}

func (h *holder) init(l *loop, now time.Time) {
	h.since, h.lastYield, h.cpu = now, now, processCPU()
	if holdMode == 1 {
		h.switchTo(l, true)
	}
}

// timeout caps a held loop's wait at the window, so that an idle loop
// comes back to give its P up.
func (h *holder) timeout(msec int) int {
	if !h.held {
		return msec
	}
	w := int(holdWindow / time.Millisecond)
	if msec < 0 || msec > w {
		return w
	}
	return msec
}

// woke runs after each Wait: yields, and weighs the window when it is over.
func (h *holder) woke(l *loop, now time.Time, round int) {
	// A goroutine that never passes through the scheduler looks stuck to
	// the runtime, which then interrupts it with a signal every 10 ms (or,
	// in a system call, takes its P); yielding now and then is cheaper. A
	// parked loop passes through the scheduler on every wait that blocks;
	// a held one only when it yields, and does at once after a long wait.
	if h.held {
		if now.Sub(h.lastYield) >= yieldEvery {
			h.lastYield = now
			runtime.Gosched()
		}
	} else if round%64 == 0 {
		runtime.Gosched()
	}
	wall := now.Sub(h.since)
	if wall < holdWindow {
		return
	}
	cpu := processCPU()
	used := cpu - h.cpu
	load := float64(used) / float64(wall)
	share := 0.0
	if used > 0 {
		share = float64(h.busy) / float64(used)
	}
	h.since, h.cpu, h.busy = now, cpu, 0
	if holdMode != 0 {
		return
	}
	want := load >= holdLoad && share >= holdShare
	if want == h.held {
		h.votes = 0
		return
	}
	h.votes++
	if (want && h.votes >= holdAfter) || (!want && h.votes >= releaseAfter) {
		h.votes = 0
		h.switchTo(l, want)
		l.m.log.Logf(klog.Dbg, Name, "evapi: event loop: held P %v (process %.2f cores, loop's share %.2f)", h.held, load, share)
	}
}

// switchTo holds a P and blocks, or releases it and parks.
func (h *holder) switchTo(l *loop, held bool) {
	if held {
		if !holdP() {
			return // no P to spare: stays parked
		}
		if err := l.p.SetBlocking(true); err != nil {
			releaseP()
			l.m.log.Logf(klog.Err, Name, errHoldSwitch+"%v", err)
			return
		}
		h.held = true
		h.lastYield = time.Now()
		return
	}
	if err := l.p.SetBlocking(false); err != nil {
		// Still blocking: keep the P that makes it cheap.
		l.m.log.Logf(klog.Err, Name, errHoldSwitch+"%v", err)
		return
	}
	h.held = false
	releaseP()
}

// release gives the P back when the loop ends.
func (h *holder) release(*loop) {
	if h.held {
		h.held = false
		releaseP()
	}
}
