package ctl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// maxUnixPath is the longest socket path Kamailio's ctl accepts.
const maxUnixPath = 104

// ctrlSocket is one open control socket.
type ctrlSocket struct {
	id   listenID
	ln   net.Listener   // stream transports
	pc   net.PacketConn // datagram transports
	fifo *fifoServer    // fifo
	addr net.Addr       // bound address (udp, tcp)
}

// conn is one open stream connection.
type conn struct {
	c      net.Conn
	parent *ctrlSocket
}

// Start implements module.Starter: it opens every control socket (a
// failure closes those opened and fails the start) and serves them.
func (m *Module) Start(ctx context.Context) error {
	if m.host == nil {
		return errors.New("ctl: Start before Provision")
	}
	var socks []*ctrlSocket
	for _, id := range m.ids {
		s, err := m.open(id)
		if err != nil {
			for _, o := range socks {
				o.close(m)
			}
			return fmt.Errorf("ctl: %w", err)
		}
		socks = append(socks, s)
	}
	m.mu.Lock()
	m.socks = socks
	m.started = true
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.mu.Unlock()
	for _, s := range socks {
		m.wg.Add(1)
		switch {
		case s.fifo != nil:
			go m.serveFIFO(s)
		case s.ln != nil:
			go m.acceptLoop(s)
		default:
			go m.serveDgram(s)
		}
	}
	return nil
}

// Stop implements module.Starter: it closes the sockets and connections,
// waits for the requests running, and removes the socket files.
func (m *Module) Stop(ctx context.Context) error {
	m.mu.Lock()
	if !m.started || m.stopping {
		m.mu.Unlock()
		return nil
	}
	m.stopping = true
	m.cancel()
	socks := m.socks
	for _, c := range m.conns {
		c.c.Close()
	}
	m.mu.Unlock()
	for _, s := range socks {
		s.close(m)
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("ctl: stop: %w", ctx.Err())
	}
}

// open opens the socket id names.
func (m *Module) open(id listenID) (*ctrlSocket, error) {
	s := &ctrlSocket{id: id}
	switch id.proto {
	case unixStream, unixDgram:
		if id.name == "" {
			return nil, fmt.Errorf("unix socket %q without a path", id.text)
		}
		if len(id.name) > maxUnixPath {
			return nil, fmt.Errorf("unix socket name too long (%d > %d): %s", len(id.name), maxUnixPath, id.name)
		}
		// A socket file left by an earlier run is replaced, as Kamailio
		// unlinks the path before binding.
		if fi, err := os.Lstat(id.name); err == nil && fi.Mode()&os.ModeSocket != 0 {
			os.Remove(id.name)
		}
		var err error
		if id.proto == unixStream {
			var ln *net.UnixListener
			ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: id.name, Net: "unix"})
			if err == nil {
				ln.SetUnlinkOnClose(false)
				s.ln = ln
			}
		} else {
			s.pc, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: id.name, Net: "unixgram"})
		}
		if err != nil {
			return nil, fmt.Errorf("cannot listen on unix socket %s: %w", id.name, err)
		}
		if err := m.own(id.name); err != nil {
			s.close(m)
			return nil, err
		}
	case tcpSock, udpSock:
		host, err := bindHost(id.name)
		if err != nil {
			return nil, err
		}
		addr := net.JoinHostPort(host, strconv.Itoa(id.port))
		if id.proto == tcpSock {
			s.ln, err = net.Listen("tcp", addr)
		} else {
			s.pc, err = net.ListenPacket("udp", addr)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s:%s: %w", id.proto, addr, err)
		}
		if s.ln != nil {
			s.addr = s.ln.Addr()
		} else {
			s.addr = s.pc.LocalAddr()
		}
	case fifoSock:
		f, err := m.openFIFO(id.name)
		if err != nil {
			return nil, err
		}
		s.fifo = f
	default:
		return nil, fmt.Errorf("unsupported listen protocol for %q", id.text)
	}
	return s, nil
}

// own applies mode, user and group to a socket or fifo file: the mode when
// it is not 0, the owner when both user and group are known (as Kamailio
// does).
func (m *Module) own(path string) error {
	if m.mode != 0 {
		if err := os.Chmod(path, os.FileMode(m.mode)&os.ModePerm); err != nil {
			return fmt.Errorf("failed to change the permissions for %s to %04o: %w", path, m.mode, err)
		}
	}
	if m.uid != -1 && m.gid != -1 {
		if err := os.Chown(path, m.uid, m.gid); err != nil {
			return fmt.Errorf("failed to change the owner/group for %s to %d.%d: %w", path, m.uid, m.gid, err)
		}
	}
	return nil
}

// close closes the socket and removes its file.
func (s *ctrlSocket) close(m *Module) {
	if s.ln != nil {
		s.ln.Close()
	}
	if s.pc != nil {
		s.pc.Close()
	}
	if s.fifo != nil {
		s.fifo.close()
	}
	if s.id.proto == unixStream || s.id.proto == unixDgram || s.id.proto == fifoSock {
		if err := os.Remove(s.id.name); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log.Logf(klog.Err, Name, "could not delete unix socket %s: %v", s.id.name, err)
		}
	}
}

// acceptLoop accepts stream connections until the socket closes.
func (m *Module) acceptLoop(s *ctrlSocket) {
	defer m.wg.Done()
	backoff := time.Duration(0)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: log, wait a little, retry.
			m.log.Logf(klog.Err, Name, "error while accepting connection on %s: %v", s.id.name, err)
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		m.mu.Lock()
		if m.stopping {
			m.mu.Unlock()
			c.Close()
			return
		}
		if len(m.conns) >= maxStreamConns {
			m.mu.Unlock()
			m.log.Logf(klog.Err, Name, "maximum number of connections exceeded: %d/%d", maxStreamConns, maxStreamConns)
			c.Close()
			continue
		}
		cn := &conn{c: c, parent: s}
		m.conns = append(m.conns, cn)
		m.wg.Add(1)
		m.mu.Unlock()
		go m.serveConn(cn)
	}
}

// dropConn forgets a closed connection.
func (m *Module) dropConn(cn *conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, c := range m.conns {
		if c == cn {
			m.conns = append(m.conns[:i], m.conns[i+1:]...)
			return
		}
	}
}

// serveConn reads requests from a stream connection, several per
// connection, each answered in order, until the peer closes it or sends
// what cannot be answered.
func (m *Module) serveConn(cn *conn) {
	defer m.wg.Done()
	defer m.dropConn(cn)
	defer cn.c.Close()
	buf := make([]byte, bufSize)
	end := 0
	for {
		if end == len(buf) {
			m.log.Logf(klog.Err, Name, "buffer overrun on %s: request larger than %d bytes", cn.parent.id.name, bufSize)
			return
		}
		n, err := cn.c.Read(buf[end:])
		end += n
		proc := 0
		for proc < end {
			res := m.handle(cn.parent, buf[proc:end], true)
			if len(res.reply) > 0 {
				if _, werr := cn.c.Write(res.reply); werr != nil {
					m.log.Logf(klog.Dbg, Name, "send failed: %v", werr)
					return
				}
			}
			if res.close {
				return
			}
			if res.n == 0 {
				break
			}
			proc += res.n
		}
		copy(buf, buf[proc:end])
		end -= proc
		if err != nil {
			if end > 0 && !errors.Is(err, net.ErrClosed) {
				m.log.Logf(klog.Err, Name, "unexpected EOF on %s: %d bytes of an unfinished request", cn.parent.id.name, end)
			}
			return
		}
	}
}

// serveDgram answers datagrams, one request each, until the socket closes.
func (m *Module) serveDgram(s *ctrlSocket) {
	defer m.wg.Done()
	buf := make([]byte, bufSize)
	for {
		n, from, err := s.pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			m.log.Logf(klog.Err, Name, "recvfrom on %s: %v", s.id.name, err)
			continue
		}
		res := m.handle(s, buf[:n], false)
		if len(res.reply) == 0 {
			continue
		}
		if len(res.reply) > bufSize {
			m.log.Logf(klog.Err, Name, "send failed: datagram too big (%d bytes)", len(res.reply))
			continue
		}
		if unnamed(from) {
			m.log.Logf(klog.Err, Name, "cannot reply on %s: the sender has no address", s.id.name)
			continue
		}
		if _, err := s.pc.WriteTo(res.reply, from); err != nil {
			m.log.Logf(klog.Err, Name, "send failed on %s: %v", s.id.name, err)
		}
	}
}

// handle answers the request at the start of b in the socket's protocol.
// FIFO requests over a socket are answered on the socket.
func (m *Module) handle(s *ctrlSocket, b []byte, stream bool) result {
	if s.id.data == payloadFIFO {
		res, _ := m.processFIFO(b, stream)
		return res
	}
	return m.process(b, stream)
}

// unnamed reports whether a datagram came from a socket without an
// address to answer (a unix socket that did not bind).
func unnamed(a net.Addr) bool {
	if a == nil {
		return true
	}
	if u, ok := a.(*net.UnixAddr); ok {
		return u == nil || u.Name == ""
	}
	return false
}
