package htable

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/corehash"
)

// Table is one hash table. Its items live in 2^size slots chosen by
// Kamailio's case-insensitive core hash of the item name; inside a slot
// items are kept in the order Kamailio keeps them (by hash, then by
// insertion), so that dumps list them the same way. Every access to a
// slot holds its lock.
type Table struct {
	Name         string
	autoexpire   int64 // seconds; 0: items never expire
	updateExpire bool  // a write restarts the item's autoexpire
	hasInit      bool  // initval given: missing items read as initVal
	initVal      int64
	sizeBits     int64
	nslots       int
	dbtable      string
	cols         string
	dbmode       int64
	dmqReplicate int64

	htid   uint32
	evName string // event_route[htable:expired:NAME]
	m      *Module
	slots  []slot
}

// slot is one slot: its lock and its items.
type slot struct {
	lock  slotLock
	cells []*cell
}

// cell is one item. expire is a time in Unix seconds, 0 for never; a
// table without autoexpire keeps whatever the writes computed, as
// Kamailio does, but never expires it.
type cell struct {
	id     uint32
	name   string
	isStr  bool
	s      string
	n      int64
	expire int64
}

// cellSize is sizeof(ht_cell_t) on x86_64, part of the item size
// sht_print reports.
const cellSize = 72

// msize is the item's size as Kamailio allocates it.
func (c *cell) msize() int {
	n := cellSize + len(c.name) + 1
	if c.isStr {
		n += len(c.s) + 1
	}
	return n
}

// flags is Kamailio's item flags: AVP_VAL_STR (2) for a string.
func (c *cell) flags() int {
	if c.isStr {
		return 2
	}
	return 0
}

// init makes the slots; the table belongs to m.
func (t *Table) init(m *Module) {
	t.m = m
	t.htid = hash(t.Name)
	t.evName = EventExpiredPrefix + t.Name
	t.slots = make([]slot, t.nslots)
	for i := range t.slots {
		t.slots[i].lock.init()
	}
}

// hash is Kamailio's core_case_hash of s: the core hash of s with ASCII
// letters in lower case.
func hash(s string) uint32 {
	return corehash.Sum(lowerASCII(s), "", 0)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] |= 0x20
				}
			}
			return string(b)
		}
	}
	return s
}

// slotOf returns the hash of name and the index of its slot.
func (t *Table) slotOf(name string) (uint32, int) {
	h := hash(name)
	return h, int(h & uint32(t.nslots-1))
}

// find returns the index of the item named name in s, or -1.
func (s *slot) find(h uint32, name string) int {
	for i, c := range s.cells {
		if c.id == h && c.name == name {
			return i
		}
		if c.id > h {
			break
		}
	}
	return -1
}

// insert adds c after the items of a lower or equal hash.
func (s *slot) insert(c *cell) {
	i := 0
	for i < len(s.cells) && s.cells[i].id <= c.id {
		i++
	}
	s.cells = append(s.cells, nil)
	copy(s.cells[i+1:], s.cells[i:])
	s.cells[i] = c
}

// remove removes the item at index i.
func (s *slot) remove(i int) {
	copy(s.cells[i:], s.cells[i+1:])
	s.cells[len(s.cells)-1] = nil
	s.cells = s.cells[:len(s.cells)-1]
}

// expired reports whether a read at now must not see c: only a table with
// autoexpire expires its items.
func (t *Table) expired(c *cell, now int64) bool {
	return t.autoexpire > 0 && c.expire != 0 && c.expire < now
}

// Value is a copy of an item's value.
type Value struct {
	Name   string
	IsStr  bool
	S      string
	N      int64
	Expire int64
}

func (c *cell) value() Value {
	return Value{Name: c.name, IsStr: c.isStr, S: c.s, N: c.n, Expire: c.expire}
}

// nowFor is the time a write stamps items with: 0 for a table without
// autoexpire (Kamailio only reads the clock for one with it).
func (t *Table) nowFor() int64 {
	if t.autoexpire > 0 {
		return t.m.now()
	}
	return 0
}

// Set writes an item as Kamailio's ht_set_cell_ex does: a string when
// isStr, otherwise the integer n (kept in 32 bits). exp > 0 sets the
// item's expiry to exp seconds from now; otherwise a new item gets the
// table's autoexpire and an existing one gets it again when updateexpire
// is on. Where Kamailio 5.6.3 replaces an item by a new one (a string
// longer than the one stored, or a string over an integer) an explicit
// exp is lost and the item never expires; kamgo keeps that.
func (t *Table) Set(o owner, name string, isStr bool, s string, n int64, exp int64) {
	h, i := t.slotOf(name)
	now := t.nowFor()
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	n = wrap32(n)
	if k := sl.find(h, name); k >= 0 {
		c := sl.cells[k]
		replaced := isStr && (!c.isStr || len(c.s) < len(s))
		switch {
		case exp <= 0 && t.updateExpire:
			c.expire = now + t.autoexpire
		case exp > 0 && replaced:
			c.expire = 0
		case exp > 0:
			c.expire = now + exp
		}
		c.isStr, c.s, c.n = isStr, "", 0
		if isStr {
			c.s = s
		} else {
			c.n = n
		}
		return
	}
	c := &cell{id: h, name: name, isStr: isStr}
	if isStr {
		c.s = s
	} else {
		c.n = n
	}
	if exp <= 0 {
		c.expire = now + t.autoexpire
	} else {
		c.expire = now + exp
	}
	sl.insert(c)
}

// Get returns a copy of the item named name; ok is false when there is
// none or it has expired.
func (t *Table) Get(o owner, name string) (Value, bool) {
	h, i := t.slotOf(name)
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	k := sl.find(h, name)
	if k < 0 || t.expired(sl.cells[k], t.m.now()) {
		return Value{}, false
	}
	return sl.cells[k].value(), true
}

// Exists reports whether an unexpired item named name is there.
func (t *Table) Exists(o owner, name string) bool {
	_, ok := t.Get(o, name)
	return ok
}

// Delete removes the item named name and reports whether it was there.
func (t *Table) Delete(o owner, name string) bool {
	h, i := t.slotOf(name)
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	k := sl.find(h, name)
	if k < 0 {
		return false
	}
	sl.remove(k)
	return true
}

// Add adds delta to an integer item as Kamailio's ht_cell_value_add does
// and returns the item afterwards. An expired item starts again from
// initval, a missing one is created from it; without initval either is
// not there (ok false), and neither is a string item.
func (t *Table) Add(o owner, name string, delta int64) (Value, bool) {
	h, i := t.slotOf(name)
	now := t.nowFor()
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	if k := sl.find(h, name); k >= 0 {
		c := sl.cells[k]
		if now > 0 && c.expire != 0 && c.expire < now {
			if !t.hasInit {
				return Value{}, false
			}
			c.isStr, c.s, c.n = false, "", t.initVal
		}
		if c.isStr {
			return Value{}, false
		}
		c.n = wrap32(c.n + delta)
		if t.updateExpire {
			c.expire = now + t.autoexpire
		}
		return c.value(), true
	}
	if !t.hasInit {
		return Value{}, false
	}
	c := &cell{id: h, name: name, n: wrap32(t.initVal + delta), expire: now + t.autoexpire}
	sl.insert(c)
	return c.value(), true
}

// SetExpire sets the expiry of an item to exp seconds from now (0 or
// less: never), as Kamailio's ht_set_cell_expire; a table without
// autoexpire ignores it.
func (t *Table) SetExpire(o owner, name string, exp int64) {
	if t.autoexpire == 0 {
		return
	}
	h, i := t.slotOf(name)
	var at int64
	if exp > 0 {
		at = t.m.now() + exp
	}
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	if k := sl.find(h, name); k >= 0 {
		sl.cells[k].expire = at
	}
}

// ExpiresIn returns the seconds left before the item expires, as
// Kamailio's ht_get_cell_expire computes it into an unsigned int: 0 for a
// table without autoexpire or a missing item.
func (t *Table) ExpiresIn(o owner, name string) uint32 {
	if t.autoexpire == 0 {
		return 0
	}
	h, i := t.slotOf(name)
	now := t.m.now()
	sl := &t.slots[i]
	sl.lock.lock(o)
	defer sl.lock.unlock(o)
	if k := sl.find(h, name); k >= 0 {
		return uint32(sl.cells[k].expire - now)
	}
	return 0
}

// each runs f on every slot in order, holding the slot's lock.
func (t *Table) each(o owner, f func(i int, s *slot)) {
	for i := range t.slots {
		sl := &t.slots[i]
		sl.lock.lock(o)
		f(i, sl)
		sl.lock.unlock(o)
	}
}

// removeIf removes every item match selects.
func (t *Table) removeIf(o owner, match func(c *cell) bool) {
	t.each(o, func(_ int, s *slot) {
		kept := s.cells[:0]
		for _, c := range s.cells {
			if !match(c) {
				kept = append(kept, c)
			}
		}
		for j := len(kept); j < len(s.cells); j++ {
			s.cells[j] = nil
		}
		s.cells = kept
	})
}

// Reset removes every item.
func (t *Table) Reset(o owner) {
	t.removeIf(o, func(*cell) bool { return true })
}

// anyMatch reports whether match selects some item, stopping at the
// first.
func (t *Table) anyMatch(o owner, match func(c *cell) bool) bool {
	for i := range t.slots {
		sl := &t.slots[i]
		sl.lock.lock(o)
		for _, c := range sl.cells {
			if match(c) {
				sl.lock.unlock(o)
				return true
			}
		}
		sl.lock.unlock(o)
	}
	return false
}

// Count returns the number of items, expired ones not yet removed
// included.
func (t *Table) Count(o owner) int {
	n := 0
	t.each(o, func(_ int, s *slot) { n += len(s.cells) })
	return n
}

// subject is what a match looks at: the name (byValue false) or the
// string value (byValue true; integer items have none).
func subject(c *cell, byValue bool) (string, bool) {
	if !byValue {
		return c.name, true
	}
	return c.s, c.isStr
}

// hasPrefix and hasSuffix compare bytes, as Kamailio's strncmp does.
func hasPrefix(s, p string) bool { return strings.HasPrefix(s, p) }
func hasSuffix(s, p string) bool { return strings.HasSuffix(s, p) }
