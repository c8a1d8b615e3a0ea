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

// Dispatch runs the route block t names on worker w with a pooled Context
// that init prepares (module data such as the received message). A
// Context the route detached (a suspended transaction) is not given back
// to the pool: its new owner resumes it and releases it.
func (s *Server) Dispatch(t event.Target, w *event.Worker, init func(*event.Context)) (rc int, ok bool) {
	c := s.AcquireContext(w)
	if init != nil {
		init(c)
	}
	rc, ok = s.host.Run(c, t)
	if !c.Detached() {
		s.ReleaseContext(c)
	}
	return rc, ok
}

// Resume runs t on a Context detached by an earlier event, on worker w
// (the worker of the event that resumes it), and gives the Context back to
// the pool unless the route detached it again.
func (s *Server) Resume(c *event.Context, t event.Target, w *event.Worker) (rc int, ok bool) {
	c.Resume(w)
	rc, ok = s.host.Run(c, t)
	if !c.Detached() {
		s.ReleaseContext(c)
	}
	return rc, ok
}
