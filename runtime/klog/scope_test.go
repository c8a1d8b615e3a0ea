package klog

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// TestScope: a goroutine's scope puts its prefix on every line that
// goroutine prints, whatever method prints it, and on no other
// goroutine's; Set changes it, End removes it.
func TestScope(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	evals := 0
	sc := l.Begin(func() string { evals++; return "{1 x} " })
	l.Log(Info, "tm", "one")
	l.Logf(Err, "sl", "two %d", 2)
	l.LogHead(Info, "", "script", "H: ", "three")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.Log(Info, "other", "four")
	}()
	wg.Wait()
	sc.Set(func() string { return "{2 y} " })
	l.Log(Info, "tm", "five")
	sc.Set(nil)
	l.Log(Info, "tm", "six")
	sc.End()
	l.Log(Info, "core", "seven")
	want := []string{
		"INFO: {1 x} <tm>: one",
		"ERROR: {1 x} <sl>: two 2",
		"INFO: {1 x} H: three",
		"INFO: <other>: four",
		"INFO: {2 y} <tm>: five",
		"INFO: <tm>: six",
		"INFO: <core>: seven",
	}
	if got := strings.Split(strings.TrimSpace(b.String()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if evals != 1 {
		t.Errorf("prefix expanded %d times, want once", evals)
	}
	if l.nscopes.Load() != 0 {
		t.Errorf("%d scopes left open", l.nscopes.Load())
	}
}

// TestScopeLazy: the prefix is expanded when first needed; a line printed
// while it is being expanded has none, and a scope that prints nothing
// never expands it.
func TestScopeLazy(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	sc := l.Begin(func() string { panic("expanded") })
	sc.End()
	sc = l.Begin(func() string {
		l.Log(Err, "core", "while expanding")
		return "{p} "
	})
	defer sc.End()
	l.Log(Info, "core", "after")
	if got, want := b.String(), "ERROR: <core>: while expanding\nINFO: {p} <core>: after\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestScopeReplaceAndForeignEnd: a second Begin on a goroutine hides
// the first, and ending the hidden one, from anywhere, leaves the new
// one in place and none after it.
func TestScopeReplaceAndForeignEnd(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	old := l.Begin(func() string { return "old " })
	cur := l.Begin(func() string { return "new " })
	done := make(chan struct{})
	go func() { old.End(); close(done) }()
	<-done
	l.Log(Info, "core", "x")
	cur.End()
	if l.Current() != nil || l.nscopes.Load() != 0 {
		t.Error("scope left after End")
	}
	if got := b.String(); got != "INFO: new <core>: x\n" {
		t.Errorf("got %q", got)
	}
}

// TestScopeNested: a scope opened over another gives the goroutine its
// prefix back when it ends.
func TestScopeNested(t *testing.T) {
	var b bytes.Buffer
	l := New(&b, Text)
	outer := l.Begin(func() string { return "outer " })
	inner := l.Begin(func() string { return "inner " })
	l.Log(Info, "core", "a")
	inner.End()
	inner.End()
	l.Log(Info, "core", "b")
	outer.End()
	l.Log(Info, "core", "c")
	if got, want := b.String(), "INFO: inner <core>: a\nINFO: outer <core>: b\nINFO: <core>: c\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if l.nscopes.Load() != 0 {
		t.Errorf("%d scopes left", l.nscopes.Load())
	}
}

// TestScopeConcurrent: goroutines with scopes of their own print their
// own prefixes only (run with -race).
func TestScopeConcurrent(t *testing.T) {
	var b syncWriter
	l := New(&b, Text)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p := string(rune('a'+i)) + " "
			sc := l.Begin(func() string { return p })
			defer sc.End()
			for j := 0; j < 50; j++ {
				l.Logf(Info, "m", "%c", 'a'+i)
			}
		}(i)
	}
	wg.Wait()
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		// "INFO: a <m>: a"
		if line[6] != line[len(line)-1] {
			t.Fatalf("line %q has another goroutine's prefix", line)
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// BenchmarkScope is what a message costs with a log_prefix: its scope
// opened, its prefix read once, closed.
func BenchmarkScope(b *testing.B) {
	l := New(nil, Text)
	for i := 0; i < b.N; i++ {
		sc := l.Begin(func() string { return "p " })
		_ = sc.Prefix()
		sc.End()
	}
}

// BenchmarkLineNoScope is a printed line while no scope is open.
func BenchmarkLineNoScope(b *testing.B) {
	l := New(nil, Text)
	for i := 0; i < b.N; i++ {
		l.Log(Info, "m", "x")
	}
}
