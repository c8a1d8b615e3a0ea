package evapi

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/internal/evloop"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
)

// loop is one event loop: a goroutine waiting (internal/evloop) on its
// clients' sockets. A round reads each ready client once, runs
// message-received for every whole frame on the loop's worker, and then
// writes each client the routes queued frames for, once. Reads, routes and
// replies run on the loop's own thread with no goroutine hand-off, as in
// Kamailio's dispatcher process. There is one loop per message worker
// (`workers`, at least one), each holding its worker for good; a client
// belongs to one loop, so its frames run in order.
//
// A loop that carries most of the process's work holds a P of its own
// (hold.go) and waits in epoll_wait on its thread, as Kamailio's process
// does: one system call per wait. Otherwise it parks in the runtime's
// poller, which costs three more (internal/evloop says why).
type loop struct {
	m    *Module
	p    *evloop.Poller
	hold holder        // whether the loop holds a P and its Poller blocks
	w    *event.Worker // nil with workers=0: the dispatcher's, per read
	rbuf []byte        // frames are parsed in place here

	// Loop goroutine only.
	conns      []*client // by descriptor
	dirty      []*client // clients this round's routes queued frames for
	dirtySince time.Time
	timed      []*client // clients with a deadline: send_data_timeout or draining

	mu     sync.Mutex
	done   bool      // the loop has stopped
	inbox  []*client // accepted clients to watch
	posted []*client // armed by other goroutines under send_data_timeout
	n      atomic.Int64
}

// batchAge bounds how long the frames a round's routes queue wait while
// later frames of the round run: a slow route does not delay the replies
// to earlier frames by more than this.
const batchAge = 200 * time.Microsecond

// eventBatch is the most ready descriptors one round handles.
const eventBatch = 256

func newLoop(m *Module) (*loop, error) {
	p, err := evloop.New(eventBatch)
	if err != nil {
		return nil, err
	}
	size := loopReadBuf
	if !m.netstring {
		// One read is one message, as in Kamailio, so reads are never
		// split by a small buffer.
		size = max(size, m.maxFrame)
	}
	l := &loop{m: m, p: p, rbuf: make([]byte, size)}
	l.hold.init(l, time.Now())
	return l, nil
}

// close releases the loop's Poller and its P.
func (l *loop) close() {
	l.hold.release(l)
	l.p.Close()
}

// add hands an accepted client to the loop.
func (l *loop) add(c *client) {
	l.n.Add(1)
	l.mu.Lock()
	if l.done {
		// Stopped meanwhile: close it as the loop would have.
		l.mu.Unlock()
		c.m.freeSlot(c)
		c.qmu.Lock()
		c.closed, c.fdClosed = true, true
		c.dropOutLocked()
		c.qmu.Unlock()
		evloop.Close(c.fd)
		c.m.stats.active.Add(-1)
		return
	}
	l.inbox = append(l.inbox, c)
	l.mu.Unlock()
	l.p.Wake()
}

// post tells the loop that another goroutine armed c under
// send_data_timeout, so that the loop keeps its deadline.
func (l *loop) post(c *client) {
	l.mu.Lock()
	l.posted = append(l.posted, c)
	l.mu.Unlock()
	l.p.Wake()
}

func (l *loop) run() {
	m := l.m
	defer m.wg.Done()
	defer l.close()
	if m.pool != nil {
		l.w = m.pool.Get()
		defer m.pool.Release(l.w)
	}
	for round := 1; ; round++ {
		evs, woken, err := l.p.Wait(l.hold.timeout(l.timeout()))
		now := time.Now()
		l.hold.woke(l, now, round)
		if err != nil {
			m.log.Logf(klog.Crit, Name, "evapi: event loop failed: %v", err)
		}
		if m.stopping.Load() || err != nil {
			l.closeAll()
			return
		}
		if woken {
			l.takeInbox()
		}
		for _, ev := range evs {
			if ev.Fd >= len(l.conns) {
				continue
			}
			c := l.conns[ev.Fd]
			if c == nil {
				continue
			}
			if ev.Out {
				c.writable(l)
			}
			if ev.In && !c.ended {
				c.readable(l)
			}
		}
		l.flush()
		if len(l.timed) > 0 {
			l.expire()
		}
		l.hold.busy += time.Since(now)
	}
}

// takeInbox watches the accepted clients and takes the deadlines posted.
func (l *loop) takeInbox() {
	l.mu.Lock()
	in, posted := l.inbox, l.posted
	l.inbox, l.posted = nil, nil
	l.mu.Unlock()
	for _, c := range in {
		for c.fd >= len(l.conns) {
			l.conns = append(l.conns, make([]*client, max(64, len(l.conns)))...)
		}
		l.conns[c.fd] = c
		c.qmu.Lock()
		err := l.p.Watch(c.fd, c.armed)
		c.watched = err == nil
		c.qmu.Unlock()
		if err != nil {
			m := l.m
			m.log.Logf(klog.Err, Name, "evapi_accept_client(): cannot watch %s: %v", c.where(), err)
			c.end(l)
		}
	}
	l.timed = append(l.timed, posted...)
}

// flush writes every client the round's routes queued frames for.
func (l *loop) flush() {
	for i, c := range l.dirty {
		c.qmu.Lock()
		c.pending = false
		if !c.closed && !c.armed {
			c.writeOutLocked()
		}
		c.qmu.Unlock()
		l.dirty[i] = nil
	}
	l.dirty = l.dirty[:0]
}

// flushIfOld flushes when the round's first queued frame has waited
// batchAge.
func (l *loop) flushIfOld() {
	if len(l.dirty) > 0 && time.Since(l.dirtySince) > batchAge {
		l.flush()
	}
}

// timeout is how long the next Wait may block: until the nearest deadline
// of a timed client, or for ever.
func (l *loop) timeout() int {
	if len(l.timed) == 0 {
		return -1
	}
	var next time.Time
	for _, c := range l.timed {
		c.qmu.Lock()
		var at time.Time
		switch {
		case c.fdClosed:
		case c.draining:
			at = c.drainBy
		case c.armed && l.m.sendDataTimeout > 0:
			at = c.armedAt.Add(l.m.sendDataTimeout)
		}
		c.qmu.Unlock()
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	if next.IsZero() {
		l.timed = l.timed[:0]
		return -1
	}
	d := time.Until(next)
	if d <= 0 {
		return 0
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

// expire closes the timed clients whose deadline passed: a drain that
// took too long, or a socket blocked for send_data_timeout.
func (l *loop) expire() {
	now := time.Now()
	keep := l.timed[:0]
	for _, c := range l.timed {
		c.qmu.Lock()
		switch {
		case c.fdClosed:
		case c.draining:
			if !now.Before(c.drainBy) {
				c.qmu.Unlock()
				l.release(c)
				continue
			}
			keep = append(keep, c)
		case c.armed && l.m.sendDataTimeout > 0:
			if now.Sub(c.armedAt) >= l.m.sendDataTimeout {
				c.slowDisconnectLocked("send_data_timeout expired")
				continue
			}
			keep = append(keep, c)
		}
		c.qmu.Unlock()
	}
	clear(l.timed[len(keep):])
	l.timed = keep
}

// release closes c's descriptor for good. It is idempotent.
func (l *loop) release(c *client) {
	c.qmu.Lock()
	if c.fdClosed {
		c.qmu.Unlock()
		return
	}
	c.fdClosed, c.closed, c.armed, c.draining, c.ended = true, true, false, false, true
	c.dropOutLocked()
	c.qmu.Unlock()
	if c.fd < len(l.conns) && l.conns[c.fd] == c {
		l.conns[c.fd] = nil
	}
	_ = evloop.Close(c.fd)
	c.m.stats.active.Add(-1)
	l.n.Add(-1)
}

// closeAll closes every client of the loop without routes (Stop).
func (l *loop) closeAll() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
	l.takeInbox()
	for _, c := range l.conns {
		if c != nil {
			c.m.freeSlot(c)
			l.release(c)
		}
	}
}

// acceptLoop accepts clients until Stop closes the listener.
func (m *Module) acceptLoop() {
	defer m.wg.Done()
	var delay time.Duration
	for {
		fd, ip, port, err := m.ln.Accept()
		if err != nil {
			if m.stopping.Load() || errors.Is(err, os.ErrClosed) {
				return
			}
			// Out of descriptors and the like: back off instead of spinning.
			m.log.Logf(klog.Err, Name, "evapi_accept_client(): cannot accept the client: %v", err)
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		m.accept(fd, ip, port)
	}
}

// pickLoop returns the loop with the fewest clients.
func (m *Module) pickLoop() *loop {
	best := m.loops[0]
	for _, l := range m.loops[1:] {
		if l.n.Load() < best.n.Load() {
			best = l
		}
	}
	return best
}
