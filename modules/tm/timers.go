package tm

import (
	"time"

	"github.com/kamgo/kamgo/runtime/event"
)

// Clock schedules the transaction timers. The module uses the system
// clock; tests give it one they advance by hand, so that no test waits for
// real time.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed; the
	// returned function cancels it.
	AfterFunc(d time.Duration, f func()) (stop func())
}

// systemClock is Clock on the time package.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// timer is one restartable timer of a transaction. Its callback runs with
// the transaction locked; a callback that fires after the timer was
// stopped or restarted (it lost the race for the lock) does nothing,
// because the generation it was started with is no longer current.
type timer struct {
	gen  uint64
	stop func()
}

// start (re)arms tm to call f after d, f running with x locked. x.mu must
// be held.
func (x *txn) start(tm *timer, d time.Duration, f func()) {
	x.stopTimer(tm)
	tm.gen++
	gen := tm.gen
	tm.stop = x.m.clock.AfterFunc(d, func() {
		x.mu.Lock()
		defer x.mu.Unlock()
		if tm.gen != gen || x.gone {
			return
		}
		tm.stop = nil
		f()
	})
}

// startRoute is start for callbacks that may run routes (failure_route
// after a timeout): the callback gets a worker of the core's pool, taken
// before the transaction's lock so that a worker waiting for the lock
// never holds up the timer, and an event context on it.
func (x *txn) startRoute(tm *timer, d time.Duration, f func(c *event.Context)) {
	x.stopTimer(tm)
	tm.gen++
	gen := tm.gen
	tm.stop = x.m.clock.AfterFunc(d, func() {
		c, done := x.m.timerEvent()
		defer done()
		x.mu.Lock()
		defer x.mu.Unlock()
		if tm.gen != gen || x.gone {
			return
		}
		tm.stop = nil
		f(c)
	})
}

// timerEvent is an event context for work a timer does, on a worker of the
// core's pool (none without a host: unit tests without routes).
func (m *Module) timerEvent() (*event.Context, func()) {
	c := &event.Context{}
	c.Reset()
	c.Log = m.log
	if m.host == nil {
		return c, func() {}
	}
	pool := m.host.Workers()
	w := pool.Get()
	c.Worker = w
	return c, func() { pool.Release(w) }
}

// stopTimer disarms tm. x.mu must be held.
func (x *txn) stopTimer(tm *timer) {
	tm.gen++
	if tm.stop != nil {
		tm.stop()
		tm.stop = nil
	}
}

// running reports whether tm is armed.
func (tm *timer) running() bool { return tm.stop != nil }
