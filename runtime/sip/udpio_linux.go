//go:build linux

package sip

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"unsafe"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// udpIO reads and sends the datagrams of one UDP socket with raw system
// calls, using the runtime's poller only to wait. A system call made the
// runtime's way holds the thread's P for its duration; with one P
// (internal/procs) the runtime's monitor takes the P back from any call
// that lasts 20 µs, which a loopback sendto that wakes its receiver often
// does, and starts another thread each time. A non-blocking recvfrom or
// sendto never waits, so it is made as a raw call.
type udpIO struct {
	rc syscall.RawConn
}

func newUDPIO(pc net.PacketConn) (*udpIO, error) {
	sc, ok := pc.(syscall.Conn)
	if !ok {
		return nil, errors.New("udp: the socket gives no access to its descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &udpIO{rc: rc}, nil
}

// udpReader is one reading goroutine's state: its callback is made once,
// and the text of the last source address is kept, since most datagrams
// come from the same few peers.
type udpReader struct {
	io    *udpIO
	buf   []byte
	sa    syscall.RawSockaddrAny
	n     int
	errno syscall.Errno
	fn    func(uintptr) bool

	lastIP  netip.Addr
	lastStr string
}

func (u *udpIO) reader(buf []byte) *udpReader {
	r := &udpReader{io: u, buf: buf}
	r.fn = r.recv
	return r
}

func (r *udpReader) recv(fd uintptr) bool {
	for {
		salen := uint32(syscall.SizeofSockaddrAny)
		n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd,
			uintptr(unsafe.Pointer(&r.buf[0])), uintptr(len(r.buf)), 0,
			uintptr(unsafe.Pointer(&r.sa)), uintptr(unsafe.Pointer(&salen)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		r.n, r.errno = int(n), e
		return true
	}
}

// read waits for the next datagram and returns its length and source.
func (r *udpReader) read() (int, sipmsg.Addr, error) {
	if err := r.io.rc.Read(r.fn); err != nil {
		return 0, sipmsg.Addr{}, err
	}
	if r.errno != 0 {
		return 0, sipmsg.Addr{}, &net.OpError{Op: "read", Net: "udp", Err: os.NewSyscallError("recvfrom", r.errno)}
	}
	ip, port := sockaddrAddr(&r.sa)
	if ip != r.lastIP || r.lastStr == "" {
		r.lastIP, r.lastStr = ip, ip.String()
	}
	return r.n, sipmsg.Addr{IP: r.lastStr, Port: port}, nil
}

// sockaddrAddr decodes an IPv4 or IPv6 socket address (unmapped, with the
// zone of a link-local address).
func sockaddrAddr(sa *syscall.RawSockaddrAny) (netip.Addr, int) {
	switch sa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrFrom4(p.Addr), portOf(&p.Port)
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(sa))
		ip := netip.AddrFrom16(p.Addr).Unmap()
		if p.Scope_id != 0 && ip.Is6() {
			zone := strconv.FormatUint(uint64(p.Scope_id), 10)
			if ifc, err := net.InterfaceByIndex(int(p.Scope_id)); err == nil {
				zone = ifc.Name
			}
			ip = ip.WithZone(zone)
		}
		return ip, portOf(&p.Port)
	}
	return netip.Addr{}, 0
}

// portOf reads a port in network byte order.
func portOf(p *uint16) int {
	b := (*[2]byte)(unsafe.Pointer(p))
	return int(b[0])<<8 | int(b[1])
}

// udpSend is one sendto's state; they are pooled so that a send allocates
// nothing.
type udpSend struct {
	sa    syscall.RawSockaddrInet6 // large enough for both families
	salen uintptr
	data  unsafe.Pointer
	size  int
	errno syscall.Errno
	fn    func(uintptr) bool
}

var udpSends = sync.Pool{New: func() any {
	s := &udpSend{}
	s.fn = s.send
	return s
}}

func (s *udpSend) send(fd uintptr) bool {
	for {
		_, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(s.data), uintptr(s.size), 0,
			uintptr(unsafe.Pointer(&s.sa)), s.salen)
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false // the socket's buffer is full: wait until it is writable
		}
		s.errno = e
		return true
	}
}

// send sends buf to `to` in one datagram.
func (u *udpIO) send(to netip.AddrPort, buf string) error {
	if len(buf) == 0 {
		return nil
	}
	s := udpSends.Get().(*udpSend)
	s.sa = syscall.RawSockaddrInet6{}
	ip := to.Addr()
	if ip.Is4() {
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&s.sa))
		p.Family = syscall.AF_INET
		setPort(&p.Port, to.Port())
		p.Addr = ip.As4()
		s.salen = syscall.SizeofSockaddrInet4
	} else {
		s.sa.Family = syscall.AF_INET6
		setPort(&s.sa.Port, to.Port())
		s.sa.Addr = ip.As16()
		if z := ip.Zone(); z != "" {
			if ifc, err := net.InterfaceByName(z); err == nil {
				s.sa.Scope_id = uint32(ifc.Index)
			} else if n, err := strconv.ParseUint(z, 10, 32); err == nil {
				s.sa.Scope_id = uint32(n)
			}
		}
		s.salen = syscall.SizeofSockaddrInet6
	}
	s.data, s.size, s.errno = unsafe.Pointer(unsafe.StringData(buf)), len(buf), 0
	err := u.rc.Write(s.fn)
	if err == nil && s.errno != 0 {
		err = &net.OpError{Op: "write", Net: "udp", Err: os.NewSyscallError("sendto", s.errno)}
	}
	s.data = nil
	udpSends.Put(s)
	return err
}

func setPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}
