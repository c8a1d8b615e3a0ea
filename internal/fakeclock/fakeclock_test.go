package fakeclock

import (
	"testing"
	"time"
)

// TestAdvance: timers run in time order (ties in the order they were
// set), each seeing the clock at its own time; a stopped timer does not
// run; a timer set by a timer runs in the same Advance when due.
func TestAdvance(t *testing.T) {
	c := New()
	start := c.Now()
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+c.Now().Sub(start).String()) }
	}
	c.AfterFunc(2*time.Second, at("b"))
	c.AfterFunc(time.Second, at("a"))
	c.AfterFunc(2*time.Second, at("c"))
	stop := c.AfterFunc(1500*time.Millisecond, at("stopped"))
	stop()
	c.AfterFunc(1200*time.Millisecond, func() {
		at("d")()
		c.AfterFunc(500*time.Millisecond, at("e"))
	})
	c.Advance(1900 * time.Millisecond)
	if c.Pending() != 2 {
		t.Errorf("pending %d, want 2", c.Pending())
	}
	c.Advance(time.Second)
	want := []string{"a@1s", "d@1.2s", "e@1.7s", "b@2s", "c@2s"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("got %v, want %v", got, want)
			break
		}
	}
	if c.Now().Sub(start) != 2900*time.Millisecond {
		t.Errorf("now %v", c.Now().Sub(start))
	}
}
