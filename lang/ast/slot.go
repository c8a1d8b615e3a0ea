package ast

// Slot is where Kamailio files a route block: one list per kind of route,
// one slot per name in it. Slot "" of a list holds the unnamed block,
// which a block named "0" names too: route[0] and route(0) are
// request_route, onreply_route[0] is the core reply route.
type Slot struct {
	Kind RouteKind
	Name string
}

// SlotOf returns the slot of the block or route reference (kind, name).
func SlotOf(kind RouteKind, name string) Slot {
	switch kind {
	case Request:
		return Slot{Request, ""}
	case Reply:
		return Slot{Reply, ""}
	case Named:
		if name == "" || name == "0" {
			return Slot{Request, ""}
		}
	case OnReply:
		if name == "0" {
			return Slot{Reply, ""}
		}
	case Failure, Branch, OnSend:
		if name == "0" {
			name = ""
		}
	}
	return Slot{kind, name}
}

// Slot returns where Kamailio files r, and whether r joins what the slot
// already holds (its statements are added after them) instead of needing
// an empty slot: unnamed blocks join, and so does onreply_route[0]; a
// named block, route[0] included, needs an empty slot.
func (r *Route) Slot() (s Slot, joins bool) {
	s = SlotOf(r.Kind, r.Name)
	switch r.Kind {
	case Request, Reply:
		joins = true
	case OnReply:
		joins = r.Name == "0"
	case Failure, Branch, OnSend:
		joins = r.Name == ""
	}
	return s, joins
}
