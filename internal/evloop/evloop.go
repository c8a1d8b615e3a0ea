//go:build linux

// Package evloop owns a small epoll event loop for servers that hold many
// TCP connections and run short handlers on them: a Poller waits for
// level-triggered readability and writability of non-blocking descriptors
// and can be woken from any goroutine, and the raw helpers listen, accept,
// read and write without the Go runtime's network poller. A descriptor
// watched here is never also registered with the runtime, so one readiness
// change wakes one thread.
//
// The goroutine that calls Wait is the one that reads a message, handles it
// and writes the answer, with no goroutine hand-off, as a single-threaded C
// server does. How it waits depends on whether it has a P of its own:
//
//   - New: the epoll descriptor itself is watched by the runtime's network
//     poller, and Wait parks the goroutine until it is readable. A thread
//     blocked in a system call holds its P until the runtime's monitor takes
//     it back, which with one P happens on every wait of more than 20 µs and
//     starts another thread each time; parked, the goroutine costs nothing
//     while it waits. Each wait costs four epoll_wait calls, though (a check
//     before parking, the runtime's non-blocking and blocking polls, and the
//     one that takes the events).
//   - NewBlocking: Wait blocks its thread in epoll_wait, one call per wait
//     as in a C server. This is for a goroutine that holds a P of its own
//     (internal/procs.Hold): while another P is free, the runtime's monitor
//     leaves a P in a system call alone for 10 ms, and the goroutine yields
//     more often than that (see Poller.Wait).
//
// SetBlocking switches a Poller between the two between waits.
package evloop

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Event is one ready descriptor of a Wait.
type Event struct {
	Fd int
	// In: readable, or the peer closed or failed (a read tells which).
	In bool
	// Out: writable (reported only while watched for writing), or failed.
	Out bool
}

// Poller is one epoll instance with a wake-up descriptor. Watch, Modify,
// Forget and Wake are safe from any goroutine; Wait belongs to one.
type Poller struct {
	epfd     int
	blocking bool            // Wait blocks in epoll_wait (NewBlocking, SetBlocking)
	ep       *os.File        // a duplicate of epfd registered with the runtime's poller, while parked
	rc       syscall.RawConn // waits for ep to be readable
	// Wait's state: the callback made once, what it found, and whether
	// a read deadline is set on ep.
	readyFn  func(uintptr) bool
	n        int
	perr     error
	deadline bool
	wakefd   int // an eventfd, readable while a Wake is pending
	woken    atomic.Bool
	evs      []syscall.EpollEvent
	out      []Event

	// cmu keeps Wake from writing to wakefd once Close has closed it (the
	// number may belong to another descriptor by then).
	cmu    sync.RWMutex
	closed bool
}

// Linux eventfd flags (not in package syscall).
const (
	efdCloexec  = 0x80000
	efdNonblock = 0x800
)

// New returns a Poller that reports up to batch events per Wait and parks
// the waiting goroutine in the runtime's poller.
func New(batch int) (*Poller, error) { return newPoller(batch, false) }

// NewBlocking returns a Poller that reports up to batch events per Wait and
// blocks the waiting thread in epoll_wait. Its goroutine should hold a P of
// its own (internal/procs.Hold) and yield now and then (runtime.Gosched)
// so that the runtime's monitor never has to take its P back.
func NewBlocking(batch int) (*Poller, error) { return newPoller(batch, true) }

func newPoller(batch int, blocking bool) (*Poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	r, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, efdCloexec|efdNonblock, 0)
	if e != 0 {
		syscall.Close(epfd)
		return nil, os.NewSyscallError("eventfd2", e)
	}
	// Non-blocking, so that os.NewFile hands its duplicates to the
	// runtime's poller (epoll_wait's timeout does not depend on it).
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		syscall.Close(int(r))
		return nil, os.NewSyscallError("fcntl", err)
	}
	p := &Poller{epfd: epfd, blocking: true, wakefd: int(r), evs: make([]syscall.EpollEvent, max(batch, 1))}
	p.readyFn = p.ready
	if err := p.ctl(syscall.EPOLL_CTL_ADD, p.wakefd, syscall.EPOLLIN); err != nil {
		p.Close()
		return nil, err
	}
	if !blocking {
		if err := p.SetBlocking(false); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// SetBlocking switches how Wait waits: blocking in epoll_wait (true), or
// parked in the runtime's poller. Only the goroutine that calls Wait may
// call it. A blocking Poller's descriptor is kept out of the runtime's
// poller, whose own thread would otherwise wake for every event: parking
// registers a duplicate of it there, and blocking closes the duplicate.
func (p *Poller) SetBlocking(blocking bool) error {
	if blocking == p.blocking {
		return nil
	}
	p.cmu.RLock()
	defer p.cmu.RUnlock()
	if p.closed {
		return os.ErrClosed
	}
	if blocking {
		err := p.ep.Close()
		p.ep, p.rc, p.blocking = nil, nil, true
		return err
	}
	fd, _, e := syscall.RawSyscall(syscall.SYS_FCNTL, uintptr(p.epfd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return os.NewSyscallError("fcntl", e)
	}
	f := os.NewFile(fd, "epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return err
	}
	p.ep, p.rc, p.deadline, p.blocking = f, rc, false, false
	return nil
}

// Blocking says how Wait waits (see SetBlocking).
func (p *Poller) Blocking() bool { return p.blocking }

func (p *Poller) ctl(op, fd int, events uint32) error {
	p.cmu.RLock()
	defer p.cmu.RUnlock()
	if p.closed {
		return os.ErrClosed
	}
	ev := syscall.EpollEvent{Events: events, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, op, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

func mask(out bool) uint32 {
	if out {
		return syscall.EPOLLIN | syscall.EPOLLOUT
	}
	return syscall.EPOLLIN
}

// Watch adds fd, for reading and, with out, for writing.
func (p *Poller) Watch(fd int, out bool) error { return p.ctl(syscall.EPOLL_CTL_ADD, fd, mask(out)) }

// WatchOut adds fd for writing only (a connection draining its last
// replies after the peer's half-close).
func (p *Poller) WatchOut(fd int) error { return p.ctl(syscall.EPOLL_CTL_MOD, fd, syscall.EPOLLOUT) }

// Modify changes whether fd is watched for writing; it stays watched for
// reading.
func (p *Poller) Modify(fd int, out bool) error { return p.ctl(syscall.EPOLL_CTL_MOD, fd, mask(out)) }

// Forget stops watching fd. Closing fd does the same; Forget comes first
// when fd may have been duplicated.
func (p *Poller) Forget(fd int) error { return p.ctl(syscall.EPOLL_CTL_DEL, fd, 0) }

// Wake makes the current or next Wait return with woken set. Wakes that
// come before that Wait returns are merged into one.
func (p *Poller) Wake() {
	if p.woken.Swap(true) {
		return
	}
	p.cmu.RLock()
	if !p.closed {
		one := uint64(1)
		syscall.RawSyscall(syscall.SYS_WRITE, uintptr(p.wakefd), uintptr(unsafe.Pointer(&one)), 8)
	}
	p.cmu.RUnlock()
}

// Wait blocks until a watched descriptor is ready, a Wake, or msec
// milliseconds (-1: no limit). The events are valid until the next Wait.
// A blocking Poller's goroutine keeps its P while it waits: the runtime
// takes it back when the goroutine has not yielded for 10 ms, and then
// wakes its monitor more often until it does.
func (p *Poller) Wait(msec int) (evs []Event, woken bool, err error) {
	var n int
	switch {
	case msec == 0:
		n, err = p.poll()
	case p.blocking:
		n, err = p.epollWait(msec)
	default:
		// Park until epfd is readable or the time is up; the runtime
		// calls p.ready first, so ready events cost no wait.
		switch {
		case msec > 0:
			err = p.ep.SetReadDeadline(time.Now().Add(time.Duration(msec) * time.Millisecond))
			p.deadline = true
		case p.deadline:
			err = p.ep.SetReadDeadline(time.Time{})
			p.deadline = false
		}
		if err == nil {
			p.n, p.perr = 0, nil
			err = p.rc.Read(p.readyFn)
			n = p.n
			if err == nil {
				err = p.perr
			} else if errors.Is(err, os.ErrDeadlineExceeded) {
				err = nil
			}
		}
	}
	if err != nil {
		return nil, false, err
	}
	out := p.out[:0]
	for _, e := range p.evs[:n] {
		fd := int(e.Fd)
		if fd == p.wakefd {
			var v uint64
			syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&v)), 8)
			p.woken.Store(false)
			woken = true
			continue
		}
		bad := e.Events&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0
		out = append(out, Event{Fd: fd, In: bad || e.Events&syscall.EPOLLIN != 0, Out: bad || e.Events&syscall.EPOLLOUT != 0})
	}
	p.out = out
	return out, woken, nil
}

// epollWait is epoll_wait into p.evs, started again with the same limit
// when a signal (the runtime's preemption) interrupts it. A wait goes
// through the runtime's system call entry (the P stays with the thread,
// and is free for others if the runtime takes it back meanwhile); a poll
// (msec 0) is a raw call.
func (p *Poller) epollWait(msec int) (int, error) {
	for {
		var r uintptr
		var e syscall.Errno
		if msec == 0 {
			r, _, e = syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, uintptr(p.epfd),
				uintptr(unsafe.Pointer(&p.evs[0])), uintptr(len(p.evs)), 0, 0, 0)
		} else {
			r, _, e = syscall.Syscall6(syscall.SYS_EPOLL_WAIT, uintptr(p.epfd),
				uintptr(unsafe.Pointer(&p.evs[0])), uintptr(len(p.evs)), uintptr(msec), 0, 0)
		}
		switch e {
		case 0:
			return int(r), nil
		case syscall.EINTR:
			continue
		}
		return 0, os.NewSyscallError("epoll_wait", e)
	}
}

// ready is the callback of Wait's parked read: it takes the ready
// events, and says whether there were any (or an error).
func (p *Poller) ready(uintptr) bool {
	p.n, p.perr = p.poll()
	return p.n > 0 || p.perr != nil
}

// poll takes the ready events without waiting.
func (p *Poller) poll() (int, error) { return p.epollWait(0) }

// Close releases the epoll and wake descriptors. Later Wakes do nothing;
// other calls fail.
func (p *Poller) Close() error {
	p.cmu.Lock()
	defer p.cmu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	syscall.Close(p.wakefd)
	var err error
	if p.ep != nil {
		err = p.ep.Close()
		p.ep, p.rc = nil, nil
	}
	return errors.Join(err, syscall.Close(p.epfd))
}

// Read reads from the non-blocking fd into b: n > 0, or n == 0 with errno 0
// at end of stream, or an errno (EAGAIN: nothing to read now).
func Read(fd int, b []byte) (int, syscall.Errno) { return rawRW(syscall.SYS_READ, fd, b) }

// Write writes b to the non-blocking fd and returns how much it took
// (EAGAIN: the socket buffer is full).
func Write(fd int, b []byte) (int, syscall.Errno) { return rawRW(syscall.SYS_WRITE, fd, b) }

// rawRW bypasses the runtime's syscall entry: the calls never block, and
// entering a syscall while the other Ps are idle wakes the runtime's
// monitor thread, which costs more than the call itself.
func rawRW(trap uintptr, fd int, b []byte) (int, syscall.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	for {
		r, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), 0
	}
}

// Close closes fd.
func Close(fd int) error { return syscall.Close(fd) }

// Shutdown shuts both directions of the socket fd down: the peer sees the
// end of the stream, and a Poller watching fd reports it readable (a read
// returns end of stream).
func Shutdown(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RDWR) }

// ListenTCP opens a non-blocking TCP listening socket on addr
// ("host:port"; host may be a name, which resolves to its first address)
// and returns it with the address it is bound to.
func ListenTCP(addr string) (int, *net.TCPAddr, error) {
	ta, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return -1, nil, err
	}
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if ip4 := ta.IP.To4(); ip4 != nil || ta.IP == nil {
		s := &syscall.SockaddrInet4{Port: ta.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		family = syscall.AF_INET6
		s := &syscall.SockaddrInet6{Port: ta.Port}
		copy(s.Addr[:], ta.IP.To16())
		if ta.Zone != "" {
			if ifi, err := net.InterfaceByName(ta.Zone); err == nil {
				s.ZoneId = uint32(ifi.Index)
			}
		}
		sa = s
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if err != nil {
		return -1, nil, os.NewSyscallError("socket", err)
	}
	fail := func(call string, err error) (int, *net.TCPAddr, error) {
		syscall.Close(fd)
		return -1, nil, os.NewSyscallError(call, err)
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		return fail("setsockopt", err)
	}
	if family == syscall.AF_INET6 {
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if err := syscall.Listen(fd, backlog()); err != nil {
		return fail("listen", err)
	}
	got, err := syscall.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	ip, port := sockaddrIP(got)
	return fd, &net.TCPAddr{IP: ip, Port: port, Zone: ta.Zone}, nil
}

// backlog is the kernel's somaxconn, as the net package uses.
func backlog() int {
	b, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			return min(n, 1<<16-1)
		}
	}
	return syscall.SOMAXCONN
}

// Accept takes one connection from the listening fd: a non-blocking,
// close-on-exec descriptor and the peer's address (IPv4-mapped addresses
// in their 4-byte form). EAGAIN: none is waiting.
func Accept(lfd int) (fd int, ip net.IP, port int, err error) {
	for {
		nfd, sa, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err == syscall.EINTR || err == syscall.ECONNABORTED {
			continue
		}
		if err != nil {
			return -1, nil, 0, err
		}
		ip, port := sockaddrIP(sa)
		return nfd, ip, port, nil
	}
}

func sockaddrIP(sa syscall.Sockaddr) (net.IP, int) {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return net.IP(append([]byte(nil), a.Addr[:]...)), a.Port
	case *syscall.SockaddrInet6:
		ip := net.IP(append([]byte(nil), a.Addr[:]...))
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		return ip, a.Port
	}
	return nil, 0
}

// SetTCPOptions sets TCP_NODELAY and SO_KEEPALIVE on a connected socket.
func SetTCPOptions(fd int) error {
	return errors.Join(
		syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1),
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1))
}

// Listener is a listening socket whose Accept waits in the Go runtime's
// poller: connections are rare, and a goroutine parked there holds no
// thread. The descriptors it accepts are not registered with the runtime.
type Listener struct {
	f      *os.File
	rc     syscall.RawConn
	addr   *net.TCPAddr
	closed atomic.Bool
}

// Listen opens a Listener on addr (see ListenTCP).
func Listen(addr string) (*Listener, error) {
	fd, a, err := ListenTCP(addr)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "listener")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Listener{f: f, rc: rc, addr: a}, nil
}

// Addr returns the address the listener is bound to.
func (l *Listener) Addr() *net.TCPAddr { return l.addr }

// Accept waits for a connection and takes it (see the function Accept).
// After Close it fails with an error matching os.ErrClosed.
func (l *Listener) Accept() (fd int, ip net.IP, port int, err error) {
	var aerr error
	err = l.rc.Read(func(lfd uintptr) bool {
		fd, ip, port, aerr = Accept(int(lfd))
		return aerr != syscall.EAGAIN
	})
	if err != nil {
		if l.closed.Load() {
			err = os.ErrClosed
		}
		return -1, nil, 0, err
	}
	return fd, ip, port, aerr
}

// Close closes the listening socket; a pending Accept returns.
func (l *Listener) Close() error {
	l.closed.Store(true)
	return l.f.Close()
}
