package pv

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// XavpField is one member of an XAVP list: a name and a value (int,
// string or null), or, with List set, a nested list (Kamailio's
// SR_XTYPE_XAVP member, which has no script value).
type XavpField struct {
	Name  string
	Value value.Value
	List  bool
}

// AddXavpList adds a root XAVP named name holding a list built from
// fields, in front of the other roots of that name (it becomes index 0),
// as Kamailio's xavp_add_value does. Each field goes in front of the ones
// before it, so the last field is the list's first member. An empty
// fields still adds a root holding an empty list. Other modules (jansson's
// jansson_xdecode) use it to build $xavp values.
func AddXavpList(c *event.Context, name string, fields []XavpField) {
	f := &eventXavps(c).xavp
	var sub []*xitem
	for _, fd := range fields {
		var it *xitem
		switch {
		case fd.List:
			it = f.newList(fd.Name, nil)
		case fd.Value.IsNull():
			it = f.blank(fd.Name)
		default:
			it = f.newItem(fd.Name, fd.Value)
		}
		f.add(it, &sub)
	}
	f.add(f.newList(name, sub), nil)
}

// XavpList returns the members of the newest root XAVP named name, first
// member first. ok is false when there is no such XAVP or it holds a
// value rather than a list (jansson_xencode fails then).
func XavpList(c *event.Context, name string) (fields []XavpField, ok bool) {
	f := &eventXavps(c).xavp
	it := f.get(name, nil, 0)
	if it == nil || it.kind != xList {
		return nil, false
	}
	fields = make([]XavpField, 0, len(it.sub))
	for _, m := range it.sub {
		fields = append(fields, XavpField{Name: m.name, Value: m.value(), List: m.kind == xList})
	}
	return fields, true
}
