package pv

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// The extended AVP lists ($xavp, $xavi, $xavu and the functions over them)
// follow Kamailio 5.6.3's core/xavp.c, whose list operations are visible in
// scripts, quirks included:
//
//   - New items go to the front of a list: index 0 is the newest.
//   - A lookup in an empty child list searches the root list instead
//     (`$xavp(r=>a)` finds a root item named a when r's list is empty).
//     Counting and removing do not fall back.
//   - xavi names compare without ASCII case; xavp and xavu names exactly.
//   - A child list may be absent (`<<xavp:(nil)>>`), which is not the same
//     as a value.
//
// Each event starts with three empty root lists, as Kamailio resets them
// after every message.

var xavpsKey = event.NewKey() // Context slot: *xavps

// xkind is the type of an item's value.
type xkind uint8

const (
	xNull xkind = iota
	xInt
	xStr
	xList
)

// xitem is one extended AVP: a name and a value, which may be a child list.
type xitem struct {
	name string
	kind xkind
	i    int64
	s    string
	sub  []*xitem // the child list of an xList item, nil when empty
	id   uint64   // identity shown where Kamailio prints an address
}

// xfamily is one of the three root lists with its name comparison.
type xfamily struct {
	fold   bool // names compare without ASCII case (xavi)
	root   []*xitem
	nextID *uint64
}

// xavps holds one event's three families.
type xavps struct {
	xavp, xavi, xavu xfamily
	ids              uint64
}

func eventXavps(c *event.Context) *xavps {
	if x, ok := c.Get(xavpsKey).(*xavps); ok {
		return x
	}
	x := &xavps{}
	x.xavi.fold = true
	x.xavp.nextID, x.xavi.nextID, x.xavu.nextID = &x.ids, &x.ids, &x.ids
	c.Set(xavpsKey, x)
	return x
}

// newItem builds an item from a script value: ints stay ints, anything
// else is stored as its string.
func (f *xfamily) newItem(name string, v value.Value) *xitem {
	it := f.blank(name)
	if v.K == value.Int {
		it.kind, it.i = xInt, v.I
	} else {
		it.kind, it.s = xStr, value.ToStr(v)
	}
	return it
}

func (f *xfamily) blank(name string) *xitem {
	*f.nextID++
	return &xitem{name: name, id: *f.nextID}
}

func (f *xfamily) newList(name string, sub []*xitem) *xitem {
	it := f.blank(name)
	it.kind, it.sub = xList, sub
	return it
}

// clone copies an item with a new name; a child list is copied one level
// deep, keeping only plain values (as xavp_clone_level_nodata does). ok is
// false when nothing is left to copy.
func (f *xfamily) clone(it *xitem, name string) (*xitem, bool) {
	if it.kind != xList {
		n := *it
		*f.nextID++
		n.name, n.id = name, *f.nextID
		return &n, true
	}
	var sub []*xitem
	for _, c := range it.sub {
		if c.kind == xList {
			continue
		}
		n := *c
		*f.nextID++
		n.id = *f.nextID
		sub = append(sub, &n)
	}
	if len(sub) == 0 {
		return nil, false
	}
	return f.newList(name, sub), true
}

// same reports whether a and b are the same name for this family.
func (f *xfamily) same(a, b string) bool {
	if !f.fold {
		return a == b
	}
	return asciiEqualFold(a, b)
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// list resolves a list argument: nil is the root list.
func (f *xfamily) list(l *[]*xitem) *[]*xitem {
	if l == nil {
		return &f.root
	}
	return l
}

// lookup returns the list and position of the idx-th item named name in
// l, searching the root list when l is an empty child list (see above).
func (f *xfamily) lookup(name string, l *[]*xitem, idx int) (*[]*xitem, int) {
	if l == nil || len(*l) == 0 {
		l = &f.root
	}
	if idx < 0 {
		return l, -1
	}
	n := 0
	for i, it := range *l {
		if f.same(it.name, name) {
			if n == idx {
				return l, i
			}
			n++
		}
	}
	return l, -1
}

// get returns the idx-th item named name, or nil.
func (f *xfamily) get(name string, l *[]*xitem, idx int) *xitem {
	if l, i := f.lookup(name, l, idx); i >= 0 {
		return (*l)[i]
	}
	return nil
}

// next returns the item after it in l with the same name, or nil.
func (f *xfamily) next(l []*xitem, it *xitem) *xitem {
	found := false
	for _, x := range l {
		if found && f.same(x.name, it.name) {
			return x
		}
		if x == it {
			found = true
		}
	}
	return nil
}

// count returns how many items of l are named name (no root fallback).
func (f *xfamily) count(name string, l *[]*xitem) int {
	n := 0
	for _, it := range *f.list(l) {
		if f.same(it.name, name) {
			n++
		}
	}
	return n
}

// add puts it at the front of l.
func (f *xfamily) add(it *xitem, l *[]*xitem) {
	l = f.list(l)
	*l = append(*l, nil)
	copy((*l)[1:], *l)
	(*l)[0] = it
}

// insertAt puts it at position i of l.
func insertAt(l *[]*xitem, i int, it *xitem) {
	*l = append(*l, nil)
	copy((*l)[i+1:], (*l)[i:])
	(*l)[i] = it
}

// addLast puts it after the last item of l with the same name, or at the
// front when there is none.
func (f *xfamily) addLast(it *xitem, l *[]*xitem) {
	l = f.list(l)
	last := -1
	for i, x := range *l {
		if f.same(x.name, it.name) {
			last = i
		}
	}
	insertAt(l, last+1, it)
}

// set replaces the idx-th item named name with it; false when there is no
// such item.
func (f *xfamily) set(name string, idx int, it *xitem, l *[]*xitem) bool {
	l, i := f.lookup(name, l, idx)
	if i < 0 {
		return false
	}
	(*l)[i] = it
	return true
}

// remove drops the item it from l; false when it is not there.
func (f *xfamily) remove(it *xitem, l *[]*xitem) bool {
	l = f.list(l)
	for i, x := range *l {
		if x == it {
			*l = append((*l)[:i], (*l)[i+1:]...)
			return true
		}
	}
	return false
}

// rmName removes the first item named name, or every one with all, and
// returns how many it removed (no root fallback).
func (f *xfamily) rmName(name string, all bool, l *[]*xitem) int {
	if all {
		return f.rm(name, -1, l)
	}
	return f.rm(name, 0, l)
}

// rmIndex removes the idx-th item named name; a negative idx removes
// nothing.
func (f *xfamily) rmIndex(name string, idx int, l *[]*xitem) int {
	if idx < 0 {
		return 0
	}
	return f.rm(name, idx, l)
}

func (f *xfamily) rm(name string, idx int, l *[]*xitem) int {
	l = f.list(l)
	out := (*l)[:0]
	n, removed := 0, 0
	for _, it := range *l {
		if f.same(it.name, name) {
			hit := idx < 0 || (idx == n && removed == 0)
			n++
			if hit {
				removed++
				continue
			}
		}
		out = append(out, it)
	}
	clear((*l)[len(out):])
	*l = out
	return removed
}

// value is the script value of an item: a child list prints as
// <<xavp:ID>> where Kamailio prints the address of the list's first item,
// <<xavp:(nil)>> for an absent list.
func (it *xitem) value() value.Value {
	switch it.kind {
	case xInt:
		return value.MakeInt(it.i)
	case xStr:
		return value.MakeStr(it.s)
	case xList:
		if len(it.sub) == 0 {
			return value.MakeStr("<<xavp:(nil)>>")
		}
		return value.MakeStr(fmt.Sprintf("<<xavp:0x%x>>", it.sub[0].id))
	}
	return value.NullValue
}

// childList returns the address of it's child list, or nil when it holds a
// value.
func (it *xitem) childList() *[]*xitem {
	if it == nil || it.kind != xList {
		return nil
	}
	return &it.sub
}
