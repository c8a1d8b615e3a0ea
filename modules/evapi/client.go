package evapi

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/internal/evloop"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
)

// Read buffer sizes. A client has no read buffer of its own until a frame
// is split across reads: frames are parsed in place in its loop's buffer,
// so thousands of idle clients stay cheap.
const (
	loopReadBuf    = 64 << 10
	minRestRoom    = 4 << 10 // a split frame's buffer starts at least this big
	maxKeptRest    = 4 << 10 // and is kept for the next split frame up to this size
	maxBadFrameLog = 10      // bad frames per connection logged at WARNING
)

// drainTimeout bounds how long a client that half-closed its connection
// may take to read the replies still queued for it (send_data_timeout when
// set).
const drainTimeout = 5 * time.Second

// client is one connected evapi client. Its loop (see loop) owns the
// descriptor: it reads the frames, runs the client's routes and closes the
// descriptor. Frames to the client are written by whoever sends them when
// the socket takes them at once and nothing is waiting; otherwise they wait
// in the bounded queue, which the loop writes when the socket is writable.
type client struct {
	m    *Module
	lp   *loop // set before the loop watches fd
	fd   int
	idx  int
	addr string // source address, as $evapi(srcaddr) shows it
	port int
	tag  string // guarded by m.mu

	ctx *event.Context
	env env

	scriptClosed atomic.Bool // evapi_close(): no connection-closed route
	serverClosed atomic.Bool // slow client or oversized frame: closed by us

	// Read side, loop goroutine only.
	dec       netstring.Decoder
	rest      []byte // the unparsed start of a frame split across reads
	badFrames int
	ended     bool // end or retire ran

	// The outgoing queue, bounded by m.clientQueue bytes (a single frame
	// larger than the bound is still accepted into an empty queue).
	qmu       sync.Mutex
	out       []byte
	outFrames int
	counted   int       // of outFrames, those counted in m.live (context_mlimit)
	qmax      int       // high-water mark of len(out), for Stats
	armed     bool      // out is waiting for the socket: the loop watches fd for writing
	armedAt   time.Time // when armed, for send_data_timeout
	watched   bool      // the loop watches fd
	pending   bool      // in the loop's dirty list, to be written at the end of its round
	closed    bool      // no more frames are accepted
	fdClosed  bool      // the loop closed fd: no call may use it any more
	dropping  bool      // slow_client=drop: in a dropping episode (logged once)
	draining  bool      // the peer half-closed: fd is closed once out is written
	drainBy   time.Time // deadline of draining
}

func newClient(m *Module, fd int, ip net.IP, port int) *client {
	c := &client{m: m, fd: fd, idx: -1, ctx: &event.Context{}, port: port}
	c.dec = netstring.Decoder{Max: m.maxFrame, MaxName: "max_frame_size"}
	c.env.c = c
	if ip != nil {
		c.addr = ip.String()
	}
	return c
}

func (c *client) where() string {
	return "pos [" + strconv.Itoa(c.idx) + "] addr [" + c.addr + ":" + strconv.Itoa(c.port) + "]"
}

// readable reads once from the socket (the loop's poller is
// level-triggered: more data brings the client back in the next round) and
// runs message-received for every whole frame. At the end of the stream,
// or after a fatal frame, the connection ends.
func (c *client) readable(l *loop) {
	m := c.m
	if !m.netstring {
		n, e := evloop.Read(c.fd, l.rbuf[:min(len(l.rbuf), m.maxFrame)])
		if e == syscall.EAGAIN {
			return
		}
		if e != 0 || n == 0 {
			c.end(l)
			return
		}
		m.stats.bytesIn.Add(uint64(n))
		m.stats.framesIn.Add(1)
		c.message(l, l.rbuf[:n])
		c.afterRoutes(l)
		return
	}
	var buf []byte
	if len(c.rest) == 0 {
		buf = l.rbuf
	} else {
		c.roomForRest()
		buf = c.rest[len(c.rest):cap(c.rest)]
	}
	n, e := evloop.Read(c.fd, buf)
	if e == syscall.EAGAIN {
		return
	}
	if e != 0 || n == 0 {
		c.end(l)
		return
	}
	m.stats.bytesIn.Add(uint64(n))
	if len(c.rest) == 0 {
		used, fatal := c.parse(l, buf[:n])
		if fatal {
			c.end(l)
			return
		}
		if used < n && !c.ended {
			// Keep the start of a split frame until the rest arrives.
			if cap(c.rest) == 0 {
				c.rest = make([]byte, 0, max(min(minRestRoom, c.maxRest()), n-used))
				c.noteRest()
			}
			c.rest = append(c.rest[:0], buf[used:n]...)
		}
	} else {
		c.rest = c.rest[:len(c.rest)+n]
		used, fatal := c.parse(l, c.rest)
		if fatal {
			c.end(l)
			return
		}
		switch {
		case used == len(c.rest) && cap(c.rest) > maxKeptRest:
			c.rest = nil
		case used == len(c.rest):
			c.rest = c.rest[:0]
		default:
			c.rest = c.rest[:copy(c.rest, c.rest[used:])]
		}
	}
	c.afterRoutes(l)
}

// roomForRest makes room after the kept start of a split frame: doubled,
// or as much as the frame needs, never beyond the largest frame.
func (c *client) roomForRest() {
	if cap(c.rest)-len(c.rest) >= minRestRoom/4 {
		return
	}
	want := max(2*cap(c.rest), netstring.Need(c.rest), len(c.rest)+minRestRoom)
	want = min(want, c.maxRest())
	if want <= cap(c.rest) {
		if cap(c.rest) > len(c.rest) {
			return
		}
		want = cap(c.rest) + 1 // cannot happen: the decoder stops oversized frames
	}
	nb := make([]byte, len(c.rest), want)
	copy(nb, c.rest)
	c.rest = nb
	c.noteRest()
}

// maxRest is the most a split frame can need: the largest frame and its
// header.
func (c *client) maxRest() int { return c.m.maxFrame + netstring.MaxLenDigits + 2 }

// noteRest records the largest split-frame buffer in Stats.
func (c *client) noteRest() {
	m, n := c.m, int64(cap(c.rest))
	for old := m.stats.rbufHigh.Load(); n > old && !m.stats.rbufHigh.CompareAndSwap(old, n); old = m.stats.rbufHigh.Load() {
	}
}

// afterRoutes ends the connection when a route closed it.
func (c *client) afterRoutes(l *loop) {
	if c.ended {
		return
	}
	if c.scriptClosed.Load() {
		c.retire(l)
	}
}

// parse runs message-received for every whole frame in buf and returns how
// many bytes it consumed. fatal means the connection must close because of
// an oversized frame.
func (c *client) parse(l *loop, buf []byte) (used int, fatal bool) {
	m := c.m
	w := l.w
	if w == nil {
		w = m.dispatcher.Get()
		defer m.dispatcher.Release(w)
	}
	r0 := 0
	for r0 < len(buf) {
		payload, n, r, reason := c.dec.Next(buf[r0:])
		r0 += n
		switch r {
		case netstring.NeedMore:
			return r0, false
		case netstring.Frame:
			m.stats.framesIn.Add(1)
			c.env.more = r0 < len(buf)
			m.runEventOn(c, l, w, EventMessageReceived, payload)
			c.env.more = false
			l.flushIfOld()
			if c.scriptClosed.Load() || c.serverClosed.Load() {
				return len(buf), false
			}
		case netstring.Bad:
			m.stats.badFrames.Add(1)
			c.badFrames++
			lv := klog.Warn
			if c.badFrames > maxBadFrameLog {
				lv = klog.Dbg
			}
			m.log.Logf(lv, Name, "evapi_recv_client(): invalid frame from %s: %s - discarded up to the next ','", c.where(), reason)
		case netstring.TooLong:
			m.stats.badFrames.Add(1)
			m.stats.oversized.Add(1)
			m.log.Logf(klog.Err, Name, "evapi_recv_client(): %s - closing connection %s", reason, c.where())
			c.serverClosed.Store(true)
			return len(buf), true
		}
	}
	return r0, false
}

// message runs message-received for one payload (netstring_format=0).
func (c *client) message(l *loop, payload []byte) {
	w := l.w
	if w == nil {
		w = c.m.dispatcher.Get()
		defer c.m.dispatcher.Release(w)
	}
	c.m.runEventOn(c, l, w, EventMessageReceived, payload)
}

// end finishes a connection whose peer closed or failed, or that we closed
// (slow client, oversized frame). Unless the script closed it
// (evapi_close) or the module is stopping, connection-closed runs while the
// slot is still held, so $evapi(srcaddr|srcport|conidx) still work, and
// frames it sends to this client are still written.
func (c *client) end(l *loop) {
	if c.ended {
		return
	}
	m := c.m
	if !c.scriptClosed.Load() && !m.stopping.Load() {
		w := m.dispatcher.Get()
		m.runEventOn(c, l, w, EventConnectionClosed, nil)
		m.dispatcher.Release(w)
		if !c.serverClosed.Load() {
			m.log.Log(klog.Info, Name, "evapi_recv_client(): client closing connection - "+c.where())
		}
	}
	c.retire(l)
}

// retire frees the slot and closes the connection once the frames queued
// for it are written: a client that shut down its write side after its
// last frame still gets the replies to it. A client that does not read
// them within drainTimeout (or send_data_timeout) is closed anyway.
func (c *client) retire(l *loop) {
	c.ended = true
	m := c.m
	m.freeSlot(c)
	c.qmu.Lock()
	c.closed = true
	c.pending = false
	if len(c.out) > 0 && !c.serverClosed.Load() && !m.stopping.Load() {
		if !c.armed {
			c.writeOutLocked()
		}
		if len(c.out) > 0 && !c.fdClosed {
			c.draining = true
			limit := drainTimeout
			if m.sendDataTimeout > 0 {
				limit = m.sendDataTimeout
			}
			c.drainBy = time.Now().Add(limit)
			if err := l.p.WatchOut(c.fd); err == nil {
				c.qmu.Unlock()
				l.timed = append(l.timed, c)
				return
			}
		}
	}
	c.qmu.Unlock()
	l.release(c)
}

// enqueue sends the encoded frame b to the client without ever blocking.
// onLoop: the caller is the client's loop goroutine. batch: the frame may
// wait for the end of the loop's round (a fan-out, or more frames of the
// current read follow), so that the replies to all the frames of one read,
// and all the relays of one round, go out in one write per client.
// Otherwise b is written at once when nothing is waiting for the client,
// and what the socket does not take is queued for the loop, which writes
// it when the socket is writable. When the queue is full the slow_client
// policy applies: drop the frame, or close the connection (its loop then
// runs connection-closed).
func (c *client) enqueue(b []byte, onLoop, batch bool) {
	m := c.m
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return
	}
	queued := len(c.out)
	if queued > 0 && queued+len(b) > m.clientQueue {
		if m.dropSlow {
			first := !c.dropping
			c.dropping = true
			c.qmu.Unlock()
			m.stats.drops.Add(1)
			if first {
				m.log.Logf(klog.Warn, Name, "evapi_dispatch_notify(): client queue full (%d bytes) - dropping messages to %s", m.clientQueue, c.where())
			}
			return
		}
		c.slowDisconnectLocked("client queue full (" + strconv.Itoa(m.clientQueue) + " bytes)")
		return
	}
	batch = batch && onLoop
	if queued == 0 && !batch && !c.armed {
		n, e := evloop.Write(c.fd, b)
		if e != 0 && e != syscall.EAGAIN {
			c.writeFailedLocked()
			return
		}
		m.stats.bytesOut.Add(uint64(n))
		if n == len(b) {
			c.qmu.Unlock()
			m.stats.framesOut.Add(1)
			return
		}
		b = b[n:]
	}
	c.out = append(c.out, b...)
	c.outFrames++
	deferred := !c.armed && onLoop && (batch || c.pending)
	if !deferred {
		// Waiting for the socket, not merely for the end of the round.
		c.counted++
		m.live.Add(1)
	}
	if q := len(c.out); q > c.qmax {
		c.qmax = q
		for old := m.stats.qhigh.Load(); int64(q) > old && !m.stats.qhigh.CompareAndSwap(old, int64(q)); old = m.stats.qhigh.Load() {
		}
	}
	switch {
	case c.armed:
		// The loop writes it when the socket takes more.
	case deferred:
		if !c.pending {
			c.pending = true
			c.lp.dirty = append(c.lp.dirty, c)
			if len(c.lp.dirty) == 1 {
				c.lp.dirtySince = time.Now()
			}
		}
	default:
		c.armLocked(onLoop)
	}
	c.qmu.Unlock()
}

// armLocked has the loop watch the socket for writing, because out holds
// what it did not take. onLoop: called by the client's loop goroutine.
func (c *client) armLocked(onLoop bool) {
	c.armed = true
	c.armedAt = time.Now()
	if c.watched {
		if err := c.lp.p.Modify(c.fd, true); err != nil {
			c.m.log.Logf(klog.Err, Name, "evapi: cannot watch %s for writing: %v", c.where(), err)
		}
	}
	if c.m.sendDataTimeout > 0 && c.lp != nil {
		if onLoop {
			c.lp.timed = append(c.lp.timed, c)
		} else {
			c.lp.post(c)
		}
	}
}

// writable writes the queue when the loop reports the socket writable.
func (c *client) writable(l *loop) {
	c.qmu.Lock()
	if c.fdClosed || !c.armed && !c.draining {
		c.qmu.Unlock()
		return
	}
	c.armed = false
	c.writeOutLocked()
	done := c.draining && (len(c.out) == 0 || c.closed && c.fdClosed)
	if !c.draining && !c.armed && !c.fdClosed && c.watched {
		_ = l.p.Modify(c.fd, false)
	}
	c.qmu.Unlock()
	if done {
		l.release(c)
	}
}

// writeOutLocked writes the queue without blocking; what the socket does
// not take stays queued and the socket is watched for writing. It is called
// with qmu held and the socket not watched for writing.
func (c *client) writeOutLocked() {
	m := c.m
	if len(c.out) == 0 || c.fdClosed {
		return
	}
	n, e := evloop.Write(c.fd, c.out)
	if e != 0 && e != syscall.EAGAIN {
		c.dropOutLocked()
		c.closed = true
		if !c.draining {
			// The peer is gone: its loop sees the same when it reads.
			_ = evloop.Shutdown(c.fd)
		}
		return
	}
	m.stats.bytesOut.Add(uint64(n))
	if n == len(c.out) {
		frames := c.outFrames
		if cap(c.out) > maxKeptQueue {
			c.out = nil
		} else {
			c.out = c.out[:0]
		}
		m.live.Add(-int64(c.counted))
		c.outFrames, c.counted = 0, 0
		c.dropping = false
		m.stats.framesOut.Add(uint64(frames))
		return
	}
	c.out = c.out[:copy(c.out, c.out[n:])]
	// The rest waits for the socket now: all of it counts.
	m.live.Add(int64(c.outFrames - c.counted))
	c.counted = c.outFrames
	if !c.draining {
		c.armLocked(true)
	}
}

// dropOutLocked discards the queued bytes.
func (c *client) dropOutLocked() {
	c.m.live.Add(-int64(c.counted))
	c.out, c.outFrames, c.counted = nil, 0, 0
}

// writeFailedLocked handles a failed write from a sender: the peer is
// gone, and the client's loop sees the same when it reads. It unlocks qmu.
func (c *client) writeFailedLocked() {
	c.closed = true
	c.dropOutLocked()
	if !c.fdClosed {
		_ = evloop.Shutdown(c.fd)
	}
	c.qmu.Unlock()
}

// slowDisconnectLocked closes a slow client: shutting the socket down
// wakes its loop, which runs connection-closed. It unlocks qmu.
func (c *client) slowDisconnectLocked(why string) {
	c.closed = true
	c.dropOutLocked()
	if c.serverClosed.Swap(true) || c.fdClosed {
		c.qmu.Unlock()
		return
	}
	// Count and log before the close: whoever sees it can rely on both.
	c.m.stats.slow.Add(1)
	c.m.log.Logf(klog.Warn, Name, "evapi_dispatch_notify(): %s - disconnecting slow client %s", why, c.where())
	_ = evloop.Shutdown(c.fd)
	c.qmu.Unlock()
}

// maxKeptQueue is the largest queue buffer kept once the queue is empty,
// so that a burst does not pin memory for an idle client.
const maxKeptQueue = 64 << 10
