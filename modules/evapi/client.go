package evapi

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
)

// Read buffer sizes: a connection starts small so that thousands of idle
// clients stay cheap, and grows (up to the largest frame) only when a read
// fills it or a frame needs the room.
const (
	initialReadBuf = 4 << 10
	maxBadFrameLog = 10 // bad frames per connection logged at WARNING
)

// client is one connected evapi client. Its reader goroutine (serve) owns
// the read side and runs the connection's routes. Frames to the client are
// written by the sending goroutine when the socket takes them at once;
// otherwise a short-lived writer goroutine (flush) drains the queue.
type client struct {
	m    *Module
	conn net.Conn
	idx  int
	addr string // source address, as $evapi(srcaddr) shows it
	port int
	tag  string // guarded by m.mu

	ctx *event.Context
	env env

	scriptClosed atomic.Bool // evapi_close(): no connection-closed route
	serverClosed atomic.Bool // slow client or oversized frame: closed by us
	badFrames    int         // reader goroutine only

	raw     syscall.RawConn // for non-blocking writes; nil if conn has none
	writeFn func(fd uintptr) bool
	wbuf    []byte // tryWrite's buffer, written count and error (under qmu)
	wn      int
	werr    error
	readFn  func(fd uintptr) bool
	rbuf    []byte // read's buffer, count and error (reader goroutine only)
	rn      int
	rerr    error
	bat     batch // reader goroutine only: see batch

	// The outgoing queue, bounded by m.clientQueue bytes (a single frame
	// larger than the bound is still accepted into an empty queue): out
	// waits, inflight bytes are being written by the writer goroutine, and
	// the bound covers both. Frames are written straight from the route's
	// goroutine while the queue is empty.
	qmu       sync.Mutex
	out       []byte
	outFrames int
	spare     []byte
	inflight  int
	qmax      int  // high-water mark of len(out)+inflight, for tests and Stats
	writing   bool // a writer goroutine owns the socket's write side
	pending   bool // in a reader's batch, to be written when it is flushed
	closed    bool // no more frames are accepted
	dropping  bool // slow_client=drop: in a dropping episode (logged once)
}

func newClient(m *Module, conn net.Conn) *client {
	c := &client{m: m, conn: conn, idx: -1, ctx: &event.Context{}}
	c.env.c = c
	if sc, ok := conn.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
		c.writeFn = c.rawWrite
		c.readFn = c.rawRead
	}
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
	dec := netstring.Decoder{Max: m.maxFrame, MaxName: "max_frame_size"}
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
				want := max(2*len(buf), netstring.Need(buf[:r1]))
				want = min(want, m.maxFrame+netstring.MaxLenDigits+2)
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
		n, err := c.read(buf[r1:])
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
func (c *client) parse(dec *netstring.Decoder, buf []byte, r0, r1 int) (int, bool) {
	m := c.m
	var w *event.Worker
	pool := m.pool
	if pool == nil {
		pool = m.dispatcher
	}
	defer func() {
		c.env.bat = nil
		c.bat.flush()
		if w != nil {
			pool.Release(w)
		}
	}()
	for r0 < r1 {
		payload, n, r, reason := dec.Next(buf[r0:r1])
		r0 += n
		switch r {
		case netstring.NeedMore:
			return r0, false
		case netstring.Frame:
			m.stats.framesIn.Add(1)
			if w == nil {
				// One worker for all frames of this read: no hand-off per
				// frame, and a client's frames keep their order.
				w = pool.Get()
			}
			// While more frames of this read follow, the routes' sends are
			// batched; the last frame's sends are written at once.
			c.env.bat = nil
			if r0 < r1 {
				c.env.bat = &c.bat
			}
			m.runEventOn(c, w, EventMessageReceived, payload)
			if len(c.bat.clients) > 0 && time.Since(c.bat.since) > batchAge {
				c.bat.flush()
			}
			if c.scriptClosed.Load() || c.serverClosed.Load() {
				return r1, false
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
		c.dropOutLocked()
	}
	c.qmu.Unlock()
}

// dropOutLocked discards the queued bytes.
func (c *client) dropOutLocked() {
	c.m.live.Add(-int64(c.outFrames))
	c.out, c.outFrames, c.spare = nil, 0, nil
}

// enqueue sends the encoded frame b to the client without ever blocking.
// When nothing is waiting for the client, b is written at once from the
// calling goroutine with a non-blocking write; what the socket does not take
// is copied into the queue, and a writer goroutine waits for the socket. With
// a batch (inside message-received) b is queued and the client is written
// when the batch is flushed, so the replies to all frames of one read go out
// in one write. When the queue is full the slow_client policy applies: drop
// the frame, or close the connection (its reader then runs
// connection-closed).
func (c *client) enqueue(b []byte, bat *batch, direct bool) {
	m := c.m
	c.qmu.Lock()
	if c.closed {
		c.qmu.Unlock()
		return
	}
	queued := len(c.out) + c.inflight
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
		c.closed = true
		c.qmu.Unlock()
		c.slowDisconnect("client queue full (" + strconv.Itoa(m.clientQueue) + " bytes)")
		return
	}
	if queued == 0 && bat == nil && direct && c.raw != nil {
		n, err := c.tryWrite(b)
		if err != nil {
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
	m.live.Add(1)
	if q := len(c.out) + c.inflight; q > c.qmax {
		c.qmax = q
		for old := m.stats.qhigh.Load(); int64(q) > old && !m.stats.qhigh.CompareAndSwap(old, int64(q)); old = m.stats.qhigh.Load() {
		}
	}
	switch {
	case c.writing:
		// The writer picks it up.
	case bat != nil:
		if !c.pending {
			c.pending = true
			bat.add(c)
		}
	case direct:
		c.writeOutLocked()
		return
	default:
		c.startWriterLocked()
		return
	}
	c.qmu.Unlock()
}

// startWriterLocked hands the queue to a writer goroutine; it unlocks qmu.
func (c *client) startWriterLocked() {
	c.writing = true
	c.qmu.Unlock()
	c.m.wg.Add(1)
	go c.flush()
}

// flushPending writes what a batch queued for the client.
func (c *client) flushPending() {
	c.qmu.Lock()
	c.pending = false
	if c.closed || c.writing || len(c.out) == 0 {
		c.qmu.Unlock()
		return
	}
	c.writeOutLocked()
}

// writeOutLocked writes the queue without blocking and, when the socket
// does not take all of it, leaves the rest to a writer goroutine. It is
// called with qmu held, no writer running and a non-empty queue, and
// unlocks qmu.
func (c *client) writeOutLocked() {
	m := c.m
	if c.raw != nil {
		n, err := c.tryWrite(c.out)
		if err != nil {
			c.writeFailedLocked()
			return
		}
		m.stats.bytesOut.Add(uint64(n))
		if n == len(c.out) {
			frames := c.outFrames
			c.out, c.outFrames = c.out[:0], 0
			c.dropping = false
			c.qmu.Unlock()
			m.live.Add(-int64(frames))
			m.stats.framesOut.Add(uint64(frames))
			return
		}
		c.out = c.out[:copy(c.out, c.out[n:])]
	}
	c.startWriterLocked()
}

// tryWrite writes b without blocking and returns how much the socket took.
// It is called with qmu held, which guards the w* fields: the callback is
// made once per client, so a write allocates nothing.
func (c *client) tryWrite(b []byte) (int, error) {
	c.wbuf, c.wn, c.werr = b, 0, nil
	err := c.raw.Write(c.writeFn)
	n, werr := c.wn, c.werr
	c.wbuf, c.werr = nil, nil
	if werr == nil {
		werr = err
	}
	return n, werr
}

// rawWrite is the raw connection's write callback for tryWrite.
func (c *client) rawWrite(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		k, e := rawRW(syscall.SYS_WRITE, fd, c.wbuf[c.wn:])
		if k > 0 {
			c.wn += k
		}
		if e == syscall.EINTR {
			continue
		}
		if e != 0 && e != syscall.EAGAIN {
			c.werr = e
		}
		if e != 0 || k <= 0 {
			break
		}
	}
	return true // never wait here: a blocked socket is the writer's business
}

// rawRW is a non-blocking read or write on a socket. It bypasses the
// runtime's syscall entry: these calls never block, and entering a syscall
// while every other P is idle wakes the runtime's monitor thread, which
// costs more than the call itself when a client ping-pongs.
func rawRW(trap, fd uintptr, b []byte) (int, syscall.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	r, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(r), e
}

// read reads into b like conn.Read, waiting in the runtime's poller while
// the socket has nothing; only the reader goroutine calls it.
func (c *client) read(b []byte) (int, error) {
	if c.raw == nil {
		return c.conn.Read(b)
	}
	c.rbuf, c.rn, c.rerr = b, 0, nil
	err := c.raw.Read(c.readFn)
	n, rerr := c.rn, c.rerr
	c.rbuf, c.rerr = nil, nil
	if err != nil {
		return n, err
	}
	return n, rerr
}

// rawRead is the raw connection's read callback: false asks the poller to
// wait until the socket is readable.
func (c *client) rawRead(fd uintptr) bool {
	for {
		k, e := rawRW(syscall.SYS_READ, fd, c.rbuf)
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return false
		case e != 0:
			c.rerr = e
		case k == 0:
			c.rerr = io.EOF
		default:
			c.rn = k
		}
		return true
	}
}

// writeFailedLocked handles a failed write from a route's goroutine: the
// peer is gone, and its reader sees the same and cleans up. It unlocks qmu.
func (c *client) writeFailedLocked() {
	c.closed = true
	c.dropOutLocked()
	c.qmu.Unlock()
	c.conn.Close()
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

// maxKeptQueue is the largest queue buffer kept once the queue is empty,
// so that a burst does not pin memory for an idle client.
const maxKeptQueue = 64 << 10

// flush is the writer goroutine: it writes the queue with blocking writes,
// swapping buffers so that routes keep queueing meanwhile, until the queue
// is empty.
func (c *client) flush() {
	m := c.m
	defer m.wg.Done()
	for {
		c.qmu.Lock()
		if len(c.out) == 0 || c.closed {
			c.writing = false
			c.dropping = false
			if c.closed {
				c.dropOutLocked()
			} else if cap(c.out) > maxKeptQueue {
				c.out = nil
			}
			c.qmu.Unlock()
			return
		}
		buf, frames := c.out, c.outFrames
		c.out, c.outFrames = c.spare[:0], 0
		c.spare = nil
		c.inflight = len(buf)
		c.qmu.Unlock()

		err := c.write(buf)
		m.live.Add(-int64(frames))
		if err == nil {
			m.stats.framesOut.Add(uint64(frames))
			m.stats.bytesOut.Add(uint64(len(buf)))
		}
		c.qmu.Lock()
		c.inflight = 0
		if cap(buf) <= maxKeptQueue {
			c.spare = buf[:0]
		}
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

// batch collects the clients that the routes of one read queued frames
// for; flush writes each of them once. A batch belongs to one reader
// goroutine.
type batch struct {
	clients []*client
	since   time.Time
}

// batchAge bounds how long a batch holds replies while later frames of the
// same read run: a slow route does not delay the replies to earlier frames
// by more than this.
const batchAge = 200 * time.Microsecond

func (b *batch) add(c *client) {
	if len(b.clients) == 0 {
		b.since = time.Now()
	}
	b.clients = append(b.clients, c)
}

func (b *batch) flush() {
	for i, c := range b.clients {
		c.flushPending()
		b.clients[i] = nil
	}
	b.clients = b.clients[:0]
}
