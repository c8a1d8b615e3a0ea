package pv

import (
	"fmt"
	"sync"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Script variables, kept per worker across events as a Kamailio worker
// process keeps them. There are two namespaces, as in Kamailio:
//
//   - $var(name) and $vz(name) are the same variable. Unset, or assigned
//     $null, it reads as int 0 and is always set.
//   - $vn(name) is another variable of the same name: unset, or assigned
//     $null, it reads as $null.
//
// A name gets a slot number when a reference is compiled (Kamailio
// declares a variable when it parses a reference to it), so a constant name
// costs a slice index per access.

var (
	varKey = event.NewKey() // Worker slot: *varStore ($var, $vz)
	vnKey  = event.NewKey() // Worker slot: *varStore ($vn)
)

// varNames numbers the variable names of one namespace in the order they
// were declared.
type varNames struct {
	mu    sync.RWMutex
	ids   map[string]int
	names []string
}

// id returns the slot of name, declaring it when new.
func (t *varNames) id(name string) int {
	t.mu.RLock()
	id, ok := t.ids[name]
	t.mu.RUnlock()
	if ok {
		return id
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ids == nil {
		t.ids = map[string]int{}
	}
	if id, ok := t.ids[name]; ok {
		return id
	}
	id = len(t.names)
	t.ids[name] = id
	t.names = append(t.names, name)
	return id
}

// lookup returns the slot of a declared name.
func (t *varNames) lookup(name string) (int, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.ids[name]
	return id, ok
}

// all returns the declared names, indexed by slot.
func (t *varNames) all() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]string(nil), t.names...)
}

// varStore is one worker's values of one namespace, indexed by slot. A
// slot never assigned reads as zero.
type varStore struct {
	vals []value.Value
	zero value.Value
}

func (vs *varStore) get(id int) value.Value {
	if id < len(vs.vals) && !vs.vals[id].IsNull() {
		return vs.vals[id]
	}
	return vs.zero
}

func (vs *varStore) set(id int, v value.Value) {
	if id >= len(vs.vals) {
		n := make([]value.Value, id+1, max(id+1, 2*len(vs.vals)))
		copy(n, vs.vals)
		vs.vals = n
	}
	vs.vals[id] = v
}

// varID returns the $var slot of name, declaring it when new.
func (m *Module) varID(name string) int { return m.vars.id(name) }

// lookupVar returns the $var slot of a declared name.
func (m *Module) lookupVar(name string) (int, bool) { return m.vars.lookup(name) }

// varNames returns the declared $var names, indexed by slot.
func (m *Module) varNames() []string { return m.vars.all() }

// workerVars returns the worker's $var store, starting it with the
// varset values.
func (m *Module) workerVars(c *event.Context) *varStore {
	if c.Worker == nil {
		c.Worker = event.NewWorker(0)
	}
	if vs, ok := c.Worker.Get(varKey).(*varStore); ok {
		return vs
	}
	vs := &varStore{zero: value.MakeInt(0)}
	for _, p := range m.varInit {
		vs.set(m.varID(p.name), p.val)
	}
	c.Worker.Set(varKey, vs)
	return vs
}

func workerVn(c *event.Context) *varStore {
	if c.Worker == nil {
		c.Worker = event.NewWorker(0)
	}
	if vs, ok := c.Worker.Get(vnKey).(*varStore); ok {
		return vs
	}
	vs := &varStore{}
	c.Worker.Set(vnKey, vs)
	return vs
}

// varSpec is a compiled $var, $vz or $vn reference.
type varSpec struct {
	names *varNames
	store func(c *event.Context) *varStore
	null  bool                          // $vn: $null is a value
	id    int                           // slot of a constant name, or -1
	name  func(c *event.Context) string // a dynamic name
}

// compileVar compiles $var and $vz (null false) or $vn (null true).
func (m *Module) compileVar(null bool) func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	return func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Index != nil {
			return nil, fmt.Errorf("$%s takes no index", p.Class)
		}
		s := &varSpec{names: &m.vars, store: m.workerVars, null: null, id: -1}
		if null {
			s.names, s.store = &m.vnulls, workerVn
		}
		if p.Name != nil && p.Name.Dyn == nil {
			s.id = s.names.id(p.Name.Text)
			return s, nil
		}
		name, err := nameOf(t, p)
		if err != nil {
			return nil, err
		}
		s.name = name
		return s, nil
	}
}

func (s *varSpec) slot(c *event.Context) int {
	if s.id >= 0 {
		return s.id
	}
	return s.names.id(s.name(c))
}

func (s *varSpec) Get(c *event.Context) value.Value { return s.store(c).get(s.slot(c)) }

func (s *varSpec) Set(c *event.Context, v value.Value) error {
	if v.IsNull() && !s.null {
		v = value.MakeInt(0)
	}
	s.store(c).set(s.slot(c), v.Plain())
	return nil
}

// Defined reports $var as always set, $vn as set unless null.
func (s *varSpec) Defined(c *event.Context) bool { return !s.null || !s.Get(c).IsNull() }
