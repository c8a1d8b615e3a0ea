package klog

import (
	"runtime"
	"sync/atomic"
)

// Kamailio keeps one log prefix per process (log_prefix_val): receive_msg
// sets it from the message it handles and clears it when the routes are
// done, and every line the process prints meanwhile carries it, whichever
// module writes it. A kamgo goroutine plays the process: a Scope binds a
// prefix to the goroutine that handles a message, and the lines that
// goroutine prints through any Logger method find it, so that a module
// logging with the Logger it got at provisioning needs no event at hand.
//
// Scopes cost nothing while none is open: a line looks its goroutine up
// only when some scope exists.

// Scope is the log prefix of what one goroutine is handling. Its prefix
// is computed on first use, by the goroutine that opened it, so that it
// reads the message as it arrived. Prefix and Set belong to that
// goroutine; End may be called from any.
type Scope struct {
	l     *Logger
	gid   uint64
	prev  *Scope // the goroutine's scope s hides
	ended atomic.Bool
	eval  func() string
	text  string
	busy  bool
}

// Begin opens a scope for the calling goroutine whose prefix eval
// computes (nil: no prefix). It hides the scope the goroutine had until
// it ends.
func (l *Logger) Begin(eval func() string) *Scope { return l.BeginOn(0, eval) }

// BeginOn is Begin for a goroutine that knows its id (GoroutineID, 0:
// look it up): a goroutine that handles message after message reads it
// once, since reading it walks the goroutine's stack.
func (l *Logger) BeginOn(gid uint64, eval func() string) *Scope {
	if gid == 0 {
		gid = goid()
	}
	s := &Scope{l: l, gid: gid, eval: eval}
	if old, had := l.scopes.Swap(s.gid, s); had {
		s.prev = old.(*Scope)
	} else {
		l.nscopes.Add(1)
	}
	return s
}

// End closes s: its goroutine's lines get the prefix of the scope s hid,
// if that one has not ended, or none. Ending twice does nothing.
func (s *Scope) End() {
	if s == nil || !s.ended.CompareAndSwap(false, true) {
		return
	}
	prev := s.prev
	for prev != nil && prev.ended.Load() {
		prev = prev.prev
	}
	if prev != nil {
		s.l.scopes.CompareAndSwap(s.gid, s, prev)
		return
	}
	if s.l.scopes.CompareAndDelete(s.gid, s) {
		s.l.nscopes.Add(-1)
	}
}

// Set changes the prefix of s to what eval computes (nil: none), as
// Kamailio sets another message's prefix for a failure route and none
// after it.
func (s *Scope) Set(eval func() string) {
	s.eval, s.text = eval, ""
}

// Prefix returns the prefix of s, computing it on first use. A line
// printed while it is being computed (a pseudo-variable that logs) has
// none, as in Kamailio, where the prefix is unset while it is built.
func (s *Scope) Prefix() string {
	if s == nil {
		return ""
	}
	if s.eval != nil && !s.busy {
		s.busy = true
		s.text = s.eval()
		s.eval = nil
		s.busy = false
	}
	if s.busy {
		return ""
	}
	return s.text
}

// Current returns the calling goroutine's scope, nil when it has none.
func (l *Logger) Current() *Scope {
	if l.nscopes.Load() == 0 {
		return nil
	}
	if s, ok := l.scopes.Load(goid()); ok {
		return s.(*Scope)
	}
	return nil
}

// Prefix returns the prefix of the calling goroutine's scope, "" without
// one.
func (l *Logger) Prefix() string { return l.Current().Prefix() }

// GoroutineID returns the calling goroutine's id, for BeginOn.
func GoroutineID() uint64 { return goid() }

// goid returns the calling goroutine's id, read from the first line of
// its stack trace ("goroutine 18 [running]:"), the one place the runtime
// shows it.
func goid() uint64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	var id uint64
	for _, c := range buf[len("goroutine "):n] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
