package tm

import (
	"testing"
	"time"
)

// waitFor polls cond under x's lock until it holds, for at most a few
// seconds (the runtime runs an alarm's callback when it can).
func waitFor(t *testing.T, x *txn, cond func() bool) {
	t.Helper()
	for range 5000 {
		x.mu.Lock()
		ok := cond()
		x.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("condition never held")
}

// TestAlarmRunsDueTimers: on the system clock the transaction's alarm runs
// the work of each timer that is due, the earliest first, and is set again
// for the timers still armed.
func TestAlarmRunsDueTimers(t *testing.T) {
	x := &txn{m: newModule()}
	x.mu.Lock()
	x.start(&x.life, time.Hour, workLifetime, nil)
	x.start(&x.uas.retr, 0, workRetransmitFinal, nil) // no reply yet: sends nothing
	x.mu.Unlock()
	waitFor(t, x, func() bool { _, set := x.m.alarms.pending(x); return !x.uas.retr.running() && set })
	x.mu.Lock()
	if at, _ := x.m.alarms.pending(x); !x.life.running() || at != x.life.at {
		t.Errorf("after the ring: life armed %v, alarm at %v for %v", x.life.running(), at, x.life.at)
	}
	x.start(&x.wait, 0, workRelease, nil)
	x.mu.Unlock()
	waitFor(t, x, func() bool { return x.gone })
	if _, set := x.m.alarms.pending(x); set {
		t.Error("the alarm of a deleted transaction is still set")
	}
	// The ringer ends with the last alarm.
	for i := 0; ; i++ {
		x.m.alarms.mu.Lock()
		running := x.m.alarms.running
		x.m.alarms.mu.Unlock()
		if !running {
			break
		}
		if i == 5000 {
			t.Fatal("the ringer runs on without alarms")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestAlarmsOrder: alarms ring in the order of their times, each once,
// whatever the order they were set in, moved earlier or taken off.
func TestAlarmsOrder(t *testing.T) {
	var a alarms
	xs := make([]*txn, 500)
	for i := range xs {
		xs[i] = &txn{}
	}
	a.mu.Lock()
	a.running = true // no ringer: the test pops by hand
	a.mu.Unlock()
	for i, x := range xs {
		a.set(x, time.Duration((i*37)%500+100)*time.Hour)
	}
	a.set(xs[7], time.Hour)      // earlier: moved
	a.set(xs[8], 1000*time.Hour) // later: kept where it is
	a.stop(xs[9])
	var got []time.Duration
	a.mu.Lock()
	for len(a.heap) > 0 {
		got = append(got, a.heap[0].at)
		a.remove(0)
	}
	a.mu.Unlock()
	if len(got) != len(xs)-1 {
		t.Fatalf("%d alarms rang, want %d", len(got), len(xs)-1)
	}
	if got[0] != time.Hour {
		t.Errorf("first alarm at %v, want the one moved earlier", got[0])
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("alarm %d at %v rang after one at %v", i, got[i], got[i-1])
		}
	}
	for _, x := range xs {
		if a.holds(x) {
			t.Error("an alarm is left")
		}
	}
}

// TestAlarmStopWins: a timer stopped or restarted while the alarm that
// rang for it waits for the transaction's lock does not do its work,
// whichever of the two the runtime ran first.
func TestAlarmStopWins(t *testing.T) {
	for i := range 50 {
		x := &txn{m: newModule()}
		x.mu.Lock()
		x.start(&x.wait, 0, workRelease, nil)
		// Holding the lock, the ring cannot do anything yet; it may or
		// may not be under way when the timer is stopped.
		time.Sleep(time.Duration(i%3) * time.Millisecond)
		restart := i%2 == 0
		if restart {
			x.start(&x.wait, time.Hour, workRelease, nil)
		} else {
			x.stopTimer(&x.wait)
		}
		x.mu.Unlock()
		// The ring has come once the alarm is unset (nothing armed) or
		// set for the restarted timer.
		waitFor(t, x, func() bool {
			at, set := x.m.alarms.pending(x)
			if restart {
				return set && at == x.wait.at
			}
			return !set
		})
		x.mu.Lock()
		if x.gone || x.wait.running() != restart {
			t.Fatalf("run %d: gone %v, armed %v", i, x.gone, x.wait.running())
		}
		x.release()
		x.mu.Unlock()
	}
}
