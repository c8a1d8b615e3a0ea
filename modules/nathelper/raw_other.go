//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package nathelper

import (
	"errors"
	"net/netip"
)

// rawSender is not available on this system: natping_socket and
// udpping_from_path refuse to load.
type rawSender struct{}

func newRawSender() (*rawSender, error) { return nil, errors.New("no raw sockets on this system") }

func (*rawSender) send([]byte, netip.AddrPort, [4]byte, uint16) error {
	return errors.New("no raw sockets on this system")
}

func (*rawSender) close() {}
