package evapi

import (
	"testing"
	"time"
)

// TestHoldPolicy: a loop holds a P and blocks after two windows in a row
// in which the process was busy and the loop's own time was most of it,
// gives the P back and parks after ten windows in a row that were not, and
// stays parked when no P can be spared. The process CPU and the clock are
// the test's.
func TestHoldPolicy(t *testing.T) {
	var cpu time.Duration
	held, refuse := 0, false
	mode, hp, rp, pc := holdMode, holdP, releaseP, processCPU
	holdMode = 0
	holdP = func() bool {
		if refuse {
			return false
		}
		held++
		return true
	}
	releaseP = func() { held-- }
	processCPU = func() time.Duration { return cpu }
	t.Cleanup(func() { holdMode, holdP, releaseP, processCPU = mode, hp, rp, pc })

	m, _ := newTestModule(t, nil)
	l, err := newLoop(m)
	if err != nil {
		t.Fatal(err)
	}
	now := l.hold.since
	// window ends a window in which the process used load cores and the
	// loop's time between waits was share of that.
	window := func(load, share float64) {
		used := time.Duration(load * float64(holdWindow))
		cpu += used
		l.hold.busy = time.Duration(share * float64(used))
		now = now.Add(holdWindow)
		l.hold.woke(l, now, 1)
	}
	type step struct {
		load, share float64
		refuse      bool
		held        bool
	}
	steps := []step{
		{0.4, 1.2, false, false}, // one busy window is not enough
		{0.4, 1.2, false, true},  // two in a row: held
		{0.4, 0.3, false, true},  // the loop's share is low once
		{0.4, 1.2, false, true},  // and the count starts again
	}
	for range releaseAfter - 1 {
		steps = append(steps, step{0.05, 1.0, false, true}) // idle: not yet
	}
	steps = append(steps,
		step{0.05, 1.0, false, false}, // tenth idle window: released
		step{0.9, 0.3, false, false},  // busy, but mostly other work
		step{0.9, 0.3, false, false},
		step{0.4, 1.2, true, false}, // no P to spare
		step{0.4, 1.2, true, false},
		step{0.4, 1.2, false, false},
		step{0.4, 1.2, false, true},
	)
	for i, s := range steps {
		refuse = s.refuse
		window(s.load, s.share)
		if l.hold.held != s.held || l.p.Blocking() != s.held || held != map[bool]int{true: 1, false: 0}[s.held] {
			t.Fatalf("step %d (%+v): held %v, blocking %v, Ps held %d", i, s, l.hold.held, l.p.Blocking(), held)
		}
		wantTimeout := -1
		if s.held {
			wantTimeout = int(holdWindow / time.Millisecond)
		}
		if got := l.hold.timeout(-1); got != wantTimeout {
			t.Fatalf("step %d: timeout(-1) = %d, want %d", i, got, wantTimeout)
		}
		if got := l.hold.timeout(5); got != 5 {
			t.Fatalf("step %d: timeout(5) = %d", i, got)
		}
	}
	l.close()
	if held != 0 || l.hold.held {
		t.Fatalf("after close: Ps held %d, held %v", held, l.hold.held)
	}
}
