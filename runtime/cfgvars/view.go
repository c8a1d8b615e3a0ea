package cfgvars

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// viewKey is the Context slot of an event's View.
var viewKey = event.NewKey()

// View is what one event reads: the set of values that was current when
// it first read one, and the group instances cfg_select chose. A View
// belongs to one event and is not safe for concurrent use.
type View struct {
	s   *Store
	b   *block
	sel map[*Group]uint32
}

// View returns the event's view, taking the current set of values on the
// event's first read. Without an event (c nil) it is a view of the
// current values.
func (s *Store) View(c *event.Context) *View {
	if c == nil {
		return &View{s: s, b: s.cur.Load()}
	}
	if v, ok := c.Get(viewKey).(*View); ok && v.s == s {
		return v
	}
	v := &View{s: s, b: s.cur.Load()}
	c.Set(viewKey, v)
	return v
}

// Get returns variable i of g: the selected instance's value when an
// instance of g is selected, else the group's.
func (v *View) Get(g *Group, i int) value.Value {
	st := v.b.groups[g]
	if st == nil || i < 0 || i >= len(st.vals) {
		return value.NullValue
	}
	if id, ok := v.sel[g]; ok {
		if k, found := st.find(id); found {
			return st.insts[k].vals[i]
		}
	}
	return st.vals[i]
}

// Select makes instance id of g the one the rest of the event reads
// (cfg_select); the instance must exist in the event's set of values.
func (v *View) Select(g *Group, id uint32) error {
	st := v.b.groups[g]
	if st == nil {
		return fmt.Errorf("group %s: %w", g.name, ErrNotFound)
	}
	if _, ok := st.find(id); !ok {
		return fmt.Errorf("group instance '%s[%d]' does not exist", g.name, id)
	}
	if v.sel == nil {
		v.sel = map[*Group]uint32{}
	}
	v.sel[g] = id
	return nil
}

// Reset makes the event read g's own values again (cfg_reset).
func (v *View) Reset(g *Group) { delete(v.sel, g) }

// Selected returns the id of the instance of g the event reads, if any.
func (v *View) Selected(g *Group) (uint32, bool) {
	id, ok := v.sel[g]
	return id, ok
}

// Int reads an integer variable on the event (0 when it is not one).
func (s *Store) Int(c *event.Context, g *Group, i int) int64 {
	x := s.View(c).Get(g, i)
	if x.K != value.Int {
		return 0
	}
	return x.I
}

// Str reads a string variable on the event.
func (s *Store) Str(c *event.Context, g *Group, i int) string {
	return value.ToStr(s.View(c).Get(g, i))
}

// Host is implemented by module hosts that keep configuration groups:
// a module declares its group in Provision through it, and reads its
// variables on each event with Store.Int and Store.Str.
type Host interface {
	Cfg() *Store
}
