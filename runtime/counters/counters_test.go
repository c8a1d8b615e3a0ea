package counters

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

func names(cs []*Counter) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Group()+":"+c.Name())
	}
	return out
}

func TestRegisterOrderAndLookup(t *testing.T) {
	r := NewRegistry()
	for _, gn := range [][2]string{{"sl", "404_replies"}, {"core", "rcv_requests"}, {"script", "foo"},
		{"tmx", "active_transactions"}, {"tmx", "UAC_transactions"}, {"tmx", "2xx_transactions"}, {"mine", "foo"}} {
		if _, err := r.Register(gn[0], Def{Name: gn[1], Doc: "d"}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := r.Groups(), []string{"core", "mine", "script", "sl", "tmx"}; !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	// Byte order, as C's strcmp: digits, then capitals, then lower case.
	if got, want := names(r.Vars("tmx")), []string{"tmx:2xx_transactions", "tmx:UAC_transactions", "tmx:active_transactions"}; !slices.Equal(got, want) {
		t.Errorf("vars %v, want %v", got, want)
	}
	if r.Vars("nope") != nil {
		t.Error("vars of an unknown group")
	}
	// Without a group, the counter registered last wins.
	if c, ok := r.Lookup("", "foo"); !ok || c.Group() != "mine" {
		t.Errorf("lookup foo: %v %v", c, ok)
	}
	if c, ok := r.Lookup("script", "foo"); !ok || c.Group() != "script" {
		t.Errorf("lookup script.foo: %v %v", c, ok)
	}
	if _, ok := r.Lookup("core", "foo"); ok {
		t.Error("core.foo found")
	}
	c, err := r.Register("script", Def{Name: "foo"})
	if !errors.Is(err, ErrExists) || c == nil || c.Group() != "script" {
		t.Errorf("duplicate: %v %v", c, err)
	}
	for _, bad := range [][2]string{{"", "x"}, {"g", ""}} {
		if _, err := r.Register(bad[0], Def{Name: bad[1]}); err == nil {
			t.Errorf("registered %q.%q", bad[0], bad[1])
		}
	}
}

func TestValues(t *testing.T) {
	r := NewRegistry()
	plain, _ := r.Register("g", Def{Name: "plain"})
	keep, _ := r.Register("g", Def{Name: "keep", NoReset: true})
	n := int64(7)
	fn, _ := r.Register("g", Def{Name: "fn", Func: func() int64 { return n }})
	off, _ := r.Register("g", Def{Name: "off", Func: func() int64 { return n }, Offset: true})
	for _, c := range []*Counter{plain, keep, fn, off} {
		c.Add(5)
		c.Inc()
	}
	check := func(when string, want map[*Counter][2]int64) {
		t.Helper()
		for c, w := range want {
			if c.Value() != w[0] || c.Raw() != w[1] {
				t.Errorf("%s: %s value %d raw %d, want %d %d", when, c.Name(), c.Value(), c.Raw(), w[0], w[1])
			}
		}
	}
	check("after adds", map[*Counter][2]int64{plain: {6, 6}, keep: {6, 6}, fn: {7, 0}, off: {7, 7}})
	for _, c := range []*Counter{plain, keep, fn, off} {
		c.Reset()
	}
	n = 10
	check("after reset", map[*Counter][2]int64{plain: {0, 0}, keep: {6, 6}, fn: {10, 0}, off: {3, 3}})
	plain.Add(-2)
	if plain.Value() != -2 {
		t.Errorf("negative add: %d", plain.Value())
	}
	var none *Counter
	none.Inc()
	none.Reset()
	if none.Value() != 0 || none.Computed() || !fn.Computed() {
		t.Error("nil counter or Computed")
	}
}

func TestOnSync(t *testing.T) {
	r := NewRegistry()
	tables := []string{"location"}
	done := map[string]bool{}
	r.OnSync(func() {
		for _, tb := range tables {
			if !done[tb] {
				done[tb] = true
				r.Register("usrloc", Def{Name: tb + "_users"})
			}
		}
	})
	if got := names(r.Vars("usrloc")); !slices.Equal(got, []string{"usrloc:location_users"}) {
		t.Errorf("vars %v", got)
	}
	tables = append(tables, "aliases")
	if _, ok := r.Lookup("", "aliases_users"); !ok {
		t.Error("a lookup that misses does not sync")
	}
	if got := r.Groups(); !slices.Equal(got, []string{"usrloc"}) {
		t.Errorf("groups %v", got)
	}
}

// TestConcurrent adds from many goroutines while others register, list
// and reset; run it with -race.
func TestConcurrent(t *testing.T) {
	r := NewRegistry()
	c, _ := r.Register("g", Def{Name: "hits"})
	const workers, adds = 8, 1000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range adds {
				c.Inc()
			}
		}()
		go func() {
			defer wg.Done()
			r.Register("other", Def{Name: string(rune('a' + w))})
			for range 50 {
				r.Groups()
				r.Vars("other")
				r.Lookup("", "hits")
			}
		}()
	}
	wg.Wait()
	if got := c.Value(); got != workers*adds {
		t.Errorf("value %d, want %d", got, workers*adds)
	}
	if got := len(r.Vars("other")); got != workers {
		t.Errorf("%d counters registered, want %d", got, workers)
	}
}

func BenchmarkInc(b *testing.B) {
	c, _ := NewRegistry().Register("g", Def{Name: "n"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}
