package usrloc

import (
	"testing"

	"github.com/kamgo/kamgo/internal/fakeclock"
)

func testModule(ints map[string]int64) *Module {
	m := newModule()
	for k, v := range ints {
		m.ints[k] = v
	}
	m.SetClock(fakeclock.New())
	return m
}

func uris(r *Record) []string {
	var out []string
	for _, c := range r.Contacts {
		out = append(out, c.URI)
	}
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOrder: contacts by q, best first, a new one after those of its q;
// a refresh that changes q moves the contact to its place; with
// desc_time_order the newest (inserted or refreshed) comes first.
func TestOrder(t *testing.T) {
	m := testModule(nil)
	d := m.Register("location")
	d.With("alice", func(r *Record, exists bool) {
		if exists {
			t.Fatal("new record exists")
		}
		r.Insert(&Info{URI: "a", Q: 500})
		r.Insert(&Info{URI: "b", Q: -1})
		r.Insert(&Info{URI: "c", Q: 1000})
		r.Insert(&Info{URI: "d", Q: 500})
		if got := uris(r); !eq(got, []string{"c", "a", "d", "b"}) {
			t.Errorf("inserted: %v", got)
		}
		r.Update(r.Contacts[3], &Info{URI: "b", Q: 900})
		if got := uris(r); !eq(got, []string{"c", "b", "a", "d"}) {
			t.Errorf("b raised to 0.9: %v", got)
		}
		r.Update(r.Contacts[0], &Info{URI: "c", Q: 0})
		if got := uris(r); !eq(got, []string{"b", "a", "d", "c"}) {
			t.Errorf("c lowered to 0: %v", got)
		}
	})
	m = testModule(map[string]int64{"desc_time_order": 1})
	d = m.Register("location")
	d.With("alice", func(r *Record, _ bool) {
		r.Insert(&Info{URI: "a", Q: 1000})
		r.Insert(&Info{URI: "b", Q: 0})
		r.Update(r.Contacts[1], &Info{URI: "a", Q: 1000})
		if got := uris(r); !eq(got, []string{"a", "b"}) {
			t.Errorf("desc_time_order: %v", got)
		}
	})
}

// TestFind: matching by contact (matching_mode 0), with the CSeq rules
// for the same Call-ID: lower is refused, equal is a retransmission
// within cseq_delay and refused after; a +sip.instance matches by
// instance and reg-id, angle brackets ignored.
func TestFind(t *testing.T) {
	m := testModule(nil)
	d := m.Register("location")
	now := m.Now()
	d.With("alice", func(r *Record, _ bool) {
		r.Insert(&Info{URI: "sip:a@h", CallID: "c1", CSeq: 5, LastModified: now})
		r.Insert(&Info{URI: "sip:i@h", CallID: "c2", CSeq: 1, Instance: "<urn:x>", RegID: 1})
		for _, tc := range []struct {
			ci   Info
			at   int64
			want int
		}{
			{Info{URI: "sip:a@h", CallID: "c1", CSeq: 6}, now, Found},
			{Info{URI: "sip:a@h", CallID: "c1", CSeq: 4}, now, BadCSeq},
			{Info{URI: "sip:a@h", CallID: "c1", CSeq: 5}, now + 19, Retransmit},
			{Info{URI: "sip:a@h", CallID: "c1", CSeq: 5}, now + 20, BadCSeq},
			{Info{URI: "sip:a@h", CallID: "other", CSeq: 1}, now, Found},
			{Info{URI: "sip:b@h", CallID: "c1", CSeq: 9}, now, NotFound},
			{Info{URI: "sip:new@h", Instance: "urn:x", RegID: 1}, now, Found},
			{Info{URI: "sip:i@h", Instance: "<urn:x>", RegID: 2}, now, NotFound},
		} {
			if _, got := r.Find(&tc.ci, tc.at); got != tc.want {
				t.Errorf("Find(%+v) at +%d = %d, want %d", tc.ci, tc.at-now, got, tc.want)
			}
		}
	})
	m = testModule(map[string]int64{"matching_mode": MatchContactCallID})
	d = m.Register("location")
	d.With("alice", func(r *Record, _ bool) {
		r.Insert(&Info{URI: "sip:a@h", CallID: "c1", CSeq: 5})
		if _, got := r.Find(&Info{URI: "sip:a@h", CallID: "c2", CSeq: 1}, now); got != NotFound {
			t.Errorf("matching_mode 1, other Call-ID: %d", got)
		}
	})
}

// TestRecordLifetime: a record left without contacts is dropped; ByRuid
// finds a contact in its hash slot; expire removes only expired contacts
// (expires 0 never expires).
func TestRecordLifetime(t *testing.T) {
	m := testModule(nil)
	d := m.Register("location")
	now := m.Now()
	var ruid string
	d.With("alice", func(r *Record, _ bool) {
		ruid = m.NewRuid()
		r.Insert(&Info{URI: "a", Ruid: ruid, Expires: now + 10})
		r.Insert(&Info{URI: "b", Ruid: m.NewRuid(), Expires: 0})
		r.Insert(&Info{URI: "c", Ruid: m.NewRuid(), Expires: now + 100})
	})
	d.With("bob", func(r *Record, _ bool) {})
	if n := d.Count(); n != 1 {
		t.Fatalf("records: %d", n)
	}
	if !d.ByRuid(AORHash("alice"), ruid, func(r *Record, c *Contact) {
		if c.URI != "a" || r.AOR != "alice" {
			t.Errorf("ByRuid: %s %s", r.AOR, c.URI)
		}
	}) {
		t.Fatal("ByRuid found nothing")
	}
	if d.ByRuid(AORHash("bob"), ruid, func(*Record, *Contact) {}) {
		t.Error("ByRuid found a contact in another slot")
	}
	got := d.expire(now+10, nil)
	if len(got) != 1 || got[0].URI != "a" {
		t.Fatalf("expired: %+v", got)
	}
	d.With("alice", func(r *Record, _ bool) {
		if u := uris(r); !eq(u, []string{"b", "c"}) {
			t.Errorf("left: %v", u)
		}
	})
	d.expire(now+1000, nil)
	if n := d.Count(); n != 1 {
		t.Errorf("the permanent contact was removed: %d records", n)
	}
}

// TestConcurrent: workers saving, reading and the expiry timer share the
// tables (run with -race).
func TestConcurrent(t *testing.T) {
	m := testModule(map[string]int64{"hash_size": 2})
	m.size = 4
	d := m.Register("location")
	now := m.Now()
	done := make(chan bool)
	for w := 0; w < 8; w++ {
		go func(w int) {
			for i := 0; i < 200; i++ {
				aor := string(rune('a' + (w+i)%5))
				d.With(aor, func(r *Record, _ bool) {
					if c, res := r.Find(&Info{URI: aor, CallID: "x", CSeq: i + 1}, now); res == Found {
						r.Update(c, &Info{URI: aor, CallID: "x", CSeq: i + 1, Expires: now + int64(i%3)})
					} else if res == NotFound {
						r.Insert(&Info{URI: aor, CallID: "x", CSeq: i + 1, Expires: now + int64(i%3), Ruid: m.NewRuid()})
					}
				})
				if i%50 == 0 {
					d.expire(now+1, nil)
				}
			}
			done <- true
		}(w)
	}
	for w := 0; w < 8; w++ {
		<-done
	}
	d.expire(now+10, nil)
	if n := d.Count(); n != 0 {
		t.Errorf("%d records left after every contact expired", n)
	}
}
