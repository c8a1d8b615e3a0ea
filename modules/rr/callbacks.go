package rr

import (
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// rr's callback API for other modules (Kamailio's register_rrcb): a
// module asks to be told when loose_route() has routed a request by a
// Route entry of this server, with that entry's parameters. dialog
// matches in-dialog requests there, as Kamailio's dlg_onroute does.

// RouteCallback is called by loose_route() (and its variants) once it
// has routed msg, on the event c: params are the URI parameters of this
// server's Route entry, or of the Request-URI when the previous hop was
// a strict router, without the leading ';' ("lr;did=a.b"). It is not
// called when the request was not routed by this server's entry, on an
// error, nor when there are no parameters.
type RouteCallback func(c *event.Context, msg *sipmsg.Msg, params string)

// callbacks are the RouteCallbacks registered, newest first as Kamailio
// runs them.
type callbacks struct {
	mu   sync.Mutex
	list []RouteCallback
}

// OnLooseRoute registers fn; modules call it from Provision.
func (m *Module) OnLooseRoute(fn RouteCallback) {
	m.cbs.mu.Lock()
	m.cbs.list = append([]RouteCallback{fn}, m.cbs.list...)
	m.cbs.mu.Unlock()
}

// runCallbacks calls the RouteCallbacks after a loose_route() that
// returned rc, when it routed by this server's entry.
func (m *Module) runCallbacks(c *event.Context, msg *sipmsg.Msg, rc int) {
	if rc != rrDriven && rc != rrPreloaded {
		return
	}
	st := stateOf(c, msg)
	if !st.routed.set || st.routed.params == "" {
		return
	}
	m.cbs.mu.Lock()
	list := m.cbs.list
	m.cbs.mu.Unlock()
	for _, fn := range list {
		fn(c, msg, st.routed.params)
	}
}
