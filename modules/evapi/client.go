package evapi

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
)

// Read buffer sizes: a connection starts small so that thousands of idle
// clients stay cheap, and grows (up to the largest frame) only when a read
// fills it or a frame needs the room.
const (
	initialReadBuf = 4 << 10
	writeBatch     = 64 << 10 // bytes copied into one write
	maxBadFrameLog = 10       // bad frames per connection logged at WARNING
)

// client is one connected evapi client. Its reader goroutine (serve) owns
// the read side and runs the connection's routes; a short-lived writer
// goroutine (flush) drains the outgoing queue whenever it is non-empty.
type client struct {
	m    *Module
	conn net.Conn
	idx  int
	addr string // source address, as $evapi(srcaddr) shows it
	port int
	tag  string // guarded by m.mu

	ctx *pv.Context
	env env

	scriptClosed atomic.Bool // evapi_close(): no connection-closed route
	serverClosed atomic.Bool // slow client or oversized frame: closed by us
	badFrames    int         // reader goroutine only

	// The outgoing queue, bounded by m.clientQueue bytes (a single frame
	// larger than the bound is still accepted into an empty queue). qbytes
	// counts bytes queued or being written, so the bound covers the writer's
	// batch too.
	qmu      sync.Mutex
	q        []*frame
	spare    []*frame
	qbytes   int
	qmax     int // high-water mark of qbytes, for tests and Stats
	writing  bool
	closed   bool // no more frames are accepted
	dropping bool // slow_client=drop: in a dropping episode (logged once)
}

func newClient(m *Module, conn net.Conn) *client {
	c := &client{m: m, conn: conn, idx: -1, ctx: &pv.Context{}}
	c.env.c = c
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		c.addr = a.IP.String()
		if a.IP.To4() != nil {
			c.addr = a.IP.To4().String()
		}
		c.port = a.Port
	} else if conn.RemoteAddr() != nil {
		c.addr = conn.RemoteAddr().String()
	}
	return c
}

func (c *client) where() string {
	return "pos [" + strconv.Itoa(c.idx) + "] addr [" + c.addr + ":" + strconv.Itoa(c.port) + "]"
}

// serve reads frames and runs message-received for each, then handles the
// end of the connection.
func (c *client) serve() {
	m := c.m
	defer m.wg.Done()
	dec := decoder{max: m.maxFrame}
	size := initialReadBuf
	if !m.netstring {
		// One read is one message, as in Kamailio, so reads are never
		// split by a small buffer.
		size = m.maxFrame
	}
	buf := make([]byte, size)
	r0, r1 := 0, 0 // buf[r0:r1] holds unparsed bytes
	fatal := false
	for !fatal {
		if r1 == len(buf) {
			// Full: compact, then grow if the pending frame needs room.
			if r0 > 0 {
				r1 = copy(buf, buf[r0:r1])
				r0 = 0
			}
			if r1 == len(buf) {
				want := max(2*len(buf), need(buf[:r1]))
				want = min(want, m.maxFrame+maxLenDigits+2)
				if want <= len(buf) {
					want = len(buf) + 1 // cannot happen: the decoder stops oversized frames
				}
				nb := make([]byte, want)
				for old := m.stats.rbufHigh.Load(); int64(want) > old && !m.stats.rbufHigh.CompareAndSwap(old, int64(want)); old = m.stats.rbufHigh.Load() {
				}
				copy(nb, buf[:r1])
				buf = nb
			}
		}
		n, err := c.conn.Read(buf[r1:])
		if n > 0 {
			m.stats.bytesIn.Add(uint64(n))
			if !m.netstring {
				m.stats.framesIn.Add(1)
				c.message(buf[:n])
			} else {
				r1 += n
				r0, fatal = c.parse(&dec, buf, r0, r1)
				if r0 == r1 {
					r0, r1 = 0, 0
				}
			}
		}
		if err != nil || c.scriptClosed.Load() || c.serverClosed.Load() {
			break
		}
	}
	c.end()
}

// parse runs message-received for every whole frame in buf[r0:r1] and
// returns the new start of the unparsed bytes. fatal means the connection
// has been closed because of an oversized frame.
func (c *client) parse(dec *decoder, buf []byte, r0, r1 int) (int, bool) {
	m := c.m
	var w *pv.Worker
	pool := m.pool
	if pool == nil {
		pool = m.dispatcher
	}
	defer func() {
		if w != nil {
			pool <- w
		}
	}()
	for r0 < r1 {
		payload, n, r, reason := dec.next(buf[r0:r1])
		r0 += n
		switch r {
		case needMore:
			return r0, false
		case gotFrame:
			m.stats.framesIn.Add(1)
			if w == nil {
				// One worker for all frames of this read: no hand-off per
				// frame, and a client's frames keep their order.
				w = <-pool
			}
			m.runEventOn(c, w, EventMessageReceived, payload)
			if c.scriptClosed.Load() || c.serverClosed.Load() {
				return r1, false
			}
		case badFrame:
			m.stats.badFrames.Add(1)
			c.badFrames++
			lv := klog.Warn
			if c.badFrames > maxBadFrameLog {
				lv = klog.Dbg
			}
			m.log.Logf(lv, Name, "evapi_recv_client(): invalid frame from %s: %s - discarded up to the next ','", c.where(), reason)
		case tooLong:
			m.stats.badFrames.Add(1)
			m.stats.oversized.Add(1)
			m.log.Logf(klog.Err, Name, "evapi_recv_client(): %s - closing connection %s", reason, c.where())
			c.serverClosed.Store(true)
			return r1, true
		}
	}
	return r0, false
}

// message runs message-received for one payload (netstring_format=0).
func (c *client) message(payload []byte) {
	pool := c.m.pool
	if pool == nil {
		pool = c.m.dispatcher
	}
	c.m.runEvent(c, pool, EventMessageReceived, payload)
}

// end finishes a connection whose reader stopped. Unless the script closed
// it (evapi_close) or the module is stopping, connection-closed runs while
// the slot is still held, so $evapi(srcaddr|srcport|conidx) still work.
func (c *client) end() {
	m := c.m
	if !c.scriptClosed.Load() && !m.stopping.Load() {
		m.runEvent(c, m.dispatcher, EventConnectionClosed, nil)
		if !c.serverClosed.Load() {
			m.log.Log(klog.Info, Name, "evapi_recv_client(): client closing connection - "+c.where())
		}
	}
	c.finish()
}

// finish closes the socket, stops the queue and frees the slot.
func (c *client) finish() {
	c.shut()
	c.m.freeSlot(c)
	c.m.stats.active.Add(-1)
}

// shut closes the connection and releases queued frames. It is idempotent.
func (c *client) shut() {
	c.conn.Close()
	c.qmu.Lock()
	c.closed = true
	if !c.writing {
		c.drainLocked()
	}
	c.qmu.Unlock()
}

func (c *client) drainLocked() {
	for i, f := range c.q {
		c.qbytes -= len(f.b)
		f.release()
		c.q[i] = nil
	}
	c.q = c.q[:0]
}

// enqueue adds f to the outgoing queue without ever blocking. When the
// queue is full the slow_client policy applies: drop the frame, or close
// the connection (its reader then runs connection-closed).
func (c *client) enqueue(f *frame) {
	m := c.m
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return
	}
	if c.qbytes > 0 && c.qbytes+len(f.b) > m.clientQueue {
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
		c.closed = true
		c.qmu.Unlock()
		c.slowDisconnect("client queue full (" + strconv.Itoa(m.clientQueue) + " bytes)")
		return
	}
	f.refs.Add(1)
	c.q = append(c.q, f)
	c.qbytes += len(f.b)
	if c.qbytes > c.qmax {
		c.qmax = c.qbytes
		for old := m.stats.qhigh.Load(); int64(c.qbytes) > old && !m.stats.qhigh.CompareAndSwap(old, int64(c.qbytes)); old = m.stats.qhigh.Load() {
		}
	}
	start := !c.writing
	c.writing = true
	c.qmu.Unlock()
	if start {
		m.wg.Add(1)
		go c.flush()
	}
}

func (c *client) slowDisconnect(why string) {
	if c.serverClosed.Swap(true) {
		return
	}
	c.m.stats.slow.Add(1)
	c.m.log.Logf(klog.Warn, Name, "evapi_dispatch_notify(): %s - disconnecting slow client %s", why, c.where())
	// Closing the socket wakes the reader, which runs connection-closed.
	c.conn.Close()
}

var writeBufs = sync.Pool{New: func() any { b := make([]byte, 0, writeBatch); return &b }}

// flush writes queued frames, batching all that are queued into as few
// writes as possible, until the queue is empty.
func (c *client) flush() {
	m := c.m
	defer m.wg.Done()
	bp := writeBufs.Get().(*[]byte)
	defer writeBufs.Put(bp)
	for {
		c.qmu.Lock()
		if len(c.q) == 0 || c.closed {
			c.writing = false
			c.dropping = false
			if c.closed {
				c.drainLocked()
			}
			c.qmu.Unlock()
			return
		}
		batch := c.q
		c.q = c.spare[:0]
		c.qmu.Unlock()

		written, frames := 0, 0
		var err error
		buf := (*bp)[:0]
		for i, f := range batch {
			if err == nil {
				if len(buf)+len(f.b) > writeBatch && len(buf) > 0 {
					err = c.write(buf)
					buf = buf[:0]
				}
				if err == nil && len(f.b) > writeBatch {
					err = c.write(f.b)
				} else if err == nil {
					buf = append(buf, f.b...)
				}
				if err == nil {
					frames++
				}
			}
			written += len(f.b)
			f.release()
			batch[i] = nil
		}
		if err == nil && len(buf) > 0 {
			err = c.write(buf)
		}
		*bp = buf[:0]
		if err == nil {
			m.stats.framesOut.Add(uint64(frames))
			m.stats.bytesOut.Add(uint64(written))
		}
		c.qmu.Lock()
		c.qbytes -= written
		c.spare = batch[:0]
		c.qmu.Unlock()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.closeQueue()
				c.slowDisconnect("send_data_timeout expired")
			} else {
				// The peer is gone; its reader sees the same and cleans up.
				c.closeQueue()
				c.conn.Close()
			}
		}
	}
}

func (c *client) closeQueue() {
	c.qmu.Lock()
	c.closed = true
	c.qmu.Unlock()
}

func (c *client) write(b []byte) error {
	if c.m.sendDataTimeout > 0 {
		_ = c.conn.SetWriteDeadline(time.Now().Add(c.m.sendDataTimeout))
	}
	_, err := c.conn.Write(b)
	return err
}
