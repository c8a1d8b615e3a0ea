// Package routetype owns the one type for Kamailio's route types: the bit
// set a function's export declares it may run in, and the type of the route
// block an event runs (src/core/route.h bit values). The checker tests calls
// against it, the catalog stores it, and the runtime marks each running
// event with it.
package routetype

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// Mask is a set of route types.
type Mask uint16

// Route type bits, with Kamailio's values.
const (
	Request       Mask = 1 << 0
	Failure       Mask = 1 << 1
	OnReply       Mask = 1 << 2 // tm onreply_route[name]
	Branch        Mask = 1 << 3
	OnSend        Mask = 1 << 4
	Error         Mask = 1 << 5
	Local         Mask = 1 << 6
	CoreOnReply   Mask = 1 << 7 // onreply_route without name (or [0]), reply_route
	BranchFailure Mask = 1 << 8
	OnEvent       Mask = 1 << 9 // Kamailio's ONEVENT_ROUTE bit
	Any           Mask = 1<<10 - 1
)

// Event is the type of an event_route block: Kamailio defines EVENT_ROUTE
// as REQUEST_ROUTE|ONEVENT_ROUTE, so request functions run there.
const Event = Request | OnEvent

var names = []struct {
	name string
	m    Mask
}{
	{"REQUEST", Request}, {"FAILURE", Failure}, {"ONREPLY", OnReply},
	{"BRANCH", Branch}, {"ONSEND", OnSend}, {"ERROR", Error}, {"LOCAL", Local},
	{"CORE_ONREPLY", CoreOnReply}, {"BRANCH_FAILURE", BranchFailure},
	{"EVENT", OnEvent},
}

// String writes the mask as "ANY" or a |-separated list of bit names.
func (m Mask) String() string {
	if m&Any == Any {
		return "ANY"
	}
	var parts []string
	for _, n := range names {
		if m&n.m != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// Parse reads "ANY" or a |-separated list of the names String writes.
func Parse(s string) (Mask, bool) {
	if s == "ANY" {
		return Any, true
	}
	var m Mask
	for _, p := range strings.Split(s, "|") {
		ok := false
		for _, n := range names {
			if n.name == p {
				m |= n.m
				ok = true
			}
		}
		if !ok {
			return 0, false
		}
	}
	return m, true
}

// Allows reports whether a function exported with mask m may be called in a
// block of route type rt, as the config parser decides it
// (sr_cmd_flags_match in src/core/sr_module.c): all bits of rt must be in m,
// except that in event_route any function with REQUEST or EVENT is allowed.
func (m Mask) Allows(rt Mask) bool {
	if m&rt == rt {
		return true
	}
	return rt == Event && m&Event != 0
}

// Of returns the route type a block of kind k runs with. A named route[X]
// has no type of its own: it runs with its caller's; Of gives Request, the
// type of the route block that calls most of them.
func Of(k ast.RouteKind) Mask {
	switch k {
	case ast.Failure:
		return Failure
	case ast.Branch:
		return Branch
	case ast.OnReply:
		return OnReply
	case ast.Reply:
		return CoreOnReply
	case ast.OnSend:
		return OnSend
	case ast.Event:
		return Event
	}
	return Request
}
