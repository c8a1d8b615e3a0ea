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
	alarm := x.alarm
	x.mu.Unlock()
	waitFor(t, x, func() bool { return !x.uas.retr.running() && x.alarmSet })
	x.mu.Lock()
	if !x.life.running() || x.alarmAt != x.life.at || x.alarm != alarm {
		t.Errorf("after the ring: life armed %v, alarm at %v for %v, same alarm %v",
			x.life.running(), x.alarmAt, x.life.at, x.alarm == alarm)
	}
	x.start(&x.wait, 0, workRelease, nil)
	x.mu.Unlock()
	waitFor(t, x, func() bool { return x.gone })
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.alarmSet || x.alarm.Stop() {
		t.Error("the alarm of a deleted transaction is still set")
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
			if restart {
				return x.alarmSet && x.alarmAt == x.wait.at
			}
			return !x.alarmSet
		})
		x.mu.Lock()
		if x.gone || x.wait.running() != restart {
			t.Fatalf("run %d: gone %v, armed %v", i, x.gone, x.wait.running())
		}
		x.release()
		x.mu.Unlock()
	}
}
