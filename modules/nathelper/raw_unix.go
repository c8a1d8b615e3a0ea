//go:build linux || darwin || freebsd || netbsd || openbsd

package nathelper

import (
	"net/netip"
	"sync"
	"syscall"
)

// rawSender is an IPv4 raw socket whose packets carry their own header.
type rawSender struct {
	mu sync.Mutex
	fd int
}

func newRawSender() (*rawSender, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW, syscall.IPPROTO_RAW)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_HDRINCL, 1); err != nil {
		_ = syscall.Close(fd)
		return nil, err
	}
	return &rawSender{fd: fd}, nil
}

func (r *rawSender) send(payload []byte, dst netip.AddrPort, src [4]byte, srcPort uint16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 {
		return syscall.EBADF
	}
	sa := &syscall.SockaddrInet4{Port: int(dst.Port()), Addr: dst.Addr().As4()}
	return syscall.Sendto(r.fd, rawPacket(payload, dst, src, srcPort), 0, sa)
}

func (r *rawSender) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd >= 0 {
		_ = syscall.Close(r.fd)
		r.fd = -1
	}
}
