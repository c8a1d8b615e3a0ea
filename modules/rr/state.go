package rr

import (
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// What rr remembers about the request an event handles: Kamailio keeps it
// in message flags (FL_RR_ADDED, FL_ROUTE_ADDR), in the message's lumps
// and in per-process variables keyed by the message id (the rr_param
// buffer, the routed parameters, the direction). kamgo keeps it in the
// event, per message. tm runs branch and failure routes on copies of the
// request, each carrying the edits of the request it was copied from;
// such a copy starts with a copy of that request's state, so that
// add_rr_param there reaches the Record-Route added before (Kamailio's
// routes see the same lumps), while the request's own state stays as it
// was.

var stateKey = event.NewKey()

// states are the rr states of an event's messages. A transaction's events
// share the map (tm keeps a snapshot of the request's event for its
// failure routes), so it is guarded.
type states struct {
	mu sync.Mutex
	m  map[*sipmsg.Msg]*state
}

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
	all, _ := c.Get(stateKey).(*states)
	if all == nil {
		all = &states{m: map[*sipmsg.Msg]*state{}}
		c.Set(stateKey, all)
	}
	all.mu.Lock()
	defer all.mu.Unlock()
	if s, ok := all.m[msg]; ok {
		return s
	}
	s := all.origin(msg)
	all.m[msg] = s
	return s
}

// origin is the state a message starts with: a copy of the state of the
// message it was copied from, found as the one with the most Record-Route
// headers whose every header is an insertion msg still carries; a new
// state when there is none.
func (all *states) origin(msg *sipmsg.Msg) *state {
	var from *state
	for m, st := range all.m {
		if m == msg || !st.carriedBy(msg) {
			continue
		}
		if from == nil || len(st.slots) > len(from.slots) {
			from = st
		}
	}
	if from == nil {
		return &state{}
	}
	cp := *from
	cp.slots = append([]slot(nil), from.slots...)
	return &cp
}

// carriedBy reports whether st has a Record-Route written in the message
// and msg carries each of st's written Record-Route headers as it is.
func (st *state) carriedBy(msg *sipmsg.Msg) bool {
	n := 0
	for _, sl := range st.slots {
		if sl.hidden {
			continue
		}
		if !hasInsert(msg, sl.text) {
			return false
		}
		n++
	}
	return n > 0
}

// hasInsert reports whether text is one of msg's insertions.
func hasInsert(msg *sipmsg.Msg, text string) bool {
	for _, e := range msg.Edits {
		if e.Len == 0 && e.Text == text {
			return true
		}
	}
	return false
}

func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}
