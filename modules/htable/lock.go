package htable

import (
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
)

// owner identifies who holds a slot lock. Kamailio's slot locks are
// recursive per process: a worker that took a slot with sht_lock, or is
// walking it with an iterator, reads and writes its items without
// blocking on itself. In kamgo the worker (event.Worker) is the process;
// an operation without one (an RPC command, the timer) uses a token of
// its own.
type owner any

// ownerOf returns the owner for an event: its worker, or the context
// itself when it has none.
func ownerOf(c *event.Context) owner {
	if c == nil {
		return new(byte)
	}
	if c.Worker != nil {
		return c.Worker
	}
	return c
}

// slotLock is a lock its holder may take again; each lock needs an
// unlock.
type slotLock struct {
	mu     sync.Mutex
	cond   sync.Cond
	holder owner
	depth  int
}

func (l *slotLock) init() { l.cond.L = &l.mu }

// lock takes the lock for o, waiting while another owner holds it.
func (l *slotLock) lock(o owner) {
	l.mu.Lock()
	for l.holder != nil && l.holder != o {
		l.cond.Wait()
	}
	if l.holder == o {
		l.depth++
	} else {
		l.holder, l.depth = o, 0
	}
	l.mu.Unlock()
}

// unlock releases one lock o holds. An unlock by an owner that does not
// hold the lock (sht_unlock without sht_lock) does nothing: in Kamailio it
// would release another process's lock.
func (l *slotLock) unlock(o owner) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder != o {
		return
	}
	if l.depth > 0 {
		l.depth--
		return
	}
	l.holder = nil
	l.cond.Signal()
}
