package watch

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBurstAndFilter checks that a burst of writes to a watched file gives
// one callback, a write to another file in the same directory gives none,
// and a rename-replace (as editors save) is seen.
func TestBurstAndFilter(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kamailio.cfg")
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(cfg, []byte("debug=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := New(50*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetFiles([]string{cfg}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := make(chan struct{}, 10)
	go w.Run(ctx, func() { calls <- struct{}{} })

	for i := 0; i < 5; i++ {
		if err := os.WriteFile(cfg, []byte("debug=3\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	waitCalls(t, calls, 1)

	if err := os.WriteFile(other, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".kamailio.cfg.swp")
	if err := os.WriteFile(tmp, []byte("debug=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, cfg); err != nil {
		t.Fatal(err)
	}
	waitCalls(t, calls, 1)
}

// waitCalls waits (bounded) for exactly n callbacks within a quiet period.
func waitCalls(t *testing.T, calls chan struct{}, n int) {
	t.Helper()
	got := 0
	deadline := time.After(5 * time.Second)
	for got < n {
		select {
		case <-calls:
			got++
		case <-deadline:
			t.Fatalf("got %d callbacks, want %d", got, n)
		}
	}
	select {
	case <-calls:
		t.Fatalf("more than %d callbacks", n)
	case <-time.After(300 * time.Millisecond):
	}
}
