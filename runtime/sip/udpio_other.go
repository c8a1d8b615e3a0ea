//go:build !linux

package sip

import (
	"net"
	"net/netip"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// udpIO reads and sends through the socket's own methods where the raw
// calls of udpio_linux.go are not written.
type udpIO struct{ pc net.PacketConn }

func newUDPIO(pc net.PacketConn) (*udpIO, error) { return &udpIO{pc: pc}, nil }

type udpReader struct {
	io  *udpIO
	buf []byte
}

func (u *udpIO) reader(buf []byte) *udpReader { return &udpReader{io: u, buf: buf} }

func (r *udpReader) read() (int, sipmsg.Addr, error) {
	n, from, err := r.io.pc.ReadFrom(r.buf)
	if err != nil {
		return 0, sipmsg.Addr{}, err
	}
	return n, addrOf(from), nil
}

func (u *udpIO) send(to netip.AddrPort, buf string) error {
	_, err := u.pc.WriteTo([]byte(buf), net.UDPAddrFromAddrPort(to))
	return err
}

// addrOf converts a net.Addr of a UDP or TCP peer.
func addrOf(a net.Addr) sipmsg.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return sipmsg.Addr{}
	}
	return sipmsg.Addr{IP: ap.Addr().Unmap().String(), Port: int(ap.Port())}
}
