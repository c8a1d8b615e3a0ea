package cfgvars

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// newTestStore declares what Kamailio's recorded session used: a module
// style group with a range and a configuration file group with an
// instance.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s := New(nil)
	_, err := s.Declare("core", []Def{
		{Name: "debug", Type: Int, Descr: "log level"},
		{Name: "udp_mtu", Type: Int, Max: 65535},
		{Name: "udp_mtu_try_proto", Type: Int, Min: 1, Max: 4},
		{Name: "log_facility", Type: Int, Input: Str, Fixup: func(v value.Value) (value.Value, error) {
			if v.S == "LOG_LOCAL0" {
				return value.MakeInt(128), nil
			}
			return v, errors.New("bad facility")
		}},
	}, []value.Value{value.MakeInt(2), value.MakeInt(0), value.MakeInt(0), value.MakeInt(24)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		g, n string
		v    value.Value
		desc string
	}{
		{"grp", "a", value.MakeInt(10), "a"},
		{"grp", "b", value.MakeStr("x"), ""},
		{"pstn", "gw_ip", value.MakeStr("1.2.3.4"), "PSTN gateway"},
	} {
		if err := s.DeclareVar(d.g, d.n, d.v, d.desc); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddInstance("grp", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNow(Target{Group: "grp", ID: 3, Inst: true}, "a", value.MakeInt(30)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInstance("grp", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNow(Target{Group: "grp", ID: 1, Inst: true}, "b", value.MakeStr("one")); err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, s *Store, target, name string) string {
	t.Helper()
	tg, err := ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Get(tg, name)
	if err != nil {
		return "error: " + err.Error()
	}
	return value.ToStr(v)
}

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Target
		err  bool
	}{
		{in: "grp", want: Target{Group: "grp"}},
		{in: "grp[3]", want: Target{Group: "grp", ID: 3, Inst: true}},
		{in: "a[b[4]", want: Target{Group: "a[b", ID: 4, Inst: true}},
		{in: "", want: Target{}},
		{in: "grp[x]", err: true},
		{in: "grp[]", err: true},
		{in: "[1]", err: true},
		{in: "grp]", err: true},
		{in: "grp[-1]", err: true},
		{in: "grp[4294967296]", err: true},
	} {
		got, err := ParseTarget(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseTarget(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestSetNowConversionsAndRanges(t *testing.T) {
	s := newTestStore(t)
	core := Target{Group: "core"}
	pstn := Target{Group: "pstn"}
	for _, c := range []struct {
		t    Target
		name string
		v    value.Value
		err  error
		read string
	}{
		{t: pstn, name: "gw_ip", v: value.MakeInt(42), read: "42"},
		{t: core, name: "debug", v: value.MakeStr("3"), read: "3"},
		{t: core, name: "debug", v: value.MakeStr("abc"), err: ErrConvert, read: "3"},
		{t: core, name: "debug", v: value.MakeStr(""), err: ErrConvert, read: "3"},
		{t: core, name: "debug", v: value.MakeStr("4x"), err: ErrConvert, read: "3"},
		{t: core, name: "debug", v: value.MakeInt(1 << 32), read: "0"},
		{t: core, name: "udp_mtu", v: value.MakeInt(70000), err: ErrRange, read: "0"},
		{t: core, name: "udp_mtu", v: value.MakeInt(-1), err: ErrRange, read: "0"},
		{t: core, name: "udp_mtu", v: value.MakeInt(1400), read: "1400"},
		{t: core, name: "udp_mtu_try_proto", v: value.MakeInt(0), err: ErrRange, read: "0"},
		{t: core, name: "nope", v: value.MakeInt(0), err: ErrNotFound},
		{t: Target{Group: "nope"}, name: "x", v: value.MakeInt(0), err: ErrNotFound},
		{t: Target{Group: "grp", ID: 9, Inst: true}, name: "a", v: value.MakeInt(1), err: ErrNotFound},
	} {
		err := s.SetNow(c.t, c.name, c.v)
		if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("SetNow(%v, %s, %v) = %v, want %v", c.t, c.name, c.v, err, c.err)
		}
		if c.read != "" {
			if got := get(t, s, c.t.String(), c.name); got != c.read {
				t.Errorf("after SetNow(%v, %s, %v): %s, want %s", c.t, c.name, c.v, got, c.read)
			}
		}
	}
	// A variable with a fixup takes values through it and is not read back.
	if err := s.SetNow(core, "log_facility", value.MakeStr("LOG_LOCAL0")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNow(core, "log_facility", value.MakeStr("LOG_NOPE")); err == nil {
		t.Error("a value the fixup refuses was taken")
	}
	if _, _, err := s.Get(core, "log_facility"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Get(log_facility) = %v, want ErrUnreadable", err)
	}
}

func TestInstancesFollowTheGroup(t *testing.T) {
	s := newTestStore(t)
	grp := Target{Group: "grp"}
	if err := s.SetNow(grp, "a", value.MakeInt(11)); err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{{"grp", "a"}: "11", {"grp[1]", "a"}: "11", {"grp[3]", "a"}: "30", {"grp[1]", "b"}: "one", {"grp[3]", "b"}: "x"}
	check := func(when string) {
		t.Helper()
		for k, w := range want {
			if got := get(t, s, k[0], k[1]); got != w {
				t.Errorf("%s: %s.%s = %s, want %s", when, k[0], k[1], got, w)
			}
		}
	}
	check("after set")
	if err := s.DelNow(Target{Group: "grp", ID: 3, Inst: true}, "a"); err != nil {
		t.Fatal(err)
	}
	want[[2]string{"grp[3]", "a"}] = "11"
	check("after del")
	if err := s.SetNow(grp, "a", value.MakeInt(12)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"grp", "grp[1]", "grp[3]"} {
		want[[2]string{k, "a"}] = "12"
	}
	check("a deleted value follows the group again")
	if err := s.DelNow(grp, "a"); !errors.Is(err, ErrSyntax) {
		t.Errorf("DelNow on the group = %v, want ErrSyntax", err)
	}

	if err := s.AddInstance("grp", 5); err != nil {
		t.Fatal(err)
	}
	if err := s.AddInstance("grp", 5); err != nil {
		t.Errorf("adding an existing instance: %v", err)
	}
	if got := get(t, s, "grp[5]", "a"); got != "12" {
		t.Errorf("new instance a = %s, want the group's 12", got)
	}
	if got := s.Instances("grp"); fmt.Sprint(got) != "[1 3 5]" {
		t.Errorf("Instances = %v", got)
	}
	if err := s.DelInstance("grp", 5); err != nil {
		t.Fatal(err)
	}
	if err := s.DelInstance("grp", 5); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a missing instance: %v", err)
	}
	if err := s.AddInstance("nope", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("instance of a missing group: %v", err)
	}
}

func TestDelayedCommitRollbackDiff(t *testing.T) {
	s := newTestStore(t)
	x := s.NewCtx()
	grp := Target{Group: "grp"}
	g1 := Target{Group: "grp", ID: 1, Inst: true}
	g3 := Target{Group: "grp", ID: 3, Inst: true}
	steps := []error{
		x.SetDelayed(g3, "a", value.MakeInt(33)),
		x.SetDelayed(Target{Group: "pstn"}, "gw_ip", value.MakeStr("5.5.5.5")),
		x.SetDelayed(grp, "a", value.MakeInt(11)),
		x.DelDelayed(g1, "b"),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if err := x.SetDelayed(Target{Group: "nope"}, "a", value.MakeInt(1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("delayed set of a missing group: %v", err)
	}
	diff, err := x.Diff()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range diff {
		got = append(got, fmt.Sprintf("%s.%s %s->%s", c.Target, c.Var, value.ToStr(c.Old), value.ToStr(c.New)))
	}
	// Grouped by group in first-seen order; the group before its
	// instances, instances by id.
	want := "[grp.a 10->11 grp[1].b one->x grp[3].a 30->33 pstn.gw_ip 1.2.3.4->5.5.5.5]"
	if fmt.Sprint(got) != want {
		t.Errorf("Diff = %v\nwant   %s", got, want)
	}
	if v := get(t, s, "grp", "a"); v != "10" {
		t.Errorf("before commit grp.a = %s", v)
	}
	if err := x.Commit(); err != nil {
		t.Fatal(err)
	}
	for k, w := range map[[2]string]string{{"grp", "a"}: "11", {"grp[1]", "a"}: "11", {"grp[1]", "b"}: "x", {"grp[3]", "a"}: "33", {"pstn", "gw_ip"}: "5.5.5.5"} {
		if v := get(t, s, k[0], k[1]); v != w {
			t.Errorf("after commit %s.%s = %s, want %s", k[0], k[1], v, w)
		}
	}
	if d, _ := x.Diff(); len(d) != 0 {
		t.Errorf("diff after commit: %v", d)
	}

	// A change for a missing instance fails the diff and the commit, and
	// stays until a rollback.
	if err := x.SetDelayed(Target{Group: "grp", ID: 7, Inst: true}, "a", value.MakeInt(1)); err != nil {
		t.Fatal(err)
	}
	if err := x.SetDelayed(grp, "a", value.MakeInt(99)); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Diff(); !errors.Is(err, ErrNotFound) {
		t.Errorf("diff with a missing instance: %v", err)
	}
	if err := x.Commit(); !errors.Is(err, ErrNotFound) {
		t.Errorf("commit with a missing instance: %v", err)
	}
	if v := get(t, s, "grp", "a"); v != "11" {
		t.Errorf("a failed commit changed grp.a to %s", v)
	}
	x.Rollback()
	if d, err := x.Diff(); err != nil || len(d) != 0 {
		t.Errorf("diff after rollback: %v %v", d, err)
	}
	if err := x.Commit(); err != nil {
		t.Errorf("empty commit: %v", err)
	}
}

func TestOnChangeRunsForTheGroupOnly(t *testing.T) {
	s := New(nil)
	var seen []int64
	g, err := s.Declare("core", []Def{{Name: "debug", Type: Int, OnChange: func(v value.Value) { seen = append(seen, v.I) }}},
		[]value.Value{value.MakeInt(2)})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.AddInstance(g.Name(), 1)
	_ = s.SetNow(Target{Group: "core"}, "debug", value.MakeInt(3))
	_ = s.SetNow(Target{Group: "core", ID: 1, Inst: true}, "debug", value.MakeInt(4))
	x := s.NewCtx()
	_ = x.SetDelayed(Target{Group: "core"}, "debug", value.MakeInt(1))
	if len(seen) != 1 {
		t.Errorf("a delayed change ran OnChange before the commit: %v", seen)
	}
	_ = x.Commit()
	if fmt.Sprint(seen) != "[3 1]" {
		t.Errorf("OnChange saw %v, want [3 1]", seen)
	}
}

func TestDeclarations(t *testing.T) {
	s := newTestStore(t)
	if err := s.DeclareVar("core", "x", value.MakeInt(1), ""); !errors.Is(err, ErrDeclared) {
		t.Errorf("a file variable in the core group: %v", err)
	}
	if err := s.DeclareVar("grp", "a", value.MakeInt(1), ""); !errors.Is(err, ErrDeclared) {
		t.Errorf("a variable declared twice: %v", err)
	}
	if _, err := s.Declare("grp", []Def{{Name: "z", Type: Int}}, []value.Value{value.MakeInt(0)}); !errors.Is(err, ErrDeclared) {
		t.Errorf("a module group with a file group's name: %v", err)
	}
	if _, err := s.Declare("tm", []Def{{Name: "z", Type: Int}, {Name: "z", Type: Int}}, []value.Value{value.MakeInt(0), value.MakeInt(0)}); !errors.Is(err, ErrDeclared) {
		t.Errorf("a variable twice in a module group: %v", err)
	}
	if _, err := s.Declare("tm", []Def{{Name: "fr_timer", Type: Int}}, []value.Value{value.MakeStr("30")}); err != nil {
		t.Fatal(err)
	}
	// A variable declared after the instance exists gets the declared
	// value in the instance too.
	if err := s.DeclareVar("grp", "c", value.MakeStr("late"), ""); err != nil {
		t.Fatal(err)
	}
	if v := get(t, s, "grp[3]", "c"); v != "late" {
		t.Errorf("grp[3].c = %s", v)
	}
	var names []string
	for _, g := range s.Groups() {
		names = append(names, g.Name())
	}
	// Kamailio lists the module groups, the core, then the file's groups,
	// each the last declared first.
	if fmt.Sprint(names) != "[tm core pstn grp]" {
		t.Errorf("Groups = %v", names)
	}
	d, err := s.Help("pstn", "gw_ip")
	if err != nil || d.Descr != "PSTN gateway" || d.Type != Str {
		t.Errorf("Help = %+v, %v", d, err)
	}
	if v, err := s.Declared("grp", "a"); err != nil || v.I != 10 {
		t.Errorf("Declared(grp.a) = %v, %v", v, err)
	}
	if _, err := s.Declared("core", "log_facility"); !errors.Is(err, ErrUnreadable) {
		t.Errorf("Declared(log_facility) = %v", err)
	}
}

// TestViewSnapshot: an event keeps the values it first read, its instance
// selection ends with it, and the next event sees the changes.
func TestViewSnapshot(t *testing.T) {
	s := newTestStore(t)
	g, _ := s.Group("grp")
	a, _ := g.Var("a")
	c := &event.Context{}
	if got := s.Int(c, g, a); got != 10 {
		t.Fatalf("a = %d", got)
	}
	if err := s.SetNow(Target{Group: "grp"}, "a", value.MakeInt(20)); err != nil {
		t.Fatal(err)
	}
	if got := s.Int(c, g, a); got != 10 {
		t.Errorf("a changed within the event: %d", got)
	}
	v := s.View(c)
	if err := v.Select(g, 3); err != nil {
		t.Fatal(err)
	}
	if got := s.Int(c, g, a); got != 30 {
		t.Errorf("selected instance a = %d", got)
	}
	if id, ok := v.Selected(g); !ok || id != 3 {
		t.Errorf("Selected = %d %v", id, ok)
	}
	if err := v.Select(g, 9); err == nil || err.Error() != "group instance 'grp[9]' does not exist" {
		t.Errorf("Select(9) = %v", err)
	}
	v.Reset(g)
	if got := s.Int(c, g, a); got != 10 {
		t.Errorf("after reset a = %d", got)
	}
	_ = v.Select(g, 3)
	c.Reset()
	if got := s.Int(c, g, a); got != 20 {
		t.Errorf("next event a = %d, want the new 20 from the group", got)
	}
	if _, ok := s.View(c).Selected(g); ok {
		t.Error("the selection outlived its event")
	}
	b, _ := g.Var("b")
	if got := s.Str(nil, g, b); got != "x" {
		t.Errorf("Str without event = %q", got)
	}
}

// TestConcurrentReaders runs events that each read two variables a writer
// keeps equal, under -race: an event never sees a half-applied commit.
func TestConcurrentReaders(t *testing.T) {
	s := New(nil)
	g, err := s.Declare("pair", []Def{{Name: "x", Type: Int}, {Name: "y", Type: Int}}, []value.Value{value.MakeInt(0), value.MakeInt(0)})
	if err != nil {
		t.Fatal(err)
	}
	xi, _ := g.Var("x")
	yi, _ := g.Var("y")
	const writes, readers, events = 200, 4, 300
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		x := s.NewCtx()
		for n := 1; n <= writes; n++ {
			_ = x.SetDelayed(Target{Group: "pair"}, "x", value.MakeInt(int64(n)))
			_ = x.SetDelayed(Target{Group: "pair"}, "y", value.MakeInt(int64(n)))
			if err := x.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	errs := make(chan string, readers)
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &event.Context{}
			for e := 0; e < events; e++ {
				c.Reset()
				vx := s.Int(c, g, xi)
				vy := s.Int(c, g, yi)
				if vx != vy {
					errs <- fmt.Sprintf("event saw x=%d y=%d", vx, vy)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if v := s.Int(nil, g, xi); v != writes {
		t.Errorf("final x = %d", v)
	}
}

func TestUnregistered(t *testing.T) {
	s := newTestStore(t)
	for group, want := range map[string]string{"tm": "tm", "tcp": "core", "core": "", "grp": "", "nope": ""} {
		by, ok := s.Unregistered(group)
		if by != want || ok != (want != "") {
			t.Errorf("Unregistered(%s) = %q %v, want %q", group, by, ok, want)
		}
	}
}
