package netstring

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// ConnMax is the largest payload a Conn accepts: a peer announcing more is
// sending garbage (evapi itself buffers at most 32 KiB per client).
const ConnMax = 1 << 20

// SendTimeout bounds one Conn.Send.
const SendTimeout = 10 * time.Second

// ErrTimeout reports that no whole frame arrived in time; the bytes of a
// partial frame stay buffered for the next Recv.
var ErrTimeout = errors.New("netstring: receive timed out")

// Conn is a client connection exchanging netstring frames. One goroutine
// may Send while another Recvs.
type Conn struct {
	c   net.Conn
	dec Decoder
	buf []byte // received bytes not yet returned
	err error  // a fatal framing error: every later Recv returns it
}

// Dial connects to addr over TCP.
func Dial(addr string, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("netstring dial: %w", err)
	}
	return NewConn(c), nil
}

// NewConn frames the traffic of an open connection.
func NewConn(c net.Conn) *Conn {
	return &Conn{c: c, dec: Decoder{Max: ConnMax}}
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.c }

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Send writes payload as one frame, waiting at most SendTimeout.
func (c *Conn) Send(payload string) error {
	if err := c.c.SetWriteDeadline(time.Now().Add(SendTimeout)); err != nil {
		return err
	}
	if _, err := c.c.Write(Append(nil, payload)); err != nil {
		return fmt.Errorf("netstring send: %w", err)
	}
	return nil
}

// Recv returns the next frame's payload, waiting at most timeout. Frames
// split across reads are reassembled; bytes after a frame stay buffered. An
// invalid frame is an *Error; after one whose length was too long, every
// Recv fails.
func (c *Conn) Recv(timeout time.Duration) (string, error) {
	if c.err != nil {
		return "", c.err
	}
	deadline := time.Now().Add(timeout)
	var chunk [4096]byte
	for {
		p, n, r, reason := c.dec.Next(c.buf)
		switch r {
		case Frame:
			s := string(p)
			c.buf = c.buf[n:]
			return s, nil
		case Bad:
			c.buf = c.buf[n:]
			return "", &Error{Reason: reason}
		case TooLong:
			c.buf = nil
			c.err = &Error{Reason: reason, Fatal: true}
			return "", c.err
		}
		c.buf = c.buf[n:]
		// A connection that cannot take a deadline is closed, and its
		// Read says so.
		_ = c.c.SetReadDeadline(deadline)
		m, err := c.c.Read(chunk[:])
		c.buf = append(c.buf, chunk[:m]...)
		if err != nil && m == 0 {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return "", ErrTimeout
			}
			return "", fmt.Errorf("netstring recv: %w", err)
		}
	}
}
