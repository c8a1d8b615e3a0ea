package htable

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/internal/pvtest"
	_ "github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// setup provisions an htable module with the given table definitions
// (and $var from the pv module) on a fake clock.
func setup(t *testing.T, specs ...string) (*Module, *pvtest.Host, *fakeclock.Clock) {
	t.Helper()
	m := newModule()
	for _, s := range specs {
		if err := m.SetParam("htable", value.MakeStr(s)); err != nil {
			t.Fatal(err)
		}
	}
	info, _ := module.Lookup("pv")
	h, err := pvtest.NewHost(m, info.New())
	if err != nil {
		t.Fatal(err)
	}
	clock := fakeclock.New()
	m.SetClock(clock)
	if err := m.Provision(h); err != nil {
		t.Fatal(err)
	}
	return m, h, clock
}

// get reads a pseudo-variable.
func get(t *testing.T, h *pvtest.Host, c *event.Context, text string) value.Value {
	t.Helper()
	r, err := h.Ref(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return r.Get(c)
}

// set writes a pseudo-variable.
func set(t *testing.T, h *pvtest.Host, c *event.Context, text string, v value.Value) {
	t.Helper()
	r, err := h.Ref(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	if err := r.Set(c, v); err != nil {
		t.Fatalf("%s = %v: %v", text, v, err)
	}
}

// call runs a function with argument texts and returns its code.
func call(t *testing.T, h *pvtest.Host, m *Module, c *event.Context, name string, args ...string) int {
	t.Helper()
	return h.MustCall(t, m, name, args...)(c)
}

func TestSpec(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		err     string
		slots   int
		expire  int64
		update  bool
		initval string
	}{
		{spec: "ipban=>size=8;autoexpire=300;", slots: 256, expire: 300, update: true},
		{spec: " a => size=1", slots: 8, update: true},
		{spec: "a=>size=0", slots: 8, update: true},
		{spec: "a=>", slots: 16, update: true},
		{spec: "a=>size=32", slots: 1 << 14, update: true},
		{spec: "a=>initval=-3;updateexpire=0", slots: 16, initval: "-3"},
		{spec: "a=>cols='k,v';dbmode=1", slots: 16, update: true},
		{spec: "a=>size=21", err: "kamgo allows at most size=20"},
		{spec: "a=>dbtable=htable", err: "needs a database"},
		{spec: "a=>dmqreplicate=1", err: "needs the dmq module"},
		{spec: "a=>cols='k'", err: "at least two columns"},
		{spec: "a=>cols='1,2,3,4,5,6,7,8,9'", err: "too many columns"},
		{spec: "a=>size=x", err: "invalid htable parameter"},
		{spec: "a=>bogus=1", err: "invalid htable parameter"},
		{spec: "a=>initval=x", err: "invalid htable parameter"},
		{spec: "a", err: "invalid input parameter"},
		{spec: "a=size=1", err: "invalid input parameter"},
		{spec: "", err: "invalid input parameter"},
	} {
		tb, err := parseSpec(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.spec, err)
			continue
		}
		init := ""
		if tb.hasInit {
			init = value.MakeInt(tb.initVal).String()
		}
		if tb.nslots != tc.slots || tb.autoexpire != tc.expire || tb.updateExpire != tc.update || init != tc.initval {
			t.Errorf("%q: slots %d expire %d update %v initval %q", tc.spec, tb.nslots, tb.autoexpire, tb.updateExpire, init)
		}
	}
}

// TestProvisionRefuses: what needs a database or DMQ stops the start
// with a clear error, and so does a table defined twice.
func TestProvisionRefuses(t *testing.T) {
	for _, tc := range []struct {
		param string
		v     value.Value
		want  string
	}{
		{"db_url", value.MakeStr("mysql://x"), "kamgo has no database"},
		{"enable_dmq", value.MakeInt(1), "no dmq module"},
		{"dmq_init_sync", value.MakeInt(1), "no dmq module"},
		{"htable", value.MakeStr("a=>dbtable=x"), "needs a database"},
		{"htable", value.MakeStr("x=>size=2"), "already configured"},
	} {
		m := newModule()
		_ = m.SetParam("htable", value.MakeStr("x=>size=1"))
		if err := m.SetParam(tc.param, tc.v); err != nil {
			t.Fatal(err)
		}
		h, _ := pvtest.NewHost(m)
		if err := m.Provision(h); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%v: %v, want %q", tc.param, tc.v, err, tc.want)
		}
	}
}

// TestSht: $sht reads, writes and removes items; a table with initval
// reads it for a missing item; $shtinc/$shtdec count; values are 32-bit.
func TestSht(t *testing.T) {
	m, h, _ := setup(t, "a=>size=2", "n=>initval=10")
	c := h.Context()
	set(t, h, c, "$var(k)", value.MakeStr("key"))
	set(t, h, c, "$sht(a=>$var(k))", value.MakeStr("v1"))
	if v := get(t, h, c, "$sht(a=>key)"); v != value.MakeStr("v1") {
		t.Errorf("$sht(a=>key) = %v", v)
	}
	set(t, h, c, "$sht(a=>key)", value.MakeInt(5))
	if v := get(t, h, c, "$sht(a=>key)"); v != value.MakeInt(5) {
		t.Errorf("after int: %v", v)
	}
	if v := get(t, h, c, "$shtinc(a=>key)"); v != value.MakeInt(6) {
		t.Errorf("$shtinc = %v", v)
	}
	if v := get(t, h, c, "$shtdec(a=>key)"); v != value.MakeInt(5) {
		t.Errorf("$shtdec = %v", v)
	}
	if v := get(t, h, c, "$shtinc(a=>none)"); !v.IsNull() {
		t.Errorf("$shtinc of a missing item without initval = %v", v)
	}
	set(t, h, c, "$sht(a=>key)", value.NullValue)
	if v := get(t, h, c, "$sht(a=>key)"); !v.IsNull() {
		t.Errorf("after $null: %v", v)
	}
	if v := get(t, h, c, "$sht(n=>x)"); v != value.MakeInt(10) {
		t.Errorf("initval read = %v", v)
	}
	if v := get(t, h, c, "$shtinc(n=>x)"); v != value.MakeInt(11) {
		t.Errorf("initval inc = %v", v)
	}
	set(t, h, c, "$sht(n=>big)", value.MakeInt(2147483647))
	if v := get(t, h, c, "$shtinc(n=>big)"); v != value.MakeInt(-2147483648) {
		t.Errorf("32-bit wrap = %v", v)
	}
	set(t, h, c, "$sht(a=>s)", value.MakeStr("text"))
	if v := get(t, h, c, "$shtinc(a=>s)"); !v.IsNull() {
		t.Errorf("$shtinc of a string = %v", v)
	}
	if v := get(t, h, c, "$sht(nosuch=>k)"); !v.IsNull() {
		t.Errorf("missing table = %v", v)
	}
	r, _ := h.Ref("$sht(nosuch=>k)")
	if err := r.Set(c, value.MakeInt(1)); err == nil {
		t.Error("writing into a missing table succeeded")
	}
	for _, bad := range []string{"$sht(a)", "$sht(a=>)", "$sht(=>k)", "$sht(a=k)"} {
		if _, err := h.Ref(bad); err == nil {
			t.Errorf("%s compiled", bad)
		}
	}
	if n := m.byName["a"].Count(new(byte)); n != 1 {
		t.Errorf("count = %d", n)
	}
}

// TestExpiry: autoexpire, updateexpire, $shtex and the timer, on the fake
// clock: an item is gone once its expiry has passed, not before.
func TestExpiry(t *testing.T) {
	m, h, clock := setup(t, "e=>autoexpire=10", "f=>autoexpire=10;updateexpire=0", "p=>size=1")
	c := h.Context()
	set(t, h, c, "$sht(e=>a)", value.MakeInt(1))
	set(t, h, c, "$sht(f=>a)", value.MakeInt(1))
	clock.Advance(6 * time.Second)
	if v := get(t, h, c, "$shtex(e=>a)"); v != value.MakeInt(4) {
		t.Errorf("$shtex after 6s = %v", v)
	}
	set(t, h, c, "$sht(e=>a)", value.MakeInt(2)) // updateexpire restarts it
	set(t, h, c, "$sht(f=>a)", value.MakeInt(2)) // keeps it
	clock.Advance(5 * time.Second)
	if v := get(t, h, c, "$sht(e=>a)"); v != value.MakeInt(2) {
		t.Errorf("e after 11s = %v", v)
	}
	if v := get(t, h, c, "$sht(f=>a)"); !v.IsNull() {
		t.Errorf("f after 11s = %v (expired at 10)", v)
	}
	set(t, h, c, "$shtex(e=>a)", value.MakeInt(100))
	if v := get(t, h, c, "$shtex(e=>a)"); v != value.MakeInt(100) {
		t.Errorf("$shtex set = %v", v)
	}
	set(t, h, c, "$shtex(e=>a)", value.MakeInt(0))
	if v := get(t, h, c, "$shtex(e=>a)"); len(v.S) < 10 || v.I >= 0 {
		t.Errorf("$shtex of a never-expiring item = %v (Kamailio's unsigned 0-now, a negative int)", v)
	}
	// A table without autoexpire ignores $shtex.
	set(t, h, c, "$sht(p=>a)", value.MakeInt(1))
	set(t, h, c, "$shtex(p=>a)", value.MakeInt(1))
	if v := get(t, h, c, "$shtex(p=>a)"); v != value.MakeInt(0) {
		t.Errorf("$shtex without autoexpire = %v", v)
	}
	// The 5.6.3 quirk: a longer string replaces the item and loses the
	// expiry sht_setxs gives it.
	if rc := call(t, h, m, c, "sht_setxs", `"e"`, `"s"`, `"ab"`, "5"); rc != 1 {
		t.Fatalf("sht_setxs = %d", rc)
	}
	if v := get(t, h, c, "$shtex(e=>s)"); v != value.MakeInt(5) {
		t.Errorf("new item expiry = %v", v)
	}
	call(t, h, m, c, "sht_setxs", `"e"`, `"s"`, `"abcdef"`, "5")
	if v := get(t, h, c, "$shtex(e=>s)"); len(v.S) < 10 || v.I >= 0 {
		t.Errorf("replaced item expiry = %v, want never (0-now)", v)
	}
	// sht_setxi returns 0 in 5.6.3: the route ends.
	if rc := call(t, h, m, c, "sht_setxi", `"e"`, `"i"`, "7", "3"); rc != 0 {
		t.Errorf("sht_setxi = %d, want 0", rc)
	}
	if err := m.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Stop(t.Context())
	tb := m.byName["e"]
	before := tb.Count(new(byte))
	clock.Advance(19 * time.Second) // the timer runs at 20s
	if n := tb.Count(new(byte)); n != before {
		t.Errorf("items removed before the timer ran: %d -> %d", before, n)
	}
	clock.Advance(time.Second)
	if n := tb.Count(new(byte)); n != 2 { // "a" and "s" never expire
		t.Errorf("after the timer: %d items, want 2", n)
	}
}

// TestCount: $shtcn and $shtcv with each operator.
func TestCount(t *testing.T) {
	_, h, _ := setup(t, "a=>size=3")
	c := h.Context()
	for k, v := range map[string]value.Value{
		"alpha": value.MakeStr("one"), "alps": value.MakeStr("two"), "beta": value.MakeInt(7),
		"gamma": value.MakeInt(7), "Delta": value.MakeStr("one"),
	} {
		set(t, h, c, "$sht(a=>"+k+")", v)
	}
	for _, tc := range []struct {
		pv   string
		want int64
	}{
		{"$shtcn(a=>**)", 5},
		{"$shtcn(a=>~~^al)", 2},
		{"$shtcn(a=>^AL)", 2}, // no operator: a case-insensitive regular expression
		{"$shtcn(a=>%~al)", 2},
		{"$shtcn(a=>~%ta)", 2},
		{"$shtcn(a=>==beta)", 1},
		{"$shtcn(a=>eq7)", 0}, // eq counts values only
		{"$shtcv(a=>eq7)", 2},
		{"$shtcv(a=>==one)", 2},
		{"$shtcv(a=>~~o)", 3},
		{"$shtcv(a=>%~t)", 1},
		{"$shtcv(a=>~~)", 0},
	} {
		if v := get(t, h, c, tc.pv); v != value.MakeInt(tc.want) {
			t.Errorf("%s = %v, want %d", tc.pv, v, tc.want)
		}
	}
}

// TestFunctions: the removal and matching functions, with Kamailio's
// codes and log lines.
func TestFunctions(t *testing.T) {
	m, h, _ := setup(t, "a=>size=4")
	c := h.Context()
	fill := func() {
		for _, k := range []string{"one", "two", "three", "other"} {
			set(t, h, c, "$sht(a=>"+k+")", value.MakeStr("v-"+k))
		}
		set(t, h, c, "$sht(a=>num)", value.MakeInt(3))
	}
	count := func() int { return m.byName["a"].Count(new(byte)) }
	for _, tc := range []struct {
		fn   string
		args []string
		rc   int
		left int
		log  string
	}{
		{"sht_rm", []string{`"a"`, `"one"`}, 1, 4, ""},
		{"sht_rm", []string{`"nosuch"`, `"one"`}, -1, 5, "ERROR: <htable>: ki_ht_rm(): cannot get hash table [nosuch]"},
		{"sht_rm", []string{`"a"`, `""`}, -1, 5, "ERROR: <htable>: w_ht_rm(): cannot get the item table name"},
		{"sht_rm_name_re", []string{`"a=>^t"`}, 1, 3, ""},
		{"sht_rm_name_re", []string{`"nosuch=>^t"`}, 1, 5, ""},
		{"sht_rm_value_re", []string{`"a=>^V-O"`}, 1, 3, ""},
		{"sht_rm_name", []string{`"a"`, `"sw"`, `"o"`}, 1, 3, ""},
		{"sht_rm_name", []string{`"a"`, `"re"`, `"^O"`}, 1, 3, ""},
		{"sht_rm_value", []string{`"a"`, `"sw"`, `"v-t"`}, 1, 3, ""},
		{"sht_rm_name", []string{`"a"`, `"eq"`, `"one"`}, -1, 5, "WARNING: <htable>: ht_rm_items(): unsupported match operator: eq"},
		{"sht_rm_name", []string{`"a"`, `"re"`, `"("`}, -1, 5, "ERROR: <htable>: ht_rm_cell_re(): bad re ("},
		{"sht_match_name", []string{`"a"`, `"eq"`, `"two"`}, 1, 5, ""},
		{"sht_has_name", []string{`"a"`, `"eq"`, `"four"`}, -1, 5, ""},
		{"sht_has_name", []string{`"a"`, `"ne"`, `"two"`}, 1, 5, ""},
		{"sht_match_name", []string{`"a"`, `"sw"`, `"th"`}, 1, 5, ""},
		{"sht_match_name", []string{`"a"`, `"re"`, `"^T.*E"`}, 1, 5, ""},
		{"sht_match_str_value", []string{`"a"`, `"eq"`, `"v-two"`}, 1, 5, ""},
		{"sht_has_str_value", []string{`"a"`, `"eq"`, `"3"`}, -1, 5, ""},
		{"sht_match_name", []string{`"a"`, `"xx"`, `"two"`}, -1, 5, "WARNING: <htable>: ht_match_str_items(): unsupported match operator: xx"},
		{"sht_match_name", []string{`"nosuch"`, `"eq"`, `"two"`}, -1, 5, "ERROR: <htable>: ht_match_str_items(): cannot get hash table [nosuch]"},
		{"sht_inc", []string{`"a"`, `"num"`}, 1, 5, ""},
		{"sht_dec", []string{`"a"`, `"one"`}, -1, 5, "ERROR: <htable>: w_ht_add_opp(): failed updating $sht(a=>one)"},
		{"sht_inc", []string{`"a"`, `"new"`}, -1, 5, "ERROR: <htable>: w_ht_add_opp(): failed updating $sht(a=>new)"},
		{"sht_is_null", []string{`"a"`, `"one"`}, -1, 5, ""},
		{"sht_is_null", []string{`"a"`, `"zzz"`}, 1, 5, ""},
		{"sht_is_null", []string{`"x"`, `"zzz"`}, 2, 5, ""},
		{"sht_reset", []string{`"a"`}, 1, 0, ""},
		{"sht_reset", []string{`"nosuch"`}, -1, 5, "ERROR: <htable>: ht_reset_by_name(): cannot get hash table [nosuch]"},
	} {
		m.byName["a"].Reset(new(byte))
		fill()
		h.Lines()
		if rc := call(t, h, m, c, tc.fn, tc.args...); rc != tc.rc {
			t.Errorf("%s(%s) = %d, want %d", tc.fn, strings.Join(tc.args, ", "), rc, tc.rc)
		}
		if n := count(); n != tc.left {
			t.Errorf("%s(%s): %d items left, want %d", tc.fn, strings.Join(tc.args, ", "), n, tc.left)
		}
		var want []string
		if tc.log != "" {
			want = []string{tc.log}
		}
		if got := h.Lines(); !slices.Equal(got, want) {
			t.Errorf("%s(%s): log %q, want %q", tc.fn, strings.Join(tc.args, ", "), got, want)
		}
	}
	if _, err := h.Call(m, "sht_lock", `"nokey"`); err == nil {
		t.Error("sht_lock without table=>key compiled")
	}
}

// TestIterator walks a table, changes and removes items on the way, and
// checks the iterator limits.
func TestIterator(t *testing.T) {
	m, h, _ := setup(t, "a=>size=2")
	c := h.Context()
	for _, k := range []string{"k1", "k2", "k3", "k4", "k5"} {
		set(t, h, c, "$sht(a=>"+k+")", value.MakeStr(k))
	}
	if rc := call(t, h, m, c, "sht_iterator_start", `"i"`, `"a"`); rc != 1 {
		t.Fatalf("start = %d", rc)
	}
	var seen []string
	for range 10 {
		if call(t, h, m, c, "sht_iterator_next", `"i"`) < 0 {
			break
		}
		k := get(t, h, c, "$shtitkey(i)").S
		seen = append(seen, k)
		switch k {
		case "k2":
			call(t, h, m, c, "sht_iterator_seti", `"i"`, "42")
			if v := get(t, h, c, "$shtitval(i)"); v != value.MakeInt(42) {
				t.Errorf("$shtitval after seti = %v", v)
			}
			// The iterator holds the slot's lock; the same worker reads on.
			if v := get(t, h, c, "$sht(a=>k2)"); v != value.MakeInt(42) {
				t.Errorf("$sht while iterating = %v", v)
			}
		case "k3":
			call(t, h, m, c, "sht_iterator_sets", `"i"`, `"three"`)
		}
	}
	call(t, h, m, c, "sht_iterator_end", `"i"`)
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"k1", "k2", "k3", "k4", "k5"}) {
		t.Errorf("iterated %q", seen)
	}
	if v := get(t, h, c, "$sht(a=>k3)"); v != value.MakeStr("three") {
		t.Errorf("k3 = %v", v)
	}
	// Remove everything through the iterator.
	call(t, h, m, c, "sht_iterator_start", `"i"`, `"a"`)
	rc := call(t, h, m, c, "sht_iterator_next", `"i"`)
	for n := 0; rc == 1 && n < 10; n++ {
		rc = call(t, h, m, c, "sht_iterator_rm", `"i"`)
	}
	if rc != -2 {
		t.Errorf("last sht_iterator_rm = %d, want -2", rc)
	}
	if n := m.byName["a"].Count(new(byte)); n != 0 {
		t.Errorf("%d items left", n)
	}
	if v := get(t, h, c, "$shtitkey(i)"); !v.IsNull() {
		t.Errorf("$shtitkey after the end = %v", v)
	}
	call(t, h, m, c, "sht_iterator_end", `"i"`)
	h.Lines()
	// Limits: four iterators per worker, names under 32 bytes.
	for _, n := range []string{"a1", "a2", "a3", "a4"} {
		if rc := call(t, h, m, c, "sht_iterator_start", `"`+n+`"`, `"a"`); rc != 1 {
			t.Errorf("start %s = %d", n, rc)
		}
	}
	if rc := call(t, h, m, c, "sht_iterator_start", `"a5"`, `"a"`); rc != -1 {
		t.Errorf("fifth iterator = %d", rc)
	}
	call(t, h, m, c, "sht_iterator_end", `"a4"`)
	long := strings.Repeat("x", 32)
	call(t, h, m, c, "sht_iterator_start", `"`+long+`"`, `"a"`)
	call(t, h, m, c, "sht_iterator_rm", `"a1"`)
	call(t, h, m, c, "sht_iterator_next", `"zz"`)
	want := []string{
		"ERROR: <htable>: ht_iterator_start(): no iterator available - max number is 4",
		"ERROR: <htable>: ht_iterator_start(): iterator name is too big [" + long + "] (max 32)",
		"ERROR: <htable>: ht_iterator_rm(): iterator not used [a1]",
		"ERROR: <htable>: ht_iterator_next(): iterator not initialized [zz]",
	}
	if got := h.Lines(); !slices.Equal(got, want) {
		t.Errorf("log:\n%q\nwant\n%q", got, want)
	}
}

// TestLock: sht_lock is a lock its worker may take again; another worker
// waits for the last unlock. The order of events is checked, not time.
func TestLock(t *testing.T) {
	m, h, _ := setup(t, "a=>size=1")
	a, b := h.Context(), h.Context()
	lock, _ := h.Call(m, "sht_lock", `"a=>k"`)
	unlock, _ := h.Call(m, "sht_unlock", `"a=>k"`)
	lock(a)
	lock(a)
	set(t, h, a, "$sht(a=>k)", value.MakeInt(1)) // same worker: no wait
	mu := chanLog{ch: make(chan string, 10)}
	done := make(chan struct{})
	ref, err := h.Ref("$sht(a=>k)")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if err := ref.Set(b, value.MakeInt(2)); err != nil {
			t.Error(err)
		}
		mu.add("b wrote")
		close(done)
	}()
	unlock(a)
	mu.add("a unlocked once")
	unlock(a)
	<-done
	if got := mu.list(); !slices.Equal(got, []string{"a unlocked once", "b wrote"}) {
		t.Errorf("order %q", got)
	}
	if v := get(t, h, a, "$sht(a=>k)"); v != value.MakeInt(2) {
		t.Errorf("value = %v", v)
	}
	if rc := call(t, h, m, a, "sht_lock", `"nosuch=>k"`); rc != -11 {
		t.Errorf("sht_lock on a missing table = %d", rc)
	}
}

// chanLog is an ordered record of events from several goroutines.
type chanLog struct {
	ch chan string
	l  []string
}

func (c *chanLog) add(s string) { c.ch <- s }

func (c *chanLog) list() []string {
	for {
		select {
		case s := <-c.ch:
			c.l = append(c.l, s)
		default:
			return c.l
		}
	}
}

// TestPrint checks sht_print's lines for a small table.
func TestPrint(t *testing.T) {
	m, h, _ := setup(t, "p=>size=1")
	c := h.Context()
	set(t, h, c, "$sht(p=>k)", value.MakeStr("v"))
	h.Lines()
	call(t, h, m, c, "sht_print")
	got := h.Lines()
	if len(got) != 1+8+3 || got[0] != "ERROR: <htable>: ht_dbg(): htable[p] hid: 126 exp: 0>" {
		t.Errorf("sht_print:\n%s", strings.Join(got, "\n"))
	}
	if !slices.Contains(got, "ERROR: <htable>: ht_dbg(): \tv-s:v") || !slices.Contains(got, "ERROR: <htable>: ht_dbg(): \tcell: k") {
		t.Errorf("sht_print lacks the item:\n%s", strings.Join(got, "\n"))
	}
}
