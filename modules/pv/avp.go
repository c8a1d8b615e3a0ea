package pv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

var avpKey = event.NewKey() // Context slot: avpStore ($avp, per event)

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
