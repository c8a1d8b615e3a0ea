package catalog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/routetype"
)

// evapiImpl is what kamgo's evapi declares: 5.6's exports, two parameters
// of 5.7, three of the development branch and kamgo's own.
func evapiImpl() Impl {
	return Impl{
		Module: "evapi",
		Funcs: []ImplFunc{
			{Name: "evapi_relay", Min: 1, Max: 1},
			{Name: "evapi_close", Min: 0, Max: 1},
			{Name: "evapi_fanout", Min: 1, Max: 1, Ext: "kamgo", Routes: routetype.Any},
		},
		Params: []ImplParam{
			{Name: "workers", Type: Int},
			{Name: "wait_idle", Type: Int, Ext: "Kamailio 5.7"},
			{Name: "wait_increase", Type: Int, Ext: "Kamailio 5.7"},
			{Name: "send_task_timeout", Type: Int, Ext: "Kamailio development branch (after 6.1)"},
			{Name: "max_frame_size", Type: Int, Ext: "kamgo"},
		},
		PVs:    []ImplPV{{Name: "evapi"}},
		Events: []string{"evapi:message-received"},
	}
}

func TestJoinOnTwoReleases(t *testing.T) {
	for _, r := range []string{"5.6", "5.7", "6.1"} {
		base := load(t, r)
		j, problems := base.Join([]Impl{evapiImpl()})
		if len(problems) > 0 {
			t.Errorf("%s: problems %v", r, problems)
		}
		if j.Release() != r {
			t.Errorf("joined release %s, want %s", j.Release(), r)
		}
		m := j.Module("evapi")
		if !m.Runs || base.Module("evapi").Runs {
			t.Errorf("%s: Runs on the joined module only", r)
		}
		wait := m.Param("wait_idle")
		if r == "5.6" {
			// An addition: the 5.6 catalog says where it comes from.
			if wait == nil || wait.Ext != "Kamailio 5.7" || !wait.Runs {
				t.Errorf("5.6: wait_idle = %+v", wait)
			}
		} else if wait == nil || wait.Ext != "" || !wait.Runs {
			// An ordinary fact of 5.7 and later.
			t.Errorf("%s: wait_idle = %+v", r, wait)
		}
		if p := m.Param("send_task_timeout"); p == nil || p.Ext == "" {
			t.Errorf("%s: send_task_timeout = %+v, want an addition", r, p)
		}
		if p := m.Param("netstring_format"); p == nil || p.Runs {
			t.Errorf("%s: netstring_format = %+v, want a fact not run", r, p)
		}
		fs := j.Func("evapi_fanout")
		if len(fs) != 1 || fs[0].Ext != "kamgo" || !fs[0].Forms[0].Runs {
			t.Errorf("%s: evapi_fanout = %+v", r, fs)
		}
		if len(base.Func("evapi_fanout")) != 0 {
			t.Errorf("%s: Join changed its receiver", r)
		}
		if f := j.Func("evapi_relay"); len(f) != 1 || !f[0].Forms[0].Runs {
			t.Errorf("%s: evapi_relay = %+v", r, f)
		}
		if pv := j.PVClass("evapi"); pv == nil || !pv.Runs || pv != m.PVs[0] {
			t.Errorf("%s: $evapi = %+v", r, pv)
		}
		if mods := j.Modules(); mods[indexOf(mods, "evapi")] != m {
			t.Errorf("%s: Modules() does not hold the joined module", r)
		}
	}
}

func indexOf(mods []*Module, name string) int {
	for i, m := range mods {
		if m.Name == name {
			return i
		}
	}
	return -1
}

func TestJoinProblemsDependOnRelease(t *testing.T) {
	impl := Impl{Module: "evapi", Params: []ImplParam{
		// Claimed for 5.7, but 5.7 has no such parameter.
		{Name: "context_mlimit", Type: Int, Ext: "Kamailio 5.7"},
		// Marked newer than 5.6 although 5.6 has it.
		{Name: "workers", Type: Int, Ext: "kamgo"},
	}}
	_, p56 := load(t, "5.6").Join([]Impl{impl})
	want56 := []string{`evapi: parameter workers is marked "kamgo" but Kamailio 5.6.3 exports it`}
	if !reflect.DeepEqual(p56, want56) {
		t.Errorf("5.6 problems %q, want %q", p56, want56)
	}
	_, p58 := load(t, "5.8").Join([]Impl{impl})
	want58 := []string{
		`evapi: parameter context_mlimit is marked "Kamailio 5.7" but Kamailio 5.8.8 does not export it`,
		`evapi: parameter workers is marked "kamgo" but Kamailio 5.8.8 exports it`,
	}
	if !reflect.DeepEqual(p58, want58) {
		t.Errorf("5.8 problems %q, want %q", p58, want58)
	}
	_, p := load(t, "6.1").Join([]Impl{{Module: "no_such_module"}, {Module: "evapi", Funcs: []ImplFunc{{Name: "evapi_relay", Min: 1, Max: 2}}}})
	if len(p) != 2 || !strings.Contains(p[0], "evapi_relay takes 2 arguments") || !strings.Contains(p[1], "not a module of Kamailio 6.1.4") {
		t.Errorf("6.1 problems %q", p)
	}
	// A module Debian does not ship is not in Load's catalog.
	if _, p := Load().Join([]Impl{{Module: "osp"}}); len(p) != 1 {
		t.Errorf("Load().Join(osp) problems %q", p)
	}
	if _, p := load(t, "5.6").Join([]Impl{{Module: "osp"}}); len(p) != 0 {
		t.Errorf("LoadRelease(5.6).Join(osp) problems %q", p)
	}
}

func TestJoinTwice(t *testing.T) {
	c := load(t, "5.6")
	j1, _ := c.Join([]Impl{evapiImpl()})
	j2, problems := j1.Join([]Impl{evapiImpl()})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if fs := j2.Func("evapi_fanout"); len(fs) != 1 {
		t.Errorf("evapi_fanout listed %d times after two joins", len(fs))
	}
	if j2.Module("evapi") == j1.Module("evapi") {
		t.Error("the second join must not mark the first one's module")
	}
}

func TestJoinCorePV(t *testing.T) {
	c := load(t, "6.0")
	j, problems := c.Join([]Impl{{Module: "pv", PVs: []ImplPV{{Name: "rc"}}}})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if pv := j.PVClass("rc"); pv == nil || pv.Module != "core" || !pv.Runs {
		t.Errorf("$rc = %+v", pv)
	}
	if c.PVClass("rc").Runs {
		t.Error("Join changed the receiver's core class")
	}
}

// TestJoinLaterForm: a form a later release exports (cfgutils' lock with
// two keys, from 6.0) joins without a problem and runs where the release
// has it; a form no release exports is a problem.
func TestJoinLaterForm(t *testing.T) {
	impl := []Impl{{Module: "cfgutils", Funcs: []ImplFunc{{Name: "lock", Min: 1, Max: 2}}}}
	for _, r := range []string{"5.6", "6.0"} {
		j, problems := load(t, r).Join(impl)
		if len(problems) > 0 {
			t.Errorf("%s: %v", r, problems)
		}
		_, has2 := j.Module("cfgutils").fn("lock").Accepts(2)
		if has2 != (r == "6.0") {
			t.Errorf("%s: lock/2 in the joined catalog: %v", r, has2)
		}
	}
	impl[0].Funcs[0].Max = 3
	if _, problems := load(t, "6.1").Join(impl); len(problems) != 1 {
		t.Errorf("lock/3: problems %v", problems)
	}
}
