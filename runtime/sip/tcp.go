package sip

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// maxTCPMessage is the largest message read from a TCP stream, Kamailio's
// BUF_SIZE.
const maxTCPMessage = 65535

// framer finds where each message of a TCP stream ends: sipgo's parser
// with the one header it must interpret, Content-Length.
var framer = func() *sipgo.Parser {
	d := sipgo.DefaultHeadersParser()
	p := sipgo.NewParser(sipgo.WithHeadersParsers(map[string]sipgo.HeaderParser{
		"content-length": d["content-length"], "l": d["l"],
	}))
	p.MaxMessageLength = maxTCPMessage
	return p
}()

// tcpConn is one TCP connection, accepted or dialled.
type tcpConn struct {
	id     int
	gid    uint64 // the reading goroutine's id (klog.GoroutineID)
	c      net.Conn
	sock   *socket // the TCP socket it belongs to
	remote netip.AddrPort
	t      *Transport
	wmu    sync.Mutex
	closed atomic.Bool
	// accepted is a connection a peer opened; received turns true with
	// the first bytes read; idle is when the lifetime ends (UnixNano),
	// for core.tcp_list.
	accepted bool
	received atomic.Bool
	idle     atomic.Int64
}

// connTable holds the open connections by id and by remote address (and
// the aliases force_tcp_alias gives them).
type connTable struct {
	t      *Transport
	mu     sync.Mutex
	byID   map[int]*tcpConn
	byAddr map[netip.AddrPort]*tcpConn
	next   int
}

func newConnTable(t *Transport) *connTable {
	return &connTable{t: t, byID: map[int]*tcpConn{}, byAddr: map[netip.AddrPort]*tcpConn{}}
}

// add registers c and starts reading it. It fails when the transport is
// stopping.
func (ct *connTable) add(c net.Conn, s *socket, accepted bool) (*tcpConn, error) {
	remote, _ := netip.ParseAddrPort(c.RemoteAddr().String())
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	opts := ct.t.tcpOpts.Load()
	ct.mu.Lock()
	if ct.t.stopping.Load() {
		ct.mu.Unlock()
		_ = c.Close()
		return nil, errors.New("transport stopped")
	}
	if opts.MaxConnections > 0 && len(ct.byID) >= opts.MaxConnections {
		ct.mu.Unlock()
		_ = c.Close()
		if k := ct.t.netCounters(); k != nil {
			k.localReject.Inc()
		}
		return nil, errTooManyConns
	}
	opts.keepAlive(c)
	ct.next++
	tc := &tcpConn{id: ct.next, c: c, sock: s, remote: remote, t: ct.t, accepted: accepted}
	tc.idle.Store(time.Now().Add(opts.Lifetime).UnixNano())
	ct.byID[tc.id] = tc
	ct.byAddr[remote] = tc
	ct.t.wg.Add(1)
	// Counted with the table locked: whoever sees the connection listed
	// sees it counted.
	ct.t.netCounters().countConn(accepted)
	ct.mu.Unlock()
	go ct.t.readTCP(tc)
	return tc, nil
}

// remove forgets c and every alias of it.
func (ct *connTable) remove(c *tcpConn) {
	ct.mu.Lock()
	delete(ct.byID, c.id)
	for a, x := range ct.byAddr {
		if x == c {
			delete(ct.byAddr, a)
		}
	}
	ct.mu.Unlock()
}

// lookup finds the connection with id, else one to `to`.
func (ct *connTable) lookup(id int, to netip.AddrPort) *tcpConn {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if c := ct.byID[id]; id != 0 && c != nil && !c.closed.Load() {
		return c
	}
	if c := ct.byAddr[to]; c != nil && !c.closed.Load() {
		return c
	}
	return nil
}

// alias makes connection id also the connection to `to`.
func (ct *connTable) alias(id int, to netip.AddrPort) bool {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	c := ct.byID[id]
	if c == nil {
		return false
	}
	ct.byAddr[to] = c
	return true
}

func (ct *connTable) closeAll() {
	ct.mu.Lock()
	all := make([]*tcpConn, 0, len(ct.byID))
	for _, c := range ct.byID {
		all = append(all, c)
	}
	ct.mu.Unlock()
	for _, c := range all {
		c.close()
	}
}

func (c *tcpConn) close() {
	if c.closed.CompareAndSwap(false, true) {
		_ = c.c.Close()
	}
}

// touch restarts the idle lifetime.
func (c *tcpConn) touch() {
	end := time.Now().Add(c.t.tcpOpts.Load().Lifetime)
	c.idle.Store(end.UnixNano())
	_ = c.c.SetReadDeadline(end)
}

// write sends buf whole, within the send timeout.
func (c *tcpConn) write(buf []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(c.t.tcpOpts.Load().SendTimeout))
	_, err := c.c.Write(buf)
	if err == nil {
		c.touch()
	} else {
		c.t.netCounters().countWriteErr(err)
	}
	return err
}

// accept serves the TCP socket s until it is closed.
func (t *Transport) accept(s *socket) {
	defer t.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || t.stopping.Load() {
				return
			}
			t.log.Logf(klog.Err, "core", "tcp_main_loop(): accept on %s: %v", s.info, err)
			time.Sleep(10 * time.Millisecond) // out of descriptors: let some close
			continue
		}
		if _, err := t.conns.add(c, s, true); err != nil {
			if errors.Is(err, errTooManyConns) {
				t.log.Logf(klog.Err, "core", "tcp_main_loop(): connection from %s refused: %v", c.RemoteAddr(), err)
				continue
			}
			return
		}
	}
}

// readTCP reads one connection until it closes, is idle for the
// connection lifetime, or its stream cannot be framed.
func (t *Transport) readTCP(c *tcpConn) {
	defer t.wg.Done()
	defer t.conns.remove(c)
	defer c.close()
	c.gid = klog.GoroutineID()
	src := sipmsg.Addr{IP: c.remote.Addr().String(), Port: int(c.remote.Port())}
	buf := make([]byte, 32768)
	var pending []byte
	for {
		c.touch()
		n, err := c.c.Read(buf)
		if n > 0 {
			c.received.Store(true)
			var ok bool
			if pending, ok = t.frames(c, src, append(pending, buf[:n]...)); !ok {
				return
			}
		}
		if err != nil {
			if !c.closed.Load() {
				t.netCounters().countReadEnd(err)
			}
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout():
				t.log.Logf(klog.Dbg, "core", "tcp connection %d to %s idle for %s - closing", c.id, c.remote, t.tcpOpts.Load().Lifetime)
			case !errors.Is(err, io.EOF) && !c.closed.Load():
				t.log.Logf(klog.Dbg, "core", "tcp connection %d to %s: %v", c.id, c.remote, err)
			}
			return
		}
	}
}

// frames routes every whole message at the start of pending and returns
// what is left; ok is false when the stream cannot go on.
func (t *Transport) frames(c *tcpConn, src sipmsg.Addr, pending []byte) (rest []byte, ok bool) {
	for {
		// CRLFs between messages are keepalives (RFC 5626 §3.5.1): a
		// double CRLF is a ping, answered with one CRLF.
		i := 0
		for i+1 < len(pending) && pending[i] == '\r' && pending[i+1] == '\n' {
			i += 2
		}
		if i >= 4 && t.tcpOpts.Load().CRLFPing {
			if err := c.write([]byte("\r\n")); err != nil {
				return nil, false
			}
		}
		pending = pending[i:]
		if len(pending) == 0 {
			return pending, true
		}
		if len(t.nonSIP) > 0 {
			if n, ok, isHTTP := t.httpFrame(c, src, pending); isHTTP {
				if !ok {
					return nil, false
				}
				if n == 0 {
					return pending, true // wait for the rest
				}
				raw := string(pending[:n])
				pending = pending[n:]
				t.receiveHTTP(c.gid, raw, c.sock, src, c)
				continue
			}
		}
		window := pending[:min(len(pending), maxTCPMessage)]
		msg, n, err := framer.Parse(window, true)
		switch {
		case err == nil:
			raw := string(pending[:n])
			pending = pending[n:]
			t.receive(c.gid, raw, c.sock, src, c)
			continue
		case errors.Is(err, io.ErrUnexpectedEOF),
			errors.Is(err, sipgo.ErrParseReadBodyIncomplete) && msg != nil && msg.ContentLength() != nil:
			if len(pending) >= maxTCPMessage {
				t.log.Logf(klog.Err, "core", "tcp_read_req(): message from %s:%d too big (over %d bytes) - closing connection %d",
					src.IP, src.Port, maxTCPMessage, c.id)
				return nil, false
			}
			return pending, true
		case errors.Is(err, sipgo.ErrParseReadBodyIncomplete):
			t.log.Logf(klog.Err, "core", "tcp_read_req(): message from %s:%d without Content-Length - closing connection %d",
				src.IP, src.Port, c.id)
			return nil, false
		}
		// A message that does not parse: hand its head to the core,
		// which logs and drops it, and go on after it, as Kamailio's TCP
		// reader frames by the empty line before it parses.
		end := bytes.Index(pending, []byte("\r\n\r\n"))
		if end < 0 {
			if len(pending) >= maxTCPMessage {
				t.log.Logf(klog.Err, "core", "tcp_read_req(): bad data from %s:%d (%v) - closing connection %d", src.IP, src.Port, err, c.id)
				return nil, false
			}
			return pending, true
		}
		raw := string(pending[:end+4])
		pending = pending[end+4:]
		t.receive(c.gid, raw, c.sock, src, c)
	}
}

// sendTCP sends buf over the connection with id, else over one to `to`,
// else over a new one from the address of s, unless flags forbid
// connecting.
func (t *Transport) sendTCP(s *socket, to netip.AddrPort, id int, flags sipmsg.ConnFlags, buf string) error {
	c := t.conns.lookup(id, to)
	if c == nil {
		if flags&sipmsg.NoConnect != 0 {
			err := fmt.Errorf("no open connection to %s and connecting is not allowed", to)
			t.log.Logf(klog.Err, "core", "tcp_send(): %v", err)
			return err
		}
		var err error
		if c, err = t.dial(s, to); err != nil {
			t.log.Logf(klog.Err, "core", "tcp_send(): connect to %s failed: %v", to, err)
			return err
		}
	}
	if err := c.write([]byte(buf)); err != nil {
		t.log.Logf(klog.Err, "core", "tcp_send(): send on connection %d to %s failed: %v", c.id, c.remote, err)
		c.close()
		return err
	}
	if flags&sipmsg.CloseAfter != 0 {
		c.close()
	}
	return nil
}

// dial opens a connection to `to` from the address of s.
func (t *Transport) dial(s *socket, to netip.AddrPort) (*tcpConn, error) {
	opts := t.tcpOpts.Load()
	if opts.NoConnect {
		return nil, errNoConnect
	}
	d := net.Dialer{Timeout: opts.ConnectTimeout}
	if s != nil {
		d.LocalAddr = &net.TCPAddr{IP: s.addr.AsSlice()}
	}
	nc, err := d.Dial("tcp", to.String())
	if err != nil {
		if k := t.netCounters(); k != nil {
			k.connectFailed.Inc()
		}
		return nil, err
	}
	return t.conns.add(nc, s, false)
}

// httpFrame frames an HTTP request at the start of pending: isHTTP tells
// whether its first line is an HTTP request line; n is its length (0 while
// incomplete); ok is false when the connection must close (too big, no
// Content-Length without tcp_accept_no_cl).
func (t *Transport) httpFrame(c *tcpConn, src sipmsg.Addr, pending []byte) (n int, ok, isHTTP bool) {
	eol := bytes.Index(pending, []byte("\r\n"))
	if eol < 0 {
		// A request line is short: wait for its end unless this is
		// already too long to be one.
		return 0, len(pending) < maxTCPMessage, false
	}
	if !sipmsg.HTTPRequestLine(string(pending[:eol])) {
		return 0, true, false
	}
	end := bytes.Index(pending, []byte("\r\n\r\n"))
	if end < 0 {
		if len(pending) >= maxTCPMessage {
			t.log.Logf(klog.Err, "core", "tcp_read_req(): message from %s:%d too big (over %d bytes) - closing connection %d",
				src.IP, src.Port, maxTCPMessage, c.id)
			return 0, false, true
		}
		return 0, true, true
	}
	body, hasCL := contentLength(pending[eol+2 : end+2])
	if !hasCL && !t.tcpOpts.Load().AcceptNoCL {
		t.log.Logf(klog.Err, "core", "tcp_read_req(): message from %s:%d without Content-Length - closing connection %d",
			src.IP, src.Port, c.id)
		return 0, false, true
	}
	total := end + 4 + body
	if body < 0 || total > maxTCPMessage {
		t.log.Logf(klog.Err, "core", "tcp_read_req(): message from %s:%d too big (over %d bytes) - closing connection %d",
			src.IP, src.Port, maxTCPMessage, c.id)
		return 0, false, true
	}
	if len(pending) < total {
		return 0, true, true
	}
	return total, true, true
}

// contentLength reads the Content-Length header among the header lines
// head; a value that is not a number counts as absent.
func contentLength(head []byte) (int, bool) {
	for len(head) > 0 {
		line := head
		if i := bytes.Index(head, []byte("\r\n")); i >= 0 {
			line, head = head[:i], head[i+2:]
		} else {
			head = nil
		}
		name, val, found := bytes.Cut(line, []byte(":"))
		if !found || !sipmsg.SameName(string(bytes.TrimSpace(name)), "content-length") {
			continue
		}
		n, err := strconv.Atoi(string(bytes.TrimSpace(val)))
		if err != nil || n < 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
