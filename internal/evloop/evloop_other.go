//go:build !linux

package evloop

import (
	"errors"
	"net"
	"syscall"
)

// ErrUnsupported is returned by New and ListenTCP where epoll is missing.
var ErrUnsupported = errors.New("evloop: the event loop needs Linux (epoll)")

// Event is one ready descriptor of a Wait.
type Event struct {
	Fd      int
	In, Out bool
}

// Poller is not available on this system.
type Poller struct{}

func New(int) (*Poller, error)                    { return nil, ErrUnsupported }
func NewBlocking(int) (*Poller, error)            { return nil, ErrUnsupported }
func (*Poller) SetBlocking(bool) error            { return ErrUnsupported }
func (*Poller) Blocking() bool                    { return false }
func (*Poller) Watch(int, bool) error             { return ErrUnsupported }
func (*Poller) WatchOut(int) error                { return ErrUnsupported }
func (*Poller) Modify(int, bool) error            { return ErrUnsupported }
func (*Poller) Forget(int) error                  { return ErrUnsupported }
func (*Poller) Wake()                             {}
func (*Poller) Wait(int) ([]Event, bool, error)   { return nil, false, ErrUnsupported }
func (*Poller) Close() error                      { return nil }
func Read(int, []byte) (int, syscall.Errno)       { return 0, syscall.EINVAL }
func Write(int, []byte) (int, syscall.Errno)      { return 0, syscall.EINVAL }
func Close(fd int) error                          { return syscall.Close(fd) }
func Shutdown(int) error                          { return ErrUnsupported }
func ListenTCP(string) (int, *net.TCPAddr, error) { return -1, nil, ErrUnsupported }
func Accept(int) (int, net.IP, int, error)        { return -1, nil, 0, ErrUnsupported }
func SetTCPOptions(int) error                     { return nil }

// Listener is not available on this system.
type Listener struct{}

func Listen(string) (*Listener, error)              { return nil, ErrUnsupported }
func (*Listener) Addr() *net.TCPAddr                { return nil }
func (*Listener) Accept() (int, net.IP, int, error) { return -1, nil, 0, ErrUnsupported }
func (*Listener) Close() error                      { return nil }
