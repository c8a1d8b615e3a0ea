package pv

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

var (
	varKey = event.NewKey() // Worker slot: *varStore ($var)
	avpKey = event.NewKey() // Context slot: *avpStore ($avp, per event)
	tsKey  = event.NewKey() // Context slot: time.Time of the first $Ts read in the event
)

// nameOf compiles a class's inner name: fixed text, or a format evaluated
// per read when it holds pseudo-variables.
func nameOf(t *pv.Table, p *ast.PVar) (func(c *event.Context) string, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("missing name")
	}
	if p.Name.Dyn != nil {
		f, err := t.CompileFormat(p.Name.Dyn)
		if err != nil {
			return nil, err
		}
		return f.String, nil
	}
	s := p.Name.Text
	return func(*event.Context) string { return s }, nil
}

func (m *Module) classes() []*pv.Class {
	return append([]*pv.Class{
		{Name: "var", Module: "pv", Compile: m.compileVar},
		{Name: "shv", Module: "pv", Compile: m.compileShv},
		{Name: "avp", Module: "pv", Compile: compileAvp},
		{Name: "xavp", Module: "pv", Compile: compileXavp},
		{Name: "env", Module: "pv", Compile: compileEnv},
		{Name: "null", Module: "pv", Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(*event.Context) value.Value { return value.NullValue }), nil
		}},
		{Name: "Ts", Module: "pv", Compile: fixed(func(c *event.Context) value.Value {
			return value.MakeInt(eventTime(c).Unix())
		})},
		{Name: "Tf", Module: "pv", Compile: fixed(func(c *event.Context) value.Value {
			t := eventTime(c)
			return value.MakeStrInt(t.Format("Mon Jan _2 15:04:05 2006"), t.Unix())
		})},
		{Name: "TS", Module: "pv", Compile: fixed(func(*event.Context) value.Value {
			return value.MakeInt(time.Now().Unix())
		})},
		{Name: "TF", Module: "pv", Compile: fixed(func(*event.Context) value.Value {
			t := time.Now()
			return value.MakeStrInt(t.Format("Mon Jan _2 15:04:05 2006"), t.Unix())
		})},
		{Name: "TV", Module: "pv", Names: []string{"s", "u", "sn", "un", "Sn", "Sm", "Fn"}, Compile: compileTV},
		{Name: "pp", Module: "pv", Compile: fixed(func(*event.Context) value.Value {
			return value.MakeInt(int64(os.Getpid()))
		})},
	}, msgClasses()...)
}

func fixed(f func(c *event.Context) value.Value) func(*pv.Table, *ast.PVar) (pv.Spec, error) {
	return func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
		if p.Name != nil {
			return nil, fmt.Errorf("takes no name")
		}
		return pv.GetterFunc(f), nil
	}
}

// eventTime is the time $Ts and $Tf report: fixed for one event, as
// Kamailio caches it per message.
func eventTime(c *event.Context) time.Time {
	if t, ok := c.Get(tsKey).(time.Time); ok {
		return t
	}
	t := time.Now()
	c.Set(tsKey, t)
	return t
}

func compileTV(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	switch p.Name.Text {
	case "s":
		return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(time.Now().Unix()) }), nil
	case "u":
		return pv.GetterFunc(func(*event.Context) value.Value {
			return value.MakeInt(int64(time.Now().Nanosecond() / 1000))
		}), nil
	case "sn", "un":
		return pv.GetterFunc(func(*event.Context) value.Value {
			t := time.Now()
			return value.MakeStr(fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000))
		}), nil
	case "Sn", "Sm":
		return pv.GetterFunc(func(*event.Context) value.Value {
			t := time.Now()
			return value.MakeStr(fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000))
		}), nil
	case "Fn":
		return pv.GetterFunc(func(*event.Context) value.Value {
			t := time.Now()
			return value.MakeStr(fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond()))
		}), nil
	}
	return nil, fmt.Errorf("unknown name %q", p.Name.Text)
}

func compileEnv(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		if v, ok := os.LookupEnv(name(c)); ok {
			return value.MakeStr(v)
		}
		return value.NullValue
	}), nil
}

// ---------------------------------------------------------------- $var

// varSpec is $var(name): per worker, persists across events; an unset or
// null-assigned $var reads as int 0 and is always "set" (as in Kamailio).
// A constant name is resolved to its slot once, at load time.
type varSpec struct {
	m    *Module
	id   int                           // slot of a constant name, or -1
	name func(c *event.Context) string // a dynamic name
}

// varStore is one worker's $var values, indexed by slot. A zero Value is a
// never-assigned variable (assignments store no nulls).
type varStore struct {
	vals []value.Value
}

func (m *Module) compileVar(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Index != nil {
		return nil, fmt.Errorf("$var takes no index")
	}
	if p.Name != nil && p.Name.Dyn == nil {
		return &varSpec{m: m, id: m.varID(p.Name.Text)}, nil
	}
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return &varSpec{m: m, id: -1, name: name}, nil
}

// varID returns the slot of a $var name, allocating one for a new name.
func (m *Module) varID(name string) int {
	m.varMu.RLock()
	id, ok := m.varIDs[name]
	m.varMu.RUnlock()
	if ok {
		return id
	}
	m.varMu.Lock()
	defer m.varMu.Unlock()
	if m.varIDs == nil {
		m.varIDs = map[string]int{}
	}
	if id, ok := m.varIDs[name]; ok {
		return id
	}
	id = len(m.varIDs)
	m.varIDs[name] = id
	return id
}

func (m *Module) workerVars(c *event.Context) *varStore {
	if c.Worker == nil {
		c.Worker = event.NewWorker(0)
	}
	if vs, ok := c.Worker.Get(varKey).(*varStore); ok {
		return vs
	}
	vs := &varStore{}
	for k, v := range m.varInit {
		vs.set(m.varID(k), v)
	}
	c.Worker.Set(varKey, vs)
	return vs
}

func (vs *varStore) set(id int, v value.Value) {
	if id >= len(vs.vals) {
		n := make([]value.Value, id+1, max(id+1, 2*len(vs.vals)))
		copy(n, vs.vals)
		vs.vals = n
	}
	vs.vals[id] = v
}

func (s *varSpec) slot(c *event.Context) int {
	if s.id >= 0 {
		return s.id
	}
	return s.m.varID(s.name(c))
}

func (s *varSpec) Get(c *event.Context) value.Value {
	vs := s.m.workerVars(c)
	if id := s.slot(c); id < len(vs.vals) && !vs.vals[id].IsNull() {
		return vs.vals[id]
	}
	return value.MakeInt(0)
}

func (s *varSpec) Set(c *event.Context, v value.Value) error {
	if v.IsNull() {
		v = value.MakeInt(0)
	}
	s.m.workerVars(c).set(s.slot(c), v.Plain())
	return nil
}

func (s *varSpec) Defined(*event.Context) bool { return true }

// ---------------------------------------------------------------- $shv

// shvSpec is $shv(name): shared by all workers. Unset reads as int 0;
// assigning $null leaves an empty string, as Kamailio 5.6.3 does.
type shvSpec struct {
	m    *Module
	name func(c *event.Context) string
}

func (m *Module) compileShv(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	name, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	return &shvSpec{m: m, name: name}, nil
}

func (s *shvSpec) Get(c *event.Context) value.Value {
	s.m.shvMu.RLock()
	v, ok := s.m.shv[s.name(c)]
	s.m.shvMu.RUnlock()
	if !ok {
		return value.MakeInt(0)
	}
	return v
}

func (s *shvSpec) Set(c *event.Context, v value.Value) error {
	if v.IsNull() {
		v = value.MakeStr("")
	}
	v = v.Plain()
	s.m.shvMu.Lock()
	s.m.shv[s.name(c)] = v
	s.m.shvMu.Unlock()
	return nil
}

func (s *shvSpec) Defined(*event.Context) bool { return true }

// ---------------------------------------------------------------- $avp

// avpStore holds one event's AVPs: for each name a stack whose last
// element is the most recent (index 0 in the script).
type avpStore map[string][]value.Value

func avps(c *event.Context) avpStore {
	if s, ok := c.Get(avpKey).(avpStore); ok {
		return s
	}
	s := avpStore{}
	c.Set(avpKey, s)
	return s
}

type avpSpec struct {
	name func(c *event.Context) string
	all  bool
	idx  func(c *event.Context) (int, bool) // nil without an index
}

// avpKeyOf maps an AVP name to its key: "s:x" and "x" are the string
// name x, "i:12" (also "i:012") is the integer name 12, which is not the
// string name "12".
func avpKeyOf(name string) string {
	if len(name) > 2 && name[1] == ':' {
		switch name[0] {
		case 's', 'S':
			return name[2:]
		case 'i', 'I':
			if n, err := strconv.ParseInt(name[2:], 10, 32); err == nil {
				return "\x00" + strconv.FormatInt(n, 10)
			}
		}
	}
	return name
}

func compileAvp(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name != nil && p.Name.Dyn == nil {
		n := p.Name.Text
		if len(n) > 2 && (n[0] == 'i' || n[0] == 'I') && n[1] == ':' {
			if _, err := strconv.ParseInt(n[2:], 10, 32); err != nil {
				return nil, fmt.Errorf("bad integer AVP name %q", n)
			}
		}
	}
	dyn, err := nameOf(t, p)
	if err != nil {
		return nil, err
	}
	name := dyn
	if p.Name.Dyn == nil {
		key := avpKeyOf(p.Name.Text)
		name = func(*event.Context) string { return key }
	}
	s := &avpSpec{name: name}
	if ix := p.Index; ix != nil {
		switch {
		case ix.All:
			s.all = true
		case ix.PV != nil:
			r, err := t.Compile(ix.PV)
			if err != nil {
				return nil, err
			}
			s.idx = func(c *event.Context) (int, bool) {
				v := r.Get(c)
				switch v.K {
				case value.Int:
					return int(v.I), true
				case value.Str:
					n, err := strconv.Atoi(strings.TrimSpace(v.S))
					return n, err == nil
				}
				return 0, false
			}
		default:
			n := ix.N
			s.idx = func(*event.Context) (int, bool) { return n, true }
		}
	}
	return s, nil
}

func (s *avpSpec) Get(c *event.Context) value.Value {
	st := avps(c)[s.name(c)]
	if len(st) == 0 {
		return value.NullValue
	}
	if s.all {
		var b strings.Builder
		for i := len(st) - 1; i >= 0; i-- {
			if i != len(st)-1 {
				b.WriteString(", ")
			}
			b.WriteString(st[i].String())
		}
		return value.MakeStr(b.String())
	}
	i := 0
	if s.idx != nil {
		n, ok := s.idx(c)
		// Negative indexes read as null in Kamailio 5.6.3.
		if !ok || n < 0 {
			return value.NullValue
		}
		i = n
	}
	if i >= len(st) {
		return value.NullValue
	}
	return st[len(st)-1-i]
}

// Set follows Kamailio 5.6.3's pv_set_avp: a value is pushed on top (an
// index other than [*] is ignored, so $(avp(x)[1]) = v adds v as the
// newest value); [*] removes every value first. $null removes the most
// recent value, or every value with [*].
func (s *avpSpec) Set(c *event.Context, v value.Value) error {
	store := avps(c)
	name := s.name(c)
	st := store[name]
	switch {
	case s.all:
		st = nil
	case v.IsNull():
		if len(st) > 0 {
			st = st[:len(st)-1]
		}
	}
	if !v.IsNull() {
		st = append(st, v.Plain())
	}
	if len(st) == 0 {
		delete(store, name)
		return nil
	}
	store[name] = st
	return nil
}

func (s *avpSpec) Defined(c *event.Context) bool { return !s.Get(c).IsNull() }
