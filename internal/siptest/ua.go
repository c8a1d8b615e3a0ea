package siptest

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// UA is a UDP endpoint of a test: a phone upstream of the server or a
// server downstream of it. It keeps every datagram it reads (Received).
// Its methods fail the test on a network error or a message that must
// come and does not.
type UA struct {
	t testing.TB
	// Name names the UA in failure messages.
	Name string
	// To is where Send sends; SendTo ignores it.
	To string
	pc net.PacketConn

	mu  sync.Mutex
	got []string
}

// NewUA opens a UA on 127.0.0.1 on a port from freeport (below the
// ephemeral range, so that it can never be a number a message carries
// for another reason); it closes at the end of the test. A port some
// process outside freeport took between the pick and the bind is passed
// over for the next one.
func NewUA(t testing.TB, name string) *UA {
	t.Helper()
	for i := 0; ; i++ {
		port, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) && i < 20 {
				continue
			}
			t.Fatal(err)
		}
		return adopt(t, name, pc)
	}
}

// NewUAOn opens a UA on another local address (127.0.0.2 ...), on a port
// the system picks.
func NewUAOn(t testing.TB, name, ip string) *UA {
	t.Helper()
	return newUA(t, name, net.JoinHostPort(ip, "0"))
}

func newUA(t testing.TB, name, addr string) *UA {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return adopt(t, name, pc)
}

// adopt makes a UA of pc, closed at the end of the test.
func adopt(t testing.TB, name string, pc net.PacketConn) *UA {
	t.Cleanup(func() { pc.Close() })
	return &UA{t: t, Name: name, pc: pc}
}

// Dial is NewUA with To set to addr.
func Dial(t testing.TB, name, addr string) *UA {
	t.Helper()
	u := NewUA(t, name)
	u.To = addr
	return u
}

// Port is the UA's port.
func (u *UA) Port() int { return u.pc.LocalAddr().(*net.UDPAddr).Port }

// Addr is the UA's address, "IP:PORT".
func (u *UA) Addr() string { return u.pc.LocalAddr().String() }

// Conn is the UA's socket, for a test that reads or writes it itself.
func (u *UA) Conn() net.PacketConn { return u.pc }

// Send sends msg to To.
func (u *UA) Send(msg string) {
	u.t.Helper()
	u.SendTo(u.To, msg)
}

// SendTo sends msg to addr.
func (u *UA) SendTo(addr, msg string) {
	u.t.Helper()
	to, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		u.t.Fatalf("%s: %v", u.Name, err)
	}
	if _, err := u.pc.WriteTo([]byte(msg), to); err != nil {
		u.t.Fatalf("%s: %v", u.Name, err)
	}
}

// Ask sends msg to To and returns the next datagram.
func (u *UA) Ask(msg string) string {
	u.t.Helper()
	u.Send(msg)
	return u.RecvText()
}

// ReadText returns the next datagram, or false when none comes within d.
func (u *UA) ReadText(d time.Duration) (string, bool) {
	s, _, ok := u.ReadFrom(d)
	return s, ok
}

// ReadFrom returns the next datagram and the address it came from,
// "IP:PORT", or false when none comes within d.
func (u *UA) ReadFrom(d time.Duration) (text, from string, ok bool) {
	buf := make([]byte, 65535)
	_ = u.pc.SetReadDeadline(time.Now().Add(d))
	n, addr, err := u.pc.ReadFrom(buf)
	if err != nil {
		return "", "", false
	}
	s := string(buf[:n])
	u.mu.Lock()
	u.got = append(u.got, s)
	u.mu.Unlock()
	return s, addr.String(), true
}

// Read returns the next message, or false when none comes within d. A
// datagram that is not SIP fails the test.
func (u *UA) Read(d time.Duration) (*sipmsg.Msg, bool) {
	u.t.Helper()
	s, ok := u.ReadText(d)
	if !ok {
		return nil, false
	}
	m, err := sipmsg.Parse(s)
	if err != nil {
		u.t.Fatalf("%s: unparsable message: %v\n%s", u.Name, err, s)
	}
	return m, true
}

// RecvText returns the next datagram, failing the test when none comes
// within Wait.
func (u *UA) RecvText() string {
	u.t.Helper()
	s, ok := u.ReadText(Wait)
	if !ok {
		u.t.Fatalf("%s: no message", u.Name)
	}
	return s
}

// Recv returns the next message, failing the test when none comes within
// Wait.
func (u *UA) Recv() *sipmsg.Msg {
	u.t.Helper()
	m, ok := u.Read(Wait)
	if !ok {
		u.t.Fatalf("%s: no message", u.Name)
	}
	return m
}

// RecvMatch reads messages until one satisfies ok and returns it,
// passing over at most MaxSkip others.
func (u *UA) RecvMatch(what string, ok func(*sipmsg.Msg) bool) *sipmsg.Msg {
	u.t.Helper()
	for range MaxSkip + 1 {
		if m := u.Recv(); ok(m) {
			return m
		}
	}
	u.t.Fatalf("%s: no %s", u.Name, what)
	return nil
}

// RecvStatus reads messages until a reply with code comes.
func (u *UA) RecvStatus(code int) *sipmsg.Msg {
	u.t.Helper()
	return u.RecvMatch(strconv.Itoa(code)+" reply", func(m *sipmsg.Msg) bool { return m.Status == code })
}

// RecvMethod reads messages until a request with method comes.
func (u *UA) RecvMethod(method string) *sipmsg.Msg {
	u.t.Helper()
	return u.RecvMatch(method, func(m *sipmsg.Msg) bool { return m.Method == method })
}

// None fails the test when a message comes within Quiet.
func (u *UA) None() {
	u.t.Helper()
	if s, ok := u.ReadText(Quiet); ok {
		u.t.Fatalf("%s: unexpected message:\n%s", u.Name, s)
	}
}

// Drain reads late messages (retransmissions) until none comes within
// Quiet, at most MaxSkip of them; Received has them.
func (u *UA) Drain() {
	for range MaxSkip {
		if _, ok := u.ReadText(Quiet); !ok {
			return
		}
	}
}

// Received is every datagram the UA read, in order.
func (u *UA) Received() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.got...)
}
