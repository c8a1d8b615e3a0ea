package procs

import (
	"testing"
	"time"
)

func TestFloorFor(t *testing.T) {
	for _, tc := range []struct{ mem, want uint64 }{
		{0, 64 << 20},
		{512 << 20, 64 << 20},
		{2 << 30, 128 << 20},
		{4 << 30, 256 << 20},
		{24 << 30, 512 << 20},
	} {
		if got := floorFor(tc.mem); got != tc.want {
			t.Errorf("floorFor(%d MB) = %d MB, want %d MB", tc.mem>>20, got>>20, tc.want>>20)
		}
	}
}

func TestGCPercent(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		live, floor uint64
		want        int
	}{
		{0, 64 * mb, 1600}, // an empty heap counts as the runtime's minimum, 4 MB
		{2 * mb, 64 * mb, 1600},
		{16 * mb, 64 * mb, 400},   // goal 16+64 MB
		{64 * mb, 64 * mb, 100},   // the default's goal is as large
		{200 * mb, 64 * mb, 100},  // never below the default
		{60 * mb, 512 * mb, 853},  // goal 60+512 MB
		{512 * mb, 512 * mb, 100}, // a live heap at the floor
	} {
		if got := gcPercent(tc.live, tc.floor); got != tc.want {
			t.Errorf("gcPercent(%d MB, %d MB) = %d, want %d", tc.live/mb, tc.floor/mb, got, tc.want)
		}
	}
}

func TestPacer(t *testing.T) {
	const mb = 1 << 20
	live := make(chan uint64, 1)
	sets := make(chan int, 8)
	ticks := make(chan time.Time)
	live <- 32 * mb
	p := newPacer(64*mb, func() uint64 { return <-live }, func(n int) int { sets <- n; return 0 }, ticks)
	if n := <-sets; n != 200 {
		t.Fatalf("start set %d, want 200", n)
	}
	// The same live heap sets nothing; a larger one sets the default.
	live <- 32 * mb
	ticks <- time.Time{}
	live <- 128 * mb
	ticks <- time.Time{}
	if n := <-sets; n != 100 {
		t.Fatalf("128 MB live set %d, want 100", n)
	}
	live <- 16 * mb
	ticks <- time.Time{}
	if n := <-sets; n != 400 {
		t.Fatalf("16 MB live set %d, want 400", n)
	}
	p.Stop()
	if n := <-sets; n != 100 {
		t.Fatalf("Stop set %d, want the default 100", n)
	}
	select {
	case n := <-sets:
		t.Fatalf("unexpected set %d", n)
	default:
	}
	var nilPacer *Pacer
	nilPacer.Stop()
}
