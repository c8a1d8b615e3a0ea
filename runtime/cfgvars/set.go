package cfgvars

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// Target names a group, or one instance of it (`grp[2]`).
type Target struct {
	Group string
	ID    uint32
	Inst  bool // ID names an instance
}

// ErrSyntax is a group name that is neither "group" nor "group[id]".
var ErrSyntax = errors.New("bad group syntax")

// ParseTarget reads "group" or "group[id]" as Kamailio's management
// commands do: without a closing bracket at the end the whole text is the
// group name.
func ParseTarget(s string) (Target, error) {
	if !strings.HasSuffix(s, "]") {
		return Target{Group: s}, nil
	}
	open := strings.LastIndexByte(s[:len(s)-1], '[')
	if open <= 0 {
		return Target{}, ErrSyntax
	}
	digits := s[open+1 : len(s)-1]
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return Target{}, ErrSyntax
	}
	id, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return Target{}, ErrSyntax
	}
	return Target{Group: s[:open], ID: uint32(id), Inst: true}, nil
}

func (t Target) String() string {
	if t.Inst {
		return fmt.Sprintf("%s[%d]", t.Group, t.ID)
	}
	return t.Group
}

// SetNow changes a variable of a group or of an instance and commits the
// change at once. A change of the group also changes the instances that
// did not set the variable themselves.
func (s *Store) SetNow(t Target, name string, v value.Value) error {
	g, i, err := s.lookup(t.Group, name)
	if err != nil {
		return err
	}
	d := &g.defs[i]
	nv, err := prepare(d, v)
	if err != nil {
		s.refused("cfg_set_now", t, name, v, err)
		return err
	}
	s.mu.Lock()
	nb := s.cur.Load().clone()
	if err := nb.apply(g, i, t, nv, false); err != nil {
		s.mu.Unlock()
		s.missingInstance("cfg_set_now", t, name)
		return err
	}
	s.cur.Store(nb)
	s.mu.Unlock()
	if !t.Inst && d.OnChange != nil {
		d.OnChange(nv)
	}
	s.logIn("cfg_set_now", klog.Info, "%s.%s has been changed to %s", t.Group, name, show(v))
	if t.Inst {
		s.logIn("cfg_set_now", klog.Info, "group id = %d", t.ID)
	}
	return nil
}

// missingInstance logs a change fn could not make because t's instance
// does not exist.
func (s *Store) missingInstance(fn string, t Target, name string) {
	s.logIn(fn, klog.Err, "global group instance %s is not found", t)
	s.logIn(fn, klog.Err, "failed to set the variable: %s.%s", t.Group, name)
}

// DelNow makes an instance's variable follow the group's value again.
func (s *Store) DelNow(t Target, name string) error {
	if !t.Inst {
		s.logIn("cfg_set_now", klog.Err, "Only group instance values can be deleted")
		return fmt.Errorf("cfg: only the values of a group instance can be deleted: %w", ErrSyntax)
	}
	g, i, err := s.lookup(t.Group, name)
	if err != nil {
		return err
	}
	if g.defs[i].ReadOnly {
		s.refused("cfg_set_now", t, name, value.NullValue, ErrReadOnly)
		return ErrReadOnly
	}
	s.mu.Lock()
	nb := s.cur.Load().clone()
	if err := nb.apply(g, i, t, value.NullValue, true); err != nil {
		s.mu.Unlock()
		s.missingInstance("cfg_set_now", t, name)
		return err
	}
	s.cur.Store(nb)
	s.mu.Unlock()
	s.logIn("cfg_set_now", klog.Info, "%s.%s has been deleted", t.Group, name)
	s.logIn("cfg_set_now", klog.Info, "group id = %d", t.ID)
	return nil
}

// apply writes one prepared change into b, a fresh clone: a value of the
// group (copied into the instances that do not set the variable), a value
// of an instance, or the deletion of an instance's value.
func (b *block) apply(g *Group, i int, t Target, v value.Value, del bool) error {
	if b.groups[g] == nil {
		return fmt.Errorf("group %s: %w", g.name, ErrNotFound)
	}
	st := b.own(g)
	if !t.Inst {
		st.vals[i] = v
		for k, in := range st.insts {
			if !in.set[i] {
				st.ownInst(k).vals[i] = v
			}
		}
		return nil
	}
	k, ok := st.find(t.ID)
	if !ok {
		return fmt.Errorf("group instance %s[%d]: %w", g.name, t.ID, ErrNotFound)
	}
	in := st.ownInst(k)
	if del {
		in.vals[i], in.set[i] = st.vals[i], false
	} else {
		in.vals[i], in.set[i] = v, true
	}
	return nil
}

// Get reads the current value of a variable of a group or an instance;
// ErrUnreadable for a variable with a fixup.
func (s *Store) Get(t Target, name string) (value.Value, Type, error) {
	g, i, err := s.lookup(t.Group, name)
	if err != nil {
		return value.NullValue, 0, err
	}
	d := &g.defs[i]
	if !d.Readable() {
		return value.NullValue, d.Type, fmt.Errorf("cfg: %s.%s: %w", t.Group, name, ErrUnreadable)
	}
	st := s.cur.Load().groups[g]
	if !t.Inst {
		return st.vals[i], d.Type, nil
	}
	k, ok := st.find(t.ID)
	if !ok {
		s.logIn("cfg_get_by_name", klog.Err, "local group instance %s[%d] is not found", t.Group, t.ID)
		return value.NullValue, d.Type, fmt.Errorf("cfg: group instance %s: %w", t, ErrNotFound)
	}
	return st.insts[k].vals[i], d.Type, nil
}

// Declared returns the value a variable was declared with (what cfg.reset
// restores); ErrReadOnly and ErrUnreadable for the variables reset skips.
func (s *Store) Declared(group, name string) (value.Value, error) {
	g, i, err := s.lookup(group, name)
	if err != nil {
		return value.NullValue, err
	}
	d := &g.defs[i]
	switch {
	case d.ReadOnly:
		return value.NullValue, ErrReadOnly
	case !d.Readable():
		return value.NullValue, ErrUnreadable
	}
	return g.orig[i], nil
}

// Help returns a variable's definition (its description and type).
func (s *Store) Help(group, name string) (Def, error) {
	g, i, err := s.lookup(group, name)
	if err != nil {
		return Def{}, err
	}
	return g.defs[i], nil
}

// AddInstance adds instance id to a group, with the group's values; an
// instance that exists already is not an error.
func (s *Store) AddInstance(group string, id uint32) error {
	g, ok := s.Group(group)
	if !ok {
		s.logIn("cfg_add_group_inst", klog.Err, "group not found")
		return fmt.Errorf("cfg: group %s: %w", group, ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	if _, ok := cur.groups[g].find(id); ok {
		return nil
	}
	nb := cur.clone()
	st := nb.own(g)
	k, _ := st.find(id)
	in := &inst{id: id, vals: append([]value.Value(nil), st.vals...), set: make([]bool, len(st.vals))}
	st.insts = append(st.insts[:k], append([]*inst{in}, st.insts[k:]...)...)
	s.cur.Store(nb)
	s.logIn("cfg_add_group_inst", klog.Info, "group instance is added: %s[%d]", group, id)
	return nil
}

// DelInstance removes instance id of a group.
func (s *Store) DelInstance(group string, id uint32) error {
	g, ok := s.Group(group)
	if !ok {
		s.logIn("cfg_del_group_inst", klog.Err, "group not found")
		return fmt.Errorf("cfg: group %s: %w", group, ErrNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cur.Load()
	k, ok := cur.groups[g].find(id)
	if !ok {
		s.logIn("cfg_del_group_inst", klog.Err, "Failed to delete the group instance: %s[%d]", group, id)
		return fmt.Errorf("cfg: group instance %s[%d]: %w", group, id, ErrNotFound)
	}
	nb := cur.clone()
	st := nb.own(g)
	st.insts = append(st.insts[:k], st.insts[k+1:]...)
	s.cur.Store(nb)
	s.logIn("cfg_del_group_inst", klog.Info, "group instance is deleted: %s[%d]", group, id)
	return nil
}

// Instances returns the ids of a group's instances, in increasing order.
func (s *Store) Instances(group string) []uint32 {
	g, ok := s.Group(group)
	if !ok {
		return nil
	}
	var ids []uint32
	for _, in := range s.cur.Load().groups[g].insts {
		ids = append(ids, in.id)
	}
	return ids
}
