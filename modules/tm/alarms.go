package tm

import (
	"sync"
	"time"
)

// alarms rings the transactions' alarms on the system clock: a heap of
// transactions by alarm time and one goroutine, the ringer, that sleeps on
// one runtime timer until the earliest and then rings every transaction
// due, in turn (Kamailio's tm has one timer process for all its
// transactions too). A runtime timer per transaction made a goroutine per
// ring, and every transaction rings at least once, when its wait ends:
// measured at 2000 calls per second, goroutine starts, ends and the
// runtime's timer heap were about 5% of the CPU.
//
// The ringer runs while there are alarms and exits when the heap is
// empty. It wakes on a grid of ticks, the first tick at or after the
// earliest alarm, and rings every alarm due by then: Kamailio's timers
// run on ticks of 1/16 s (TIMER_TICKS_HZ), a timer expiring on the first
// tick after its time. An alarm never rings early, and at most 16 rings a
// second wake the process however many transactions end (at 500 calls
// per second a ring every 2 ms was one wake-up in four). A
// ring whose work runs a route (a failure route after a timeout) first
// takes a worker of the core's pool, and the other alarms wait meanwhile,
// as they wait for Kamailio's timer process while it runs one.
// Each transaction's alarm time and heap index are under mu, not under
// the transaction's lock: setAlarm takes mu with x.mu held, and the ringer
// never holds mu while it takes a transaction's lock.
type alarms struct {
	mu      sync.Mutex
	heap    []alarm // a 4-ary heap by at, earliest first
	running bool    // the ringer goroutine runs
	// waitingFor is the tick the ringer's timer is set for while it
	// sleeps, -1 while it rings.
	waitingFor time.Duration
	timer      *time.Timer
	due        []*txn // the ringer's batch
}

// alarm is a heap entry: its time is kept here, where the heap's
// comparisons read it without visiting the transaction (at tens of
// thousands of transactions those visits were cache misses).
type alarm struct {
	at time.Duration
	x  *txn
}

// alarmTick is the grid the alarms ring on.
const alarmTick = time.Second / 16

// tickAt returns the first tick at or after at.
func tickAt(at time.Duration) time.Duration {
	return (at + alarmTick - 1) / alarmTick * alarmTick
}

// set makes x's alarm ring by at.
func (a *alarms) set(x *txn, at time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.holds(x) {
		if x.alarmAt <= at {
			return
		}
		x.alarmAt = at
		a.heap[x.alarmIdx].at = at
		a.up(x.alarmIdx)
	} else {
		x.alarmAt, x.alarmIdx = at, len(a.heap)
		a.heap = append(a.heap, alarm{at, x})
		a.up(x.alarmIdx)
	}
	if a.heap[0].x != x {
		return
	}
	switch {
	case !a.running:
		a.running, a.waitingFor = true, -1
		go a.ring()
	case a.waitingFor >= 0 && tickAt(at) < a.waitingFor:
		a.waitingFor = tickAt(at)
		a.timer.Reset(max(a.waitingFor-monoNow(), 0))
	}
}

// pending returns when x's alarm rings, false when it is not set.
func (a *alarms) pending(x *txn) (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return x.alarmAt, a.holds(x)
}

func (a *alarms) holds(x *txn) bool {
	return x.alarmIdx >= 0 && x.alarmIdx < len(a.heap) && a.heap[x.alarmIdx].x == x
}

// stop takes x's alarm off the heap, so that a deleted transaction is not
// kept until it would have rung.
func (a *alarms) stop(x *txn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.holds(x) {
		a.remove(x.alarmIdx)
	}
}

// ring is the ringer: it rings the due transactions, then sleeps until the
// next alarm, and ends when there is none.
func (a *alarms) ring() {
	for {
		a.mu.Lock()
		if len(a.heap) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		now := monoNow()
		for len(a.heap) > 0 && a.heap[0].at <= now {
			a.due = append(a.due, a.heap[0].x)
			a.remove(0)
		}
		if len(a.due) == 0 {
			next := tickAt(a.heap[0].at)
			d := next - now
			if a.timer == nil {
				a.timer = time.NewTimer(d)
			} else {
				a.timer.Reset(d)
			}
			a.waitingFor = next
			a.mu.Unlock()
			<-a.timer.C
			a.mu.Lock()
			a.waitingFor = -1
			a.mu.Unlock()
			continue
		}
		due := a.due
		a.mu.Unlock()
		for i, x := range due {
			x.ring()
			due[i] = nil
		}
		a.mu.Lock()
		a.due = due[:0]
		a.mu.Unlock()
	}
}

// The heap: up and down restore its order from index i; remove takes the
// entry at i out. Each transaction's alarmIdx follows its place. Four
// children per node: half the depth of a binary heap, and a node's
// children side by side in memory.

func (a *alarms) up(i int) {
	h := a.heap
	e := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if h[p].at <= e.at {
			break
		}
		h[i] = h[p]
		h[i].x.alarmIdx = i
		i = p
	}
	h[i] = e
	e.x.alarmIdx = i
}

func (a *alarms) down(i int) {
	h := a.heap
	e := h[i]
	for {
		c := 4*i + 1
		if c >= len(h) {
			break
		}
		m := c
		for k := c + 1; k < c+4 && k < len(h); k++ {
			if h[k].at < h[m].at {
				m = k
			}
		}
		if e.at <= h[m].at {
			break
		}
		h[i] = h[m]
		h[i].x.alarmIdx = i
		i = m
	}
	h[i] = e
	e.x.alarmIdx = i
}

func (a *alarms) remove(i int) {
	h := a.heap
	last := len(h) - 1
	x := h[i].x
	if i != last {
		h[i] = h[last]
		h[i].x.alarmIdx = i
	}
	h[last] = alarm{}
	a.heap = h[:last]
	x.alarmIdx = -1
	if i < last {
		a.down(i)
		a.up(i)
	}
}
