package pv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// $xavp(name[i]=>key[j]): extended AVPs, one list per event (Kamailio
// keeps them per message, so each evapi event starts empty). A root item
// holds either a value or a list of key/value items. New items go to the
// front: index 0 is the newest, a negative index counts from the end.
// The rules below are those of Kamailio 5.6.3's pv_get_xavp/pv_set_xavp.

var xavpKey = event.NewKey() // Context slot: *xlist

// xitem is one xavp: a value (int or string) or a sub-list.
type xitem struct {
	name string
	val  value.Value
	sub  *xlist // set when the item holds a list
	id   uint64
}

// xlist is a list of items, newest first.
type xlist struct {
	items  []*xitem
	nextID *uint64
}

func (l *xlist) count(name string) int {
	n := 0
	for _, it := range l.items {
		if it.name == name {
			n++
		}
	}
	return n
}

// at returns the position in l.items of the idx-th item named name.
func (l *xlist) at(name string, idx int) int {
	if idx < 0 {
		return -1
	}
	for i, it := range l.items {
		if it.name == name {
			if idx == 0 {
				return i
			}
			idx--
		}
	}
	return -1
}

func (l *xlist) get(name string, idx int) *xitem {
	if i := l.at(name, idx); i >= 0 {
		return l.items[i]
	}
	return nil
}

func (l *xlist) add(it *xitem) {
	l.items = append(l.items, nil)
	copy(l.items[1:], l.items)
	l.items[0] = it
}

// set replaces the idx-th item named name; false when there is none.
func (l *xlist) set(name string, idx int, v value.Value) bool {
	i := l.at(name, idx)
	if i < 0 {
		return false
	}
	l.items[i] = &xitem{name: name, val: v}
	return true
}

// rmName removes the first item named name, or all of them.
func (l *xlist) rmName(name string, all bool) {
	out := l.items[:0]
	done := false
	for _, it := range l.items {
		if it.name == name && !done {
			done = !all
			continue
		}
		out = append(out, it)
	}
	clear(l.items[len(out):])
	l.items = out
}

func (l *xlist) rmIndex(name string, idx int) {
	if i := l.at(name, idx); i >= 0 {
		l.items = append(l.items[:i], l.items[i+1:]...)
	}
}

func rootXavps(c *event.Context) *xlist {
	if l, ok := c.Get(xavpKey).(*xlist); ok {
		return l
	}
	l := &xlist{nextID: new(uint64)}
	c.Set(xavpKey, l)
	return l
}

// xindex is a compiled [n], [*] or [$pv] inside an xavp name.
type xindex struct {
	set bool // an index was written
	all bool
	n   int
	ref *pv.Ref
}

func (x xindex) get(c *event.Context) (idx int, all bool) {
	switch {
	case !x.set:
		return 0, false
	case x.all:
		return 0, true
	case x.ref != nil:
		n, _ := value.ToInt(x.ref.Get(c))
		return int(n), false
	}
	return x.n, false
}

type xavpSpec struct {
	name, key string
	hasKey    bool
	idx, kidx xindex
}

// parseXavpPart parses "name" or "name[index]".
func parseXavpPart(t *pv.Table, s string) (string, xindex, error) {
	var x xindex
	open := strings.IndexByte(s, '[')
	if open < 0 {
		if s == "" {
			return "", x, fmt.Errorf("missing name")
		}
		return s, x, nil
	}
	if !strings.HasSuffix(s, "]") || open == 0 {
		return "", x, fmt.Errorf("bad name %q", s)
	}
	name, in := s[:open], strings.TrimSpace(s[open+1:len(s)-1])
	x.set = true
	switch {
	case in == "*":
		x.all = true
	case strings.HasPrefix(in, "$"):
		p, d := pvsyntax.ParsePV(in, diag.Range{})
		if d != nil {
			return "", x, fmt.Errorf("bad index %q", in)
		}
		r, err := t.Compile(p)
		if err != nil {
			return "", x, err
		}
		x.ref = r
	default:
		n, err := strconv.Atoi(in)
		if err != nil {
			return "", x, fmt.Errorf("bad index %q", in)
		}
		x.n = n
	}
	return name, x, nil
}

func compileXavp(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("missing name")
	}
	s := &xavpSpec{}
	root, key, hasKey := strings.Cut(p.Name.Text, "=>")
	var err error
	if s.name, s.idx, err = parseXavpPart(t, strings.TrimSpace(root)); err != nil {
		return nil, err
	}
	if hasKey {
		s.hasKey = true
		if s.key, s.kidx, err = parseXavpPart(t, strings.TrimSpace(key)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func xvalue(it *xitem) value.Value {
	if it.sub != nil {
		// Kamailio prints the list's address; kamgo prints an id that
		// is stable for the item.
		return value.MakeStr(fmt.Sprintf("<<xavp:0x%x>>", it.id))
	}
	return it.val
}

func (s *xavpSpec) Get(c *event.Context) value.Value {
	l := rootXavps(c)
	idx, _ := s.idx.get(c)
	if idx < 0 {
		idx += l.count(s.name)
	}
	it := l.get(s.name, idx)
	if it == nil {
		return value.NullValue
	}
	if !s.hasKey {
		return xvalue(it)
	}
	if it.sub == nil {
		return value.NullValue
	}
	sub := it.sub
	kidx, all := s.kidx.get(c)
	if kidx < 0 {
		kidx += sub.count(s.key)
	}
	i := sub.at(s.key, kidx)
	if i < 0 {
		return value.NullValue
	}
	if !all {
		return xvalue(sub.items[i])
	}
	// [*] on the key: this value and the later ones of the same key.
	var b strings.Builder
	first := true
	for _, it := range sub.items[i:] {
		if it.name != s.key {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(value.ToStr(xvalue(it)))
	}
	return value.MakeStr(b.String())
}

// fixSet is the negative index rule of pv_set_xavp: count + idx + 1.
func fixSet(l *xlist, name string, idx int) int {
	if idx < 0 {
		return l.count(name) + idx + 1
	}
	return idx
}

func (s *xavpSpec) Set(c *event.Context, v value.Value) error {
	l := rootXavps(c)
	idx, all := s.idx.get(c)
	if v.IsNull() {
		s.unset(c, l, idx, all)
		return nil
	}
	v = v.Plain()
	if !s.hasKey {
		if s.idx.set {
			if all {
				return fmt.Errorf("cannot set $xavp(%s[*])", s.name)
			}
			if !l.set(s.name, fixSet(l, s.name, idx), v) {
				return fmt.Errorf("no $xavp(%s) at index %d", s.name, idx)
			}
			return nil
		}
		l.add(s.newItem(l, s.name, v))
		return nil
	}
	kidx, kall := s.kidx.get(c)
	if s.idx.set {
		if all {
			return nil
		}
		it := l.get(s.name, fixSet(l, s.name, idx))
		if it == nil {
			return nil
		}
		if it.sub == nil {
			return fmt.Errorf("$xavp(%s) holds no list", s.name)
		}
		if s.kidx.set {
			if !kall {
				it.sub.set(s.key, fixSet(it.sub, s.key, kidx), v)
			}
			return nil
		}
		it.sub.add(s.newItem(l, s.key, v))
		return nil
	}
	sub := &xlist{nextID: l.nextID}
	sub.add(s.newItem(l, s.key, v))
	root := s.newItem(l, s.name, value.NullValue)
	root.sub = sub
	l.add(root)
	return nil
}

func (s *xavpSpec) newItem(l *xlist, name string, v value.Value) *xitem {
	*l.nextID++
	return &xitem{name: name, val: v, id: 0x1000 + *l.nextID*0x40}
}

func (s *xavpSpec) unset(c *event.Context, l *xlist, idx int, all bool) {
	if !s.hasKey {
		switch {
		case s.idx.set && all:
			l.rmName(s.name, true)
		case idx == 0:
			l.rmName(s.name, false)
		default:
			l.rmIndex(s.name, fixSet(l, s.name, idx))
		}
		return
	}
	kidx, kall := s.kidx.get(c)
	rmKey := func(it *xitem) {
		if it == nil || it.sub == nil {
			return
		}
		switch {
		case s.kidx.set && kall:
			it.sub.rmName(s.key, true)
		case s.kidx.set:
			it.sub.rmIndex(s.key, fixSet(it.sub, s.key, kidx))
		default:
			it.sub.rmName(s.key, false)
		}
	}
	if all {
		for _, it := range l.items {
			if it.name == s.name {
				rmKey(it)
			}
		}
		return
	}
	if idx != 0 {
		idx = fixSet(l, s.name, idx)
	}
	rmKey(l.get(s.name, idx))
}

func (s *xavpSpec) Defined(c *event.Context) bool { return !s.Get(c).IsNull() }
