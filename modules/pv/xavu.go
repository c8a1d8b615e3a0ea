package pv

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// $xavu(name) and $xavu(name=>key): extended AVPs with unique names.
// There are no indexes: the name is everything before "=>" (trimmed) and
// the key everything after it. Assigning replaces the item of that name in
// place, or adds one at the front. As in Kamailio 5.6.3, assigning a key
// under a root item that holds a plain value adds a second root item of
// that name in front (the old one stays, hidden behind the new one).
type xavuSpec struct {
	name, key string
	hasKey    bool
}

func compileXavu(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
	if p.Name == nil {
		return nil, fmt.Errorf("missing name")
	}
	s := strings.Trim(p.Name.Text, " \t\r\n")
	if s == "" {
		return nil, fmt.Errorf("missing name")
	}
	i := strings.IndexByte(s, '=')
	if i < 0 {
		return &xavuSpec{name: s}, nil
	}
	if i >= len(s)-2 || s[i+1] != '>' {
		return nil, fmt.Errorf("bad name %q", s)
	}
	return &xavuSpec{name: s[:i], key: s[i+2:], hasKey: true}, nil
}

func (s *xavuSpec) Get(c *event.Context) value.Value {
	f := &eventXavps(c).xavu
	it := f.get(s.name, nil, 0)
	if it == nil {
		return value.NullValue
	}
	if !s.hasKey {
		return it.value()
	}
	sub := it.childList()
	if sub == nil {
		return value.NullValue
	}
	if k := f.get(s.key, sub, 0); k != nil {
		return k.value()
	}
	return value.NullValue
}

func (s *xavuSpec) Set(c *event.Context, v value.Value) error {
	f := &eventXavps(c).xavu
	if v.IsNull() {
		if !s.hasKey {
			f.rmName(s.name, true, nil)
			return nil
		}
		if sub := f.get(s.name, nil, 0).childList(); sub != nil {
			f.rmName(s.key, true, sub)
		}
		return nil
	}
	if !s.hasKey {
		f.setUnique(f.newItem(s.name, v), nil)
		return nil
	}
	f.setUniqueChild(s.name, f.newItem(s.key, v))
	return nil
}

func (s *xavuSpec) Defined(c *event.Context) bool { return !s.Get(c).IsNull() }

// setUnique replaces the first item named like it in l (searched as
// lookups are, so an empty child list means the root list), or puts it at
// the front of the root list when there is none (xavu_set_xval).
func (f *xfamily) setUnique(it *xitem, l *[]*xitem) {
	if f.set(it.name, 0, it, l) {
		return
	}
	f.add(it, nil)
}

// setUniqueChild sets the child of the first root item named name
// (xavu_set_child_xval): an existing child of that name is replaced by one
// at the front of the child list; a root item holding a plain value gets a
// new list item in front of it.
func (f *xfamily) setUniqueChild(name string, child *xitem) {
	r := f.get(name, nil, 0)
	sub := r.childList()
	if sub == nil {
		f.add(f.newList(name, []*xitem{child}), nil)
		return
	}
	if old := f.get(child.name, sub, 0); old != nil {
		f.remove(old, sub)
	}
	f.add(child, sub)
}
