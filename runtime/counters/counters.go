// Package counters owns kamgo's statistics registry, as Kamailio's
// counters framework (and the statistics API built over it) keeps them:
// counters named group:name, each with a description, registered by the
// core and by modules while a configuration loads; the script and the RPC
// layer read, add to and reset them. A counter either holds a value that
// Inc, Add and Reset change (atomically: the hot path allocates nothing and
// takes no lock) or is computed by a function when read (Kamailio's
// STAT_IS_FUNC statistics, such as usrloc's registered_users). A counter
// registered with NoReset ignores Reset, as Kamailio's STAT_NO_RESET ones.
//
// Groups are listed sorted by name, and a group's counters sorted by name,
// as Kamailio lists them (byte order). A lookup without a group finds the
// counter of that name registered last, as Kamailio's does.
package counters

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// Counter is one statistic. Its methods are safe for concurrent use; a
// nil Counter reads 0 and ignores changes.
type Counter struct {
	group, name, doc string
	noReset, offset  bool
	fn               func() int64
	v                atomic.Int64
}

// Def declares a counter for Register.
type Def struct {
	Name string
	Doc  string
	// Func, when set, computes the value at each read; such a counter
	// ignores Inc, Add and Reset.
	Func func() int64
	// Offset makes a computed counter resettable: Reset remembers the
	// value then, and later reads subtract it (a module's own count that
	// Kamailio keeps in a plain counter).
	Offset bool
	// NoReset makes Reset a no-op.
	NoReset bool
}

// Group is the counter's group.
func (c *Counter) Group() string { return c.group }

// Name is the counter's name within its group.
func (c *Counter) Name() string { return c.name }

// Doc is the counter's description.
func (c *Counter) Doc() string { return c.doc }

// Computed reports whether a function gives the counter's value.
func (c *Counter) Computed() bool { return c != nil && c.fn != nil }

// Inc adds 1.
func (c *Counter) Inc() { c.Add(1) }

// Add adds n (which may be negative).
func (c *Counter) Add(n int64) {
	if c == nil || c.fn != nil {
		return
	}
	c.v.Add(n)
}

// Reset sets the value to 0, unless the counter is NoReset or computed
// without Offset.
func (c *Counter) Reset() {
	switch {
	case c == nil || c.noReset:
	case c.fn == nil:
		c.v.Store(0)
	case c.offset:
		c.v.Store(c.fn())
	}
}

// Value is the counter's value now.
func (c *Counter) Value() int64 {
	if c == nil {
		return 0
	}
	switch {
	case c.fn == nil:
		return c.v.Load()
	case c.offset:
		return c.fn() - c.v.Load()
	}
	return c.fn()
}

// Raw is the value without a computing function (what cnt.get_raw
// answers): 0 for a computed counter, as the function is all it has.
func (c *Counter) Raw() int64 {
	if c == nil || (c.fn != nil && !c.offset) {
		return 0
	}
	return c.Value()
}

// ErrExists is returned by Register for a group:name already registered.
var ErrExists = errors.New("counter already registered")

// Registry is the set of counters of one loaded configuration. It is safe
// for concurrent use.
type Registry struct {
	mu     sync.RWMutex
	groups map[string][]*Counter // by group, each sorted by name
	names  []string              // group names, sorted
	byName map[string][]*Counter // by name, in registration order
	syncs  []func()              // appended to only: a copy of the slice header is stable
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{groups: map[string][]*Counter{}, byName: map[string][]*Counter{}}
}

// Register adds counter d to group. An empty group or name is an error;
// a group:name registered before returns ErrExists (wrapped) and that
// counter.
func (r *Registry) Register(group string, d Def) (*Counter, error) {
	if group == "" || d.Name == "" {
		return nil, fmt.Errorf("counters: counter %q of group %q: empty name", d.Name, group)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c := r.lookupLocked(group, d.Name); c != nil {
		return c, fmt.Errorf("counters: %s.%s: %w", group, d.Name, ErrExists)
	}
	c := &Counter{group: group, name: d.Name, doc: d.Doc, noReset: d.NoReset, offset: d.Offset, fn: d.Func}
	vars, known := r.groups[group]
	if !known {
		i := sort.SearchStrings(r.names, group)
		r.names = append(r.names, "")
		copy(r.names[i+1:], r.names[i:])
		r.names[i] = group
	}
	i := sort.Search(len(vars), func(i int) bool { return vars[i].name > d.Name })
	vars = append(vars, nil)
	copy(vars[i+1:], vars[i:])
	vars[i] = c
	r.groups[group] = vars
	r.byName[d.Name] = append(r.byName[d.Name], c)
	return c, nil
}

// RegisterAll registers defs in group, in order, and returns the counters
// by name. It stops at the first error.
func (r *Registry) RegisterAll(group string, defs []Def) (map[string]*Counter, error) {
	out := make(map[string]*Counter, len(defs))
	for _, d := range defs {
		c, err := r.Register(group, d)
		if err != nil {
			return out, err
		}
		out[d.Name] = c
	}
	return out, nil
}

// OnSync adds f to the functions the registry calls before it lists
// groups or counters and before a lookup that finds nothing: a module
// whose counters follow what it creates later (usrloc's tables) registers
// them there. f may run on several goroutines at once and may Register,
// but must not call Lookup, Groups or Vars.
func (r *Registry) OnSync(f func()) {
	r.mu.Lock()
	r.syncs = append(r.syncs, f)
	r.mu.Unlock()
}

func (r *Registry) sync() {
	r.mu.RLock()
	fs := r.syncs
	r.mu.RUnlock()
	for _, f := range fs {
		f()
	}
}

// Lookup returns the counter group:name; with an empty group, the last
// counter registered with that name.
func (r *Registry) Lookup(group, name string) (*Counter, bool) {
	r.mu.RLock()
	c := r.lookupLocked(group, name)
	r.mu.RUnlock()
	if c == nil {
		r.sync()
		r.mu.RLock()
		c = r.lookupLocked(group, name)
		r.mu.RUnlock()
	}
	return c, c != nil
}

func (r *Registry) lookupLocked(group, name string) *Counter {
	cs := r.byName[name]
	for i := len(cs) - 1; i >= 0; i-- {
		if group == "" || cs[i].group == group {
			return cs[i]
		}
	}
	return nil
}

// Groups returns the group names, sorted.
func (r *Registry) Groups() []string {
	r.sync()
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]string(nil), r.names...)
}

// Vars returns the counters of group, sorted by name; nil for a group
// that does not exist.
func (r *Registry) Vars(group string) []*Counter {
	r.sync()
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*Counter(nil), r.groups[group]...)
}

// Host is implemented by module hosts that keep a registry: modules reach
// it with h.(counters.Host).Counters().
type Host interface {
	Counters() *Registry
}

// Registrant is implemented by module instances that register counters.
// The server calls RegisterCounters once per load, in load order, after
// every module has provisioned and before the routes are compiled (so
// that a script function can name any counter).
type Registrant interface {
	RegisterCounters(r *Registry) error
}
