package server

import "github.com/kamgo/kamgo/runtime/event"

// AcquireContext returns a reset Context for one event on worker w, from
// a pool; give it back with ReleaseContext once the event is done.
func (s *Server) AcquireContext(w *event.Worker) *event.Context {
	c := s.ctxs.Get().(*event.Context)
	c.Reset()
	c.Worker = w
	c.Log = s.log
	return c
}

// ReleaseContext returns c to the pool.
func (s *Server) ReleaseContext(c *event.Context) {
	c.Reset()
	c.Worker = nil
	s.ctxs.Put(c)
}

// Dispatch runs event_route[event] on worker w with a pooled Context that
// init prepares (module data such as the received message).
func (s *Server) Dispatch(event string, w *event.Worker, init func(*event.Context)) (rc int, ok bool) {
	c := s.AcquireContext(w)
	if init != nil {
		init(c)
	}
	rc, ok = s.host.RunEvent(c, event)
	s.ReleaseContext(c)
	return rc, ok
}
