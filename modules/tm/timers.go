package tm

import (
	"sync"
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

// timer is one restartable timer of a transaction. Its work runs with the
// transaction locked; a start or a stop that comes first, even while the
// expiry waits for the lock, wins.
//
// On the system clock a timer is only its deadline: the transaction's
// alarm (alarms.go) rings for the earliest of them and runs the work of
// those that are due. A transaction starts several timers per request,
// and a runtime timer plus closures per start was a large part of tm's
// allocations and of the runtime's timer work. Stopping a timer leaves the
// alarm set; a ring that finds nothing due sets it for the next deadline.
// On other clocks (tests) every start is an AfterFunc whose callback
// carries the generation it belongs to; its cancel function waits in the
// module's otherStops.
type timer struct {
	at    time.Duration // system clock: the deadline, on monoNow's scale
	gen   uint32        // other clocks: the current start
	armed bool
}

// monoBase is the origin of monoNow.
var monoBase = time.Now()

// monoNow is the monotonic time the system clock's deadlines are on.
func monoNow() time.Duration { return time.Since(monoBase) }

// otherStops are the cancel functions of the timers started on a clock
// other than the system's.
type otherStops struct {
	mu sync.Mutex
	m  map[*timer]func()
}

func (s *otherStops) put(tm *timer, stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[*timer]func(){}
	}
	s.m[tm] = stop
}

// take removes and returns tm's cancel function, nil when none.
func (s *otherStops) take(tm *timer) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	stop := s.m[tm]
	delete(s.m, tm)
	return stop
}

// timerWork is what a timer does when it expires. Which timer it is says
// what it does: the alarm finds the work of a due timer by where the
// timer is.
type timerWork uint8

const (
	workRelease          timerWork = iota // wait: the transaction is deleted
	workLifetime                          // life: max_inv_lifetime / max_noninv_lifetime
	workRetransmitFinal                   // uas.retr: timer G
	workRetransmitBranch                  // branch retr: timer A / E
	workBranchTimeout                     // branch fr: timer B / F, fr_inv_timer
	workRetransmitCancel                  // cancel.retr
	workCancelTimeout                     // cancel.fr: the CANCEL's retransmissions end
)

// runsRoutes reports whether the work may run routes (failure_route after
// a timeout): it then needs a worker of the core's pool.
func (w timerWork) runsRoutes() bool { return w == workLifetime || w == workBranchTimeout }

// start (re)arms tm to do w (on branch b, nil for the transaction's own
// timers) after d. x.mu must be held.
func (x *txn) start(tm *timer, d time.Duration, w timerWork, b *branch) {
	x.stopTimer(tm)
	tm.armed = true
	if _, ok := x.m.clock.(systemClock); ok {
		tm.at = monoNow() + d
		x.setAlarm(tm.at)
		return
	}
	tm.gen++
	gen := tm.gen
	x.m.otherStops.put(tm, x.m.clock.AfterFunc(d, func() { x.expired(tm, gen, w, b) }))
}

// stopTimer disarms tm. x.mu must be held.
func (x *txn) stopTimer(tm *timer) {
	if !tm.armed {
		return
	}
	tm.armed = false
	if _, ok := x.m.clock.(systemClock); ok {
		return
	}
	tm.gen++
	if stop := x.m.otherStops.take(tm); stop != nil {
		stop()
	}
}

// running reports whether tm is armed.
func (tm *timer) running() bool { return tm.armed }

// setAlarm makes the alarm ring by at. x.mu must be held.
func (x *txn) setAlarm(at time.Duration) { x.m.alarms.set(x, at) }

// stopAlarm stops the alarm for good (the transaction is deleted), so that
// the alarms do not keep the transaction until it would have rung.
func (x *txn) stopAlarm() { x.m.alarms.stop(x) }

// maxRingWork bounds the work one ring does: a timer restarted with no
// delay over and over lets the ringer ring the other transactions between
// rounds.
const maxRingWork = 64

// ring is the alarm going off: the work of every due timer runs, the
// earliest first, each with x locked; then the alarm is set for the next
// deadline. Work that runs routes gets a worker of the core's pool, taken
// before the transaction's lock so that a worker waiting for the lock
// never holds up a timer.
func (x *txn) ring() {
	var c *event.Context
	done := func() {}
	defer func() { done() }()
	now := monoNow()
	for range maxRingWork {
		x.mu.Lock()
		if x.gone {
			x.mu.Unlock()
			return
		}
		tm, w, b := x.due(now)
		if tm != nil && w.runsRoutes() && c == nil {
			x.mu.Unlock()
			c, done = x.m.timerEvent()
			continue
		}
		if tm == nil {
			x.rearm()
			x.mu.Unlock()
			return
		}
		tm.armed = false
		x.work(c, w, b)
		x.settle()
		x.mu.Unlock()
	}
	x.mu.Lock()
	x.rearm()
	x.mu.Unlock()
}

// due returns the armed timer with the earliest deadline not after now,
// with its work and branch; nil when none is due. x.mu must be held.
func (x *txn) due(now time.Duration) (tm *timer, w timerWork, b *branch) {
	consider := func(t *timer, tw timerWork, tb *branch) {
		if t.armed && t.at <= now && (tm == nil || t.at < tm.at) {
			tm, w, b = t, tw, tb
		}
	}
	consider(&x.wait, workRelease, nil)
	consider(&x.life, workLifetime, nil)
	consider(&x.uas.retr, workRetransmitFinal, nil)
	for _, br := range x.branches {
		consider(&br.retr, workRetransmitBranch, br)
		consider(&br.fr, workBranchTimeout, br)
		consider(&br.cancel.retr, workRetransmitCancel, br)
		consider(&br.cancel.fr, workCancelTimeout, br)
	}
	return tm, w, b
}

// rearm sets the alarm for the earliest deadline of the armed timers.
// x.mu must be held.
func (x *txn) rearm() {
	var next *timer
	consider := func(t *timer) {
		if t.armed && (next == nil || t.at < next.at) {
			next = t
		}
	}
	consider(&x.wait)
	consider(&x.life)
	consider(&x.uas.retr)
	for _, br := range x.branches {
		consider(&br.retr)
		consider(&br.fr)
		consider(&br.cancel.retr)
		consider(&br.cancel.fr)
	}
	if next != nil {
		x.setAlarm(next.at)
	}
}

// expired is the expiry of tm on a clock other than the system's, started
// as generation gen: the work runs with x locked, unless that start was
// stopped or replaced.
func (x *txn) expired(tm *timer, gen uint32, w timerWork, b *branch) {
	var c *event.Context
	if w.runsRoutes() {
		ec, done := x.m.timerEvent()
		defer done()
		c = ec
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if tm.gen != gen || !tm.armed || x.gone {
		return
	}
	tm.armed = false
	x.m.otherStops.take(tm)
	x.work(c, w, b)
	x.settle()
}

// work does what an expired timer does. x.mu must be held.
func (x *txn) work(c *event.Context, w timerWork, b *branch) {
	switch w {
	case workRelease:
		x.release()
	case workLifetime:
		x.lifetimeEnded(c)
	case workRetransmitFinal:
		x.retransmitFinal()
	case workRetransmitBranch:
		x.retransmitBranch(b)
	case workBranchTimeout:
		x.branchTimeout(c, b)
	case workRetransmitCancel:
		x.retransmitCancel(b)
	case workCancelTimeout:
		x.stopTimer(&b.cancel.retr)
	}
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
