package interp

import (
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
)

// benchRoute is 20 typical statements: assignments, concatenation with
// pseudo-variables, a regex match, if/else, a module function call.
const benchRoute = `route[TEST] {
	$var(i) = 0;
	$var(n) = $var(i) + 1;
	$var(m) = $var(n) * 3 - 2;
	if ($var(m) > 0) { $var(i) = $var(i) + 1; } else { $var(i) = 0; }
	$var(s) = "user-" + $tmsg;
	$var(t) = $var(s) + "@example.com";
	if ($var(t) =~ "^user-[a-z]+@example\.com$") { $var(ok) = 1; } else { $var(ok) = 0; }
	if ($var(ok) == 1 && $var(n) != 2) { $var(k) = 2; }
	$var(a) = $var(n) << 2;
	$var(b) = $var(a) mod 7;
	$var(c) = ($var(b) | 8) & 255;
	tret(1);
	if ($rc == 1) { $var(d) = $var(c) - $var(b); }
	switch ($var(d)) { case 8: $var(e) = 1; break; default: $var(e) = 2; }
	$var(f) = $var(e) + $var(d);
	if (!defined $avp(x)) { $var(g) = 3; }
	$var(h) = $var(g) * $var(f);
	$var(u) = strlen($var(t));
	if ($var(u) >= 10) { $var(v) = 1; }
	return 1;
}
`

func BenchmarkRoute(b *testing.B) {
	r, dl := compileTest(b, testPrelude+benchRoute, nil)
	if r == nil {
		b.Fatal(dl)
	}
	c := &event.Context{Worker: r.w, Log: r.log}
	c.Reset()
	c.Set(tmsgKey, "alice")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.prog.Run(c, event.Event(testEvent))
	}
}

// BenchmarkRouteInt is the int-only path (no string building).
func BenchmarkRouteInt(b *testing.B) {
	r, dl := compileTest(b, testPrelude+`route[TEST] {
	$var(i) = 1; $var(n) = $var(i) + 1; $var(m) = $var(n) * 3 - 2;
	if ($var(m) > 0 && $var(n) != 5) { $var(i) = $var(i) + 1; } else { $var(i) = 0; }
	switch ($var(i)) { case 2: $var(e) = 1; break; default: $var(e) = 2; }
	$var(x) = 0; while ($var(x) < 5) { $var(x) = $var(x) + 1; }
	tret(1);
}
`, nil)
	if r == nil {
		b.Fatal(dl)
	}
	c := &event.Context{Worker: r.w, Log: r.log}
	c.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.prog.Run(c, event.Event(testEvent))
	}
}
