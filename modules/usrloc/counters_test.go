package usrloc_test

import (
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/fakeclock"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// TestCounters: registered_users and each table's users, contacts and
// expires follow the tables, those made after load included.
func TestCounters(t *testing.T) {
	src := "loadmodule \"usrloc.so\"\nmodparam(\"usrloc\", \"preload\", \"location\")\nrequest_route {\n\tdrop;\n}\n"
	cfg, diags, _ := check.AnalyzeSource("u.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		t.Fatalf("check: %v", diags.Error())
	}
	srv, ld := server.Load(cfg, server.Options{})
	if ld.HasErrors() {
		t.Fatalf("load: %v", ld.Error())
	}
	inst, _ := srv.Module("usrloc")
	m := inst.(*usrloc.Module)
	clock := fakeclock.New()
	m.SetClock(clock)
	r := srv.Counters()
	value := func(name string) int64 {
		t.Helper()
		c, ok := r.Lookup("usrloc", name)
		if !ok {
			t.Fatalf("no counter usrloc:%s", name)
		}
		return c.Value()
	}
	add := func(d *usrloc.Domain, aor, uri string, expires int64) {
		d.With(aor, func(rec *usrloc.Record, _ bool) {
			rec.Insert(&usrloc.Info{URI: uri, Expires: expires, CallID: uri})
		})
	}
	loc, _ := m.Domain("location")
	now := m.Now()
	add(loc, "alice", "sip:a1@h", now+10)
	add(loc, "alice", "sip:a2@h", now+100)
	add(loc, "bob", "sip:b@h", now+10)
	// A table registered after load (as registrar's fixups do).
	aliases := m.Register("aliases")
	add(aliases, "carol", "sip:c@h", now+100)
	var got []string
	for _, c := range r.Vars("usrloc") {
		got = append(got, c.Name())
	}
	want := []string{"aliases_contacts", "aliases_expires", "aliases_users", "location_contacts", "location_expires", "location_users", "registered_users"}
	if len(got) != len(want) {
		t.Fatalf("counters %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("counters %v, want %v", got, want)
		}
	}
	check := func(when string, w map[string]int64) {
		t.Helper()
		for n, v := range w {
			if got := value(n); got != v {
				t.Errorf("%s: %s = %d, want %d", when, n, got, v)
			}
		}
	}
	check("registered", map[string]int64{"registered_users": 3, "location_users": 2, "location_contacts": 3,
		"location_expires": 0, "aliases_users": 1, "aliases_contacts": 1})
	clock.Advance(20 * time.Second)
	m.Expire()
	check("expired", map[string]int64{"registered_users": 2, "location_users": 1, "location_contacts": 1,
		"location_expires": 2, "aliases_expires": 0})
	// users and contacts cannot be reset; expires can.
	for _, n := range []string{"location_users", "location_contacts", "location_expires", "registered_users"} {
		c, _ := r.Lookup("usrloc", n)
		c.Reset()
	}
	check("reset", map[string]int64{"registered_users": 2, "location_users": 1, "location_contacts": 1, "location_expires": 0})
	var _ counters.Registrant = m
}
