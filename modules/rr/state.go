package rr

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// What rr remembers about the request an event handles: Kamailio keeps it
// in message flags (FL_RR_ADDED, FL_ROUTE_ADDR), in the message's lumps
// and in per-process variables keyed by the message id (the rr_param
// buffer, the routed parameters, the direction). kamgo keeps it in the
// event, per message: a branch's copy of the request starts afresh and
// leaves the request's own state as it was.

var stateKey = event.NewKey()

// state is rr's view of one request.
type state struct {
	// added is set once a Record-Route was added outside a branch route:
	// a second attempt fails.
	added bool
	// pending holds the add_rr_param texts given before any Record-Route.
	pending string
	// slots are the Record-Route headers added, in message order, each
	// an edit of msg (text as inserted); a slot with hidden set is the
	// outbound Record-Route of a double record-route, which is only
	// written when the request leaves from another socket than it came
	// in on (see the README).
	slots []slot
	// routeAddr is set by loose_route when the next hop came from the
	// Route set (rr_next_hop_route).
	routeAddr bool
	// routed are this server's Route parameters as loose_route found
	// them; unset, they are read again from the top Route.
	routed routed
	// dir is the direction once is_direction decided it (0: not yet).
	dir int
}

// slot is one Record-Route header added to the message.
type slot struct {
	text   string
	hidden bool
}

// routed are the URI parameters of this server's Route entry (or of the
// Request-URI after a strict router). semi is set when the ';' before
// them belongs to what check_route_param matches.
type routed struct {
	set    bool
	params string
	semi   bool
}

// Directions, as Kamailio numbers them ($rdir(id)).
const (
	downstream = 1
	upstream   = 2
)

// stateOf returns the rr state of msg in c.
func stateOf(c *event.Context, msg *sipmsg.Msg) *state {
	states, _ := c.Get(stateKey).(map[*sipmsg.Msg]*state)
	if s, ok := states[msg]; ok {
		return s
	}
	if states == nil {
		states = map[*sipmsg.Msg]*state{}
		c.Set(stateKey, states)
	}
	s := &state{}
	states[msg] = s
	return s
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
