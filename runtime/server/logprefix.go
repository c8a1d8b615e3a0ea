package server

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Where log_prefix applies, as in Kamailio 5.6.3 (receive_msg and
// dprint.c's log_prefix_set, tm's run_failure_handlers): on every line a
// goroutine prints while it handles a received SIP request or reply, from
// the first layer to the forwarding of a reply, whichever module prints
// it; for a failure route, the transaction's request's prefix, and none
// after the route until the message is done. An HTTP request has none,
// and so has everything outside a message: start-up, timers, evapi and
// the other event routes a module raises on its own, t_continue from
// such a route. The SIP transport opens the scope through the Router
// (sipRouter); routes read it when they start (host.Run).

// logPrefixSize is the size of Kamailio's buffer for the expanded prefix;
// a longer expansion does not fit and the message's lines have none.
const logPrefixSize = 1024

// messagePrefix expands log_prefix for the message of c; "" without
// log_prefix, without a SIP message, or when it does not fit.
func (s *Server) messagePrefix(c *event.Context) string {
	f := s.prefix.Load()
	if f == nil {
		return ""
	}
	m := sipmsg.FromContext(c)
	if m == nil || m.IsHTTP() {
		return ""
	}
	p := f.String(c)
	if len(p) >= logPrefixSize {
		return ""
	}
	return p
}

// beginMessage opens the log scope of the message c is about to carry,
// on the calling goroutine and c's worker; the prefix is expanded when
// first needed, once the transport has set the message and before any
// route changes it.
func (s *Server) beginMessage(c *event.Context) {
	if s.prefix.Load() == nil {
		return
	}
	var gid uint64
	if c.Worker != nil {
		gid = c.Worker.Goroutine
	}
	c.LogScope = s.log.BeginOn(gid, func() string { return s.messagePrefix(c) })
	if c.Worker != nil {
		c.Worker.LogScope = c.LogScope
	}
}

// routeLogPrefix sets c.LogPrefix for a route starting on the calling
// goroutine: the prefix of the message its worker handles (a route a
// transaction runs has a Context of its own, on the worker of the
// message that runs it), "" otherwise, which the logger reads as the
// goroutine's own. A failure route sets the prefix to its faked
// request's first; the returned function, when not nil, runs after the
// route and leaves no prefix, as Kamailio does.
//
// With log_prefix_mode=1 the route also expands the prefix again from its
// own message before and after every action (c.LogRefresh), as Kamailio's
// run_actions does: a prefix with $var or $avp shows the values the
// script set. A route with no message scope (an event route, a timer's)
// gets one for its duration; Kamailio keeps the last value for whatever
// its process prints next.
func (s *Server) routeLogPrefix(c *event.Context, t event.Target) (after func()) {
	c.LogRefresh = nil
	if s.prefix.Load() == nil {
		c.LogPrefix = ""
		return nil
	}
	sc := c.LogScope
	if sc == nil && c.Worker != nil {
		sc = c.Worker.LogScope
	}
	each := s.prefixEach.Load()
	if !each && t.Kind != ast.Failure {
		c.LogPrefix = sc.Prefix()
		return nil
	}
	// Made here, past the common case above: a closure is allocated
	// where it is written.
	eval := func() string { return s.messagePrefix(c) }
	if each {
		return s.refreshEach(c, sc, eval)
	}
	if sc != nil {
		sc.Set(eval)
		c.LogPrefix = sc.Prefix()
		return func() { sc.Set(nil) }
	}
	// A timer's goroutine: the scope lasts for the route.
	sc, end := s.routeScope(c, eval)
	c.LogPrefix = sc.Prefix()
	return end
}

// routeScope begins a log scope for a route on a goroutine that has none
// (a timer's, an event route's), on c's worker too; end ends it.
func (s *Server) routeScope(c *event.Context, eval func() string) (sc *klog.Scope, end func()) {
	sc = s.log.Begin(eval)
	w := c.Worker
	if w != nil {
		w.LogScope = sc
	}
	return sc, func() {
		sc.End()
		if w != nil && w.LogScope == sc {
			w.LogScope = nil
		}
	}
}

// refreshEach is routeLogPrefix under log_prefix_mode=1: c.LogRefresh
// expands the prefix for c's message into the scope sc (one made for the
// route when there is none) and c.LogPrefix.
func (s *Server) refreshEach(c *event.Context, sc *klog.Scope, eval func() string) (after func()) {
	end := func() {}
	if sc == nil {
		sc, end = s.routeScope(c, eval)
	}
	c.LogRefresh = func() {
		sc.Set(eval)
		c.LogPrefix = sc.Prefix()
	}
	c.LogRefresh()
	return func() {
		c.LogRefresh = nil
		end()
	}
}
