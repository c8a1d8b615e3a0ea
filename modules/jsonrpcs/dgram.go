package jsonrpcs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// dgramBufSize is the datagram transport's receive buffer: longer
// datagrams are cut to this size.
const dgramBufSize = 65456

// maxSunPath is the longest unix socket path Kamailio accepts (its check
// keeps room for the NUL in the 108-byte sun_path).
const maxSunPath = 106

// dgramServer is the running datagram transport: dgram_workers goroutines
// read requests from one socket and answer each to its sender's address.
type dgramServer struct {
	m        *Module
	conn     net.PacketConn
	path     string // the unix socket file; "" for UDP
	timeout  time.Duration
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// dgramAddr parses dgram_socket: "udp:HOST:PORT" (port 1024..65535) or
// a unix socket path, relative to run_dir unless it starts with '/'.
func (m *Module) dgramAddr() (network, addr string, err error) {
	s := m.dgramSocket
	if len(s) < 6 {
		return "", "", fmt.Errorf("length of socket address is too short: %s", s)
	}
	if rest, ok := strings.CutPrefix(s, "udp:"); ok {
		i := strings.LastIndexByte(rest, ':')
		if rest == "" || i <= 0 {
			return "", "", fmt.Errorf("no port specified in %s", s)
		}
		host, port := rest[:i], rest[i+1:]
		n, err := strconv.ParseUint(port, 10, 32)
		if err != nil {
			return "", "", fmt.Errorf("there is not a valid number port in %s", s)
		}
		if n < 1024 || n > 65535 {
			return "", "", fmt.Errorf("invalid port number %d; must be in [1024,65535]", n)
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		return "udp", net.JoinHostPort(host, port), nil
	}
	p := m.inRunDir(s)
	if len(p) > maxSunPath {
		return "", "", fmt.Errorf("socket path is too long: %s", p)
	}
	return "unixgram", p, nil
}

// startDgram binds the socket and starts the workers. A socket file left
// at the path by an earlier run is replaced; any other file there is an
// error (Kamailio would delete it).
func (m *Module) startDgram() (*dgramServer, error) {
	network, addr, err := m.dgramAddr()
	if err != nil {
		return nil, err
	}
	d := &dgramServer{m: m, timeout: time.Duration(m.dgramTimeout) * time.Millisecond}
	if network == "udp" {
		ua, err := net.ResolveUDPAddr("udp", addr)
		if err != nil {
			return nil, fmt.Errorf("failed to resolve %s: %w", m.dgramSocket, err)
		}
		c, err := net.ListenUDP("udp", ua)
		if err != nil {
			return nil, fmt.Errorf("bind: %w", err)
		}
		d.conn = c
	} else {
		if err := m.bindUnix(d, addr); err != nil {
			return nil, err
		}
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for i := int64(0); i < m.dgramWorkers; i++ {
		d.wg.Add(1)
		go d.serve()
	}
	return d, nil
}

func (m *Module) bindUnix(d *dgramServer, path string) error {
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeSocket == 0 {
			return fmt.Errorf("%s exists and is not a socket", path)
		}
		m.log.Logf(klog.Info, Name, "the socket %s already exists, trying to delete it...", path)
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("cannot delete old socket: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("socket stat failed: %w", err)
	}
	mode := m.dgramMode
	if mode == 0 {
		m.log.Log(klog.Warn, Name, "cannot specify dgram_mode = 0, forcing it to rw-------")
		mode = 0o600
	}
	uid, gid, err := ids(m.dgramUser, m.dgramGroup)
	if err != nil {
		return err
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	fail := func(err error) error {
		c.Close()
		os.Remove(path)
		return err
	}
	if err := os.Chmod(path, os.FileMode(mode)&os.ModePerm); err != nil {
		return fail(fmt.Errorf("failed to change the permissions for %s to %04o: %w", path, mode, err))
	}
	if uid != -1 || gid != -1 {
		if err := os.Chown(path, uid, gid); err != nil {
			return fail(fmt.Errorf("failed to change the owner/group for %s to %d.%d: %w", path, uid, gid, err))
		}
	}
	// Replies up to 64 KiB, as Kamailio asks; a refusal is not fatal.
	_ = c.SetWriteBuffer(64 * 1024)
	d.conn, d.path = c, path
	return nil
}

// stop closes the socket, waits for the workers and removes the socket
// file.
func (d *dgramServer) stop() {
	d.stopOnce.Do(func() {
		d.cancel()
		d.conn.Close()
		d.wg.Wait()
		if d.path == "" {
			return
		}
		if st, err := os.Lstat(d.path); err == nil && st.Mode()&os.ModeSocket != 0 {
			if err := os.Remove(d.path); err != nil {
				d.m.log.Logf(klog.Err, Name, "cannot delete the socket (%s): %v", d.path, err)
			}
		}
	})
}

func (d *dgramServer) serve() {
	defer d.wg.Done()
	buf := make([]byte, dgramBufSize)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			d.m.log.Logf(klog.Err, Name, "recvfrom: %v", err)
			continue
		}
		doc := bytes.Trim(buf[:n], " \t\r\n")
		if len(doc) == 0 {
			continue
		}
		res := d.m.exec(d.ctx, doc, false)
		if !res.parsed {
			d.m.log.Logf(klog.Err, Name, "failed to execute the json document from datagram: invalid json doc [[%s]]", doc)
			continue
		}
		if !answerable(from) {
			d.m.log.Log(klog.Err, Name, "failed to send the response: the sender's socket has no address")
			continue
		}
		if d.timeout > 0 {
			_ = d.conn.SetWriteDeadline(time.Now().Add(d.timeout))
		}
		if _, err := d.conn.WriteTo([]byte(res.Body), from); err != nil {
			d.m.log.Logf(klog.Err, Name, "failed to send the response - len: %d: %v", len(res.Body), err)
		}
	}
}

// answerable reports whether a reply can be sent to from: a unix client
// that did not bind its socket has no address.
func answerable(from net.Addr) bool {
	switch a := from.(type) {
	case nil:
		return false
	case *net.UnixAddr:
		return a != nil && a.Name != ""
	case *net.UDPAddr:
		return a != nil
	}
	return true
}
