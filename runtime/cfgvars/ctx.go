package cfgvars

import (
	"fmt"
	"sync"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// Ctx holds the delayed changes of one management interface (Kamailio's
// cfg context: cfg_rpc has one, shared by all its clients). Changes wait
// until Commit applies them together, or Rollback drops them.
type Ctx struct {
	s       *Store
	mu      sync.Mutex
	changes []*change
}

// change is one delayed change.
type change struct {
	g   *Group
	i   int
	t   Target
	v   value.Value // the prepared value; unused when del
	del bool
}

// NewCtx returns a context without changes.
func (s *Store) NewCtx() *Ctx { return &Ctx{s: s} }

// SetDelayed prepares a change of a variable of a group or an instance.
// The value is checked now; whether the instance exists is checked when
// the change is committed.
func (x *Ctx) SetDelayed(t Target, name string, v value.Value) error {
	g, i, err := x.s.lookup(t.Group, name)
	if err != nil {
		return err
	}
	nv, err := prepare(&g.defs[i], v)
	if err != nil {
		x.s.refused("cfg_set_delayed", t, name, v, err)
		return err
	}
	x.add(&change{g: g, i: i, t: t, v: nv})
	x.s.logIn("cfg_set_delayed", klog.Info, "%s.%s is going to be changed to %s [context=%p]", t.Group, name, show(v), x)
	x.logGroupID(t)
	return nil
}

// DelDelayed prepares the deletion of an instance's value.
func (x *Ctx) DelDelayed(t Target, name string) error {
	if !t.Inst {
		x.s.logIn("cfg_set_delayed", klog.Err, "Only group instance values can be deleted")
		return fmt.Errorf("cfg: only the values of a group instance can be deleted: %w", ErrSyntax)
	}
	g, i, err := x.s.lookup(t.Group, name)
	if err != nil {
		return err
	}
	if g.defs[i].ReadOnly {
		x.s.refused("cfg_set_delayed", t, name, value.NullValue, ErrReadOnly)
		return ErrReadOnly
	}
	x.add(&change{g: g, i: i, t: t, del: true})
	x.s.logIn("cfg_set_delayed", klog.Info, "%s.%s is going to be deleted [context=%p]", t.Group, name, x)
	x.logGroupID(t)
	return nil
}

// logGroupID names the instance a prepared change is for.
func (x *Ctx) logGroupID(t Target) {
	if t.Inst {
		x.s.logIn("cfg_set_delayed", klog.Info, "group id = %d [context=%p]", t.ID, x)
	}
}

// add keeps the changes ordered as Kamailio does: grouped by group in the
// order groups first appear, within a group the group's own changes
// first, then the instances by increasing id, each in the order made.
func (x *Ctx) add(c *change) {
	x.mu.Lock()
	defer x.mu.Unlock()
	k := 0
	for k < len(x.changes) && x.changes[k].g != c.g {
		k++
	}
	for k < len(x.changes) && x.changes[k].g == c.g {
		o := x.changes[k]
		if o.t.Inst && !(c.t.Inst && o.t.ID <= c.t.ID) {
			break
		}
		k++
	}
	x.changes = append(x.changes, nil)
	copy(x.changes[k+1:], x.changes[k:])
	x.changes[k] = c
}

// Commit applies the prepared changes at once. When one of them names an
// instance that does not exist, nothing is applied and the changes stay.
func (x *Ctx) Commit() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.changes) == 0 {
		x.s.logIn("cfg_commit", klog.Info, "config changes have been applied [context=%p]", x)
		return nil
	}
	x.s.mu.Lock()
	nb := x.s.cur.Load().clone()
	for _, c := range x.changes {
		if err := nb.apply(c.g, c.i, c.t, c.v, c.del); err != nil {
			x.s.mu.Unlock()
			x.s.logIn("cfg_commit", klog.Err, "global group instance %s is not found", c.t)
			return err
		}
	}
	x.s.cur.Store(nb)
	x.s.mu.Unlock()
	for _, c := range x.changes {
		if d := &c.g.defs[c.i]; !c.t.Inst && d.OnChange != nil {
			d.OnChange(nb.groups[c.g].vals[c.i])
		}
	}
	x.changes = nil
	x.s.logIn("cfg_commit", klog.Info, "config changes have been applied [context=%p]", x)
	return nil
}

// Rollback drops the prepared changes.
func (x *Ctx) Rollback() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.changes = nil
	x.s.logIn("cfg_rollback", klog.Info, "deleting the config changes [context=%p]", x)
}

// Change is one prepared change as Diff reports it.
type Change struct {
	Target Target
	Var    string
	Type   Type
	// Old is the current value; New the value after the commit (for a
	// deletion, the group's current value).
	Old, New value.Value
}

// Diff lists the prepared changes in the order Commit applies them. It
// fails when a change names an instance that does not exist.
func (x *Ctx) Diff() ([]Change, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	b := x.s.cur.Load()
	out := make([]Change, 0, len(x.changes))
	for _, c := range x.changes {
		d := &c.g.defs[c.i]
		st := b.groups[c.g]
		ch := Change{Target: c.t, Var: d.Name, Type: d.Type}
		ch.Old = st.vals[c.i]
		if c.t.Inst {
			k, ok := st.find(c.t.ID)
			if !ok {
				x.s.logIn("cfg_diff_next", klog.Err, "local group instance %s is not found", c.t)
				return nil, fmt.Errorf("cfg: group instance %s: %w", c.t, ErrNotFound)
			}
			ch.Old = st.insts[k].vals[c.i]
		}
		ch.New = c.v
		if c.del {
			ch.New = st.vals[c.i]
		}
		out = append(out, ch)
	}
	return out, nil
}
