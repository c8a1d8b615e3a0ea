// Package cfgvars owns kamgo's configuration framework, Kamailio's cfg
// groups: named groups of typed runtime variables (integers with an
// optional range, strings) that the core, modules and the configuration
// file declare (`pstn.gw_ip = "" desc "PSTN gateway"`), that management
// commands read and change while the server runs (at once, or as delayed
// changes a commit applies together and a rollback drops), with group
// instances (`grp[2]`) that keep their own values for the variables set
// on them and follow the group's values for the others.
//
// Snapshot rule: the values form one immutable set, replaced as a whole
// by every change. An event reads the set that was current when it first
// read a value (View) and keeps it to its end, as a Kamailio process
// takes the new configuration only between two messages; cfg_select
// chooses a group instance for the rest of the event only.
package cfgvars

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// Errors the framework reports; the operations wrap them with details.
var (
	// ErrNotFound: no such group, variable or group instance.
	ErrNotFound = errors.New("not found")
	// ErrUnreadable: the variable has a fixup, so its stored value may
	// differ from what was set; Kamailio refuses to read it back.
	ErrUnreadable = errors.New("variable is not readable")
	// ErrReadOnly: the variable cannot be changed at run time. Its text
	// and ErrRange's are Kamailio's log lines for them (refused).
	ErrReadOnly = errors.New("variable is read-only")
	// ErrRange: an integer outside the variable's range.
	ErrRange = errors.New("integer value is out of range")
	// ErrConvert: a value that does not convert to the variable's type.
	ErrConvert = errors.New("value does not convert")
	// ErrDeclared: a group or variable declared twice.
	ErrDeclared = errors.New("already declared")
)

// Store holds the groups of one server and the current set of values. It
// is safe for concurrent use: readers never wait, writers are serialised.
type Store struct {
	mu      sync.Mutex // declarations and every change of cur
	statics []*Group   // core and module groups, in declaration order
	scripts []*Group   // groups the configuration file declares, in order
	byName  map[string]*Group
	cur     atomic.Pointer[block]
	log     *klog.Logger
}

// New returns an empty store that logs changes on log (nil: nowhere).
func New(log *klog.Logger) *Store {
	s := &Store{byName: map[string]*Group{}, log: log}
	s.cur.Store(&block{groups: map[*Group]*gstate{}})
	return s
}

// Group is a declared group. Its definitions do not change once declared
// (a configuration-file group grows while the file is read).
type Group struct {
	name   string
	defs   []Def
	index  map[string]int
	orig   []value.Value // the declared values, which cfg.reset restores
	script bool
}

// Name is the group's name.
func (g *Group) Name() string { return g.name }

// Defs are the group's variables, in declaration order. The slice must
// not be changed.
func (g *Group) Defs() []Def { return g.defs }

// Var returns the index of the variable called name.
func (g *Group) Var(name string) (int, bool) {
	i, ok := g.index[name]
	return i, ok
}

// Script reports whether the configuration file declared the group.
func (g *Group) Script() bool { return g.script }

// block is one immutable set of values of every group.
type block struct {
	groups map[*Group]*gstate
}

// gstate is the values of one group and of its instances.
type gstate struct {
	vals  []value.Value
	insts []*inst // sorted by id
}

// inst is one group instance: its values, and which of them were set on
// it (the others follow the group's values).
type inst struct {
	id   uint32
	vals []value.Value
	set  []bool
}

func (b *block) clone() *block {
	nb := &block{groups: make(map[*Group]*gstate, len(b.groups))}
	for g, st := range b.groups {
		nb.groups[g] = st
	}
	return nb
}

// own returns a copy of g's state that the caller may change, stored in
// b (which must be a fresh clone).
func (b *block) own(g *Group) *gstate {
	old := b.groups[g]
	st := &gstate{vals: append([]value.Value(nil), old.vals...), insts: append([]*inst(nil), old.insts...)}
	b.groups[g] = st
	return st
}

// find returns the position of instance id in st.insts and whether it is
// there.
func (st *gstate) find(id uint32) (int, bool) {
	i := sort.Search(len(st.insts), func(i int) bool { return st.insts[i].id >= id })
	return i, i < len(st.insts) && st.insts[i].id == id
}

// ownInst replaces instance i of st by a copy the caller may change.
func (st *gstate) ownInst(i int) *inst {
	o := st.insts[i]
	n := &inst{id: o.id, vals: append([]value.Value(nil), o.vals...), set: append([]bool(nil), o.set...)}
	st.insts[i] = n
	return n
}

// Declare adds a core or module group with its variables and their
// values (vals[i] for defs[i], converted to the variable's type).
func (s *Store) Declare(name string, defs []Def, vals []value.Value) (*Group, error) {
	if name == "" || len(defs) == 0 || len(vals) != len(defs) {
		return nil, fmt.Errorf("cfg: group %q: bad declaration", name)
	}
	g := &Group{name: name, index: map[string]int{}}
	for i, d := range defs {
		if d.Name == "" || (d.Type != Int && d.Type != Str) {
			return nil, fmt.Errorf("cfg: group %s: bad variable %q", name, d.Name)
		}
		if _, dup := g.index[d.Name]; dup {
			return nil, fmt.Errorf("cfg: %s.%s: %w", name, d.Name, ErrDeclared)
		}
		v, err := convert(vals[i], d.Type)
		if err != nil {
			return nil, fmt.Errorf("cfg: %s.%s: %w", name, d.Name, err)
		}
		g.index[d.Name] = i
		g.defs = append(g.defs, d)
		g.orig = append(g.orig, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.byName[name]; dup {
		return nil, fmt.Errorf("cfg: group %s: %w", name, ErrDeclared)
	}
	s.byName[name] = g
	s.statics = append(s.statics, g)
	nb := s.cur.Load().clone()
	nb.groups[g] = &gstate{vals: append([]value.Value(nil), g.orig...)}
	s.cur.Store(nb)
	return g, nil
}

// DeclareVar adds a variable the configuration file declares
// (`group.name = value desc "descr"`): an integer variable without range,
// or a string one, per v's kind. The group is created by its first
// variable; a group the core or a module declared cannot get more. It is
// called while the configuration loads, before anything reads the group.
func (s *Store) DeclareVar(group, name string, v value.Value, descr string) error {
	t := Str
	if v.K == value.Int {
		t = Int
		v = value.MakeInt(int64(int32(v.I)))
	} else {
		v = value.MakeStr(value.ToStr(v))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.byName[group]
	switch {
	case g == nil:
		g = &Group{name: group, index: map[string]int{}, script: true}
		s.byName[group] = g
		s.scripts = append(s.scripts, g)
	case !g.script:
		return fmt.Errorf("cfg: configuration group %s: %w", group, ErrDeclared)
	}
	if _, dup := g.index[name]; dup {
		return fmt.Errorf("cfg: variable %s.%s: %w", group, name, ErrDeclared)
	}
	g.index[name] = len(g.defs)
	g.defs = append(g.defs, Def{Name: name, Type: t, Descr: descr})
	g.orig = append(g.orig, v)
	nb := s.cur.Load().clone()
	st := &gstate{vals: []value.Value{v}}
	if old := nb.groups[g]; old != nil {
		st.vals = append(append([]value.Value(nil), old.vals...), v)
		for _, in := range old.insts {
			st.insts = append(st.insts, &inst{id: in.id, vals: append(append([]value.Value(nil), in.vals...), v),
				set: append(append([]bool(nil), in.set...), false)})
		}
	}
	nb.groups[g] = st
	s.cur.Store(nb)
	return nil
}

// Groups returns the groups in the order Kamailio lists them: the most
// recently declared core and module group first, then the groups of the
// configuration file, the last declared first.
func (s *Store) Groups() []*Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Group, 0, len(s.statics)+len(s.scripts))
	for i := len(s.statics) - 1; i >= 0; i-- {
		out = append(out, s.statics[i])
	}
	for i := len(s.scripts) - 1; i >= 0; i-- {
		out = append(out, s.scripts[i])
	}
	return out
}

// Group returns the group called name.
func (s *Store) Group(name string) (*Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.byName[name]
	return g, ok
}

// lookup finds a group and a variable of it.
func (s *Store) lookup(group, name string) (*Group, int, error) {
	g, ok := s.Group(group)
	if !ok {
		return nil, 0, fmt.Errorf("cfg: group %s: %w", group, ErrNotFound)
	}
	i, ok := g.index[name]
	if !ok {
		return nil, 0, fmt.Errorf("cfg: variable %s.%s: %w", group, name, ErrNotFound)
	}
	return g, i, nil
}

// Lookup finds the variable name of group, for readers that resolve it
// once (selects, modules).
func (s *Store) Lookup(group, name string) (*Group, int, error) { return s.lookup(group, name) }

// logIn logs a line of the core as Kamailio's cfg framework function fn
// logs it.
func (s *Store) logIn(fn string, lv klog.Level, format string, args ...any) {
	if s.log != nil {
		s.log.Logf(lv, "core", fn+"(): "+format, args...)
	}
}

// refused logs why fn (cfg_set_now, cfg_set_delayed) did not set
// group.name to v, as Kamailio logs it: the reason (a fixup logs its own
// before), then the variable.
func (s *Store) refused(fn string, t Target, name string, v value.Value, err error) {
	var fe *fixupError
	switch {
	case errors.Is(err, ErrReadOnly):
		s.logIn(fn, klog.Err, "%v", ErrReadOnly)
	case errors.Is(err, ErrRange):
		s.logIn(fn, klog.Err, "%v", ErrRange)
	case errors.As(err, &fe):
		s.logIn(fn, klog.Err, "fixup failed")
	case errors.Is(err, ErrConvert) && v.K == value.Str && v.S == "":
		s.logIn("convert_val", klog.Err, "cannot convert NULL str value to integer")
	case errors.Is(err, ErrConvert) && v.K == value.Str:
		s.logIn("convert_val", klog.Err, "cannot convert string to integer '%s'", v.S)
	default:
		s.logIn(fn, klog.Err, "%v", err)
	}
	s.logIn(fn, klog.Err, "failed to set the variable: %s.%s", t.Group, name)
}
