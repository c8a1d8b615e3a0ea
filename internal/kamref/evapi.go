package kamref

import (
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
)

// SyncMessage is the payload the conformance prelude answers by relaying it
// back; Sync uses it as a barrier.
const SyncMessage = "#sync"

// ErrTimeout reports that no whole frame arrived in time.
var ErrTimeout = netstring.ErrTimeout

// Conn is an evapi client connection: a netstring.Conn (Send, Recv, Close)
// with the conformance barrier.
type Conn struct {
	*netstring.Conn
}

// Dial connects to an evapi listener on 127.0.0.1:port.
func Dial(port int, timeout time.Duration) (*Conn, error) {
	c, err := netstring.Dial(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), timeout)
	if err != nil {
		return nil, err
	}
	return &Conn{c}, nil
}

// LocalPort is the client's own TCP port, which Kamailio sees as $evapi(srcport).
func (c *Conn) LocalPort() int {
	if a, ok := c.NetConn().LocalAddr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
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
