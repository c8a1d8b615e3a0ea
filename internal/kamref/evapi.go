package kamref

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// SyncMessage is the payload the conformance prelude answers by relaying it
// back; Sync uses it as a barrier.
const SyncMessage = "#sync"

// Conn is an evapi client connection speaking netstrings.
type Conn struct {
	c   net.Conn
	buf []byte
}

// Dial connects to an evapi listener on 127.0.0.1:port.
func Dial(port int, timeout time.Duration) (*Conn, error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), timeout)
	if err != nil {
		return nil, fmt.Errorf("evapi dial: %w", err)
	}
	return &Conn{c: c}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// LocalPort is the client's own TCP port, which Kamailio sees as $evapi(srcport).
func (c *Conn) LocalPort() int {
	if a, ok := c.c.LocalAddr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// Send writes payload as one netstring frame.
func (c *Conn) Send(payload string) error {
	if err := c.c.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	_, err := c.c.Write(AppendNetstring(nil, payload))
	if err != nil {
		return fmt.Errorf("evapi send: %w", err)
	}
	return nil
}

// ErrTimeout reports that no whole frame arrived in time.
var ErrTimeout = errors.New("evapi: receive timed out")

// Recv returns the next frame's payload, waiting at most timeout. Frames
// split across reads are reassembled; bytes after a frame stay buffered.
func (c *Conn) Recv(timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	var chunk [4096]byte
	for {
		p, n, err := DecodeNetstring(c.buf)
		if err == nil {
			c.buf = c.buf[n:]
			return p, nil
		}
		if !errors.Is(err, ErrIncomplete) {
			return "", err
		}
		if err := c.c.SetReadDeadline(deadline); err != nil {
			return "", err
		}
		m, rerr := c.c.Read(chunk[:])
		c.buf = append(c.buf, chunk[:m]...)
		if rerr != nil {
			if errors.Is(rerr, os.ErrDeadlineExceeded) {
				return "", ErrTimeout
			}
			return "", fmt.Errorf("evapi recv: %w", rerr)
		}
	}
}

// Sync sends SyncMessage and collects every payload received before its
// echo. The prelude's event route relays "#sync" back after earlier events
// are complete, so the result holds exactly the relays of those events.
func (c *Conn) Sync(timeout time.Duration) ([]string, error) {
	if err := c.Send(SyncMessage); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	var got []string
	for i := 0; i < 100000; i++ {
		left := time.Until(deadline)
		if left <= 0 {
			return got, ErrTimeout
		}
		p, err := c.Recv(left)
		if err != nil {
			return got, err
		}
		if p == SyncMessage {
			return got, nil
		}
		got = append(got, p)
	}
	return got, errors.New("evapi: too many frames before sync")
}
