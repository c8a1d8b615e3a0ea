//go:build linux

package evloop

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// wait returns the next events for fd, failing after a bounded time.
func wait(t *testing.T, p *Poller, fd int) Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		evs, _, err := p.Wait(100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Fd == fd {
				return e
			}
		}
	}
	t.Fatalf("no event for fd %d", fd)
	return Event{}
}

// pollers are the two ways a Poller waits; the tests run with both.
var pollers = []struct {
	name string
	new  func(int) (*Poller, error)
}{{"parked", New}, {"blocking", NewBlocking}}

// TestLoopback: listen, accept, read and write with the raw helpers, watch
// for writing, and see the end of the stream after the peer's half-close
// and after Shutdown.
func TestLoopback(t *testing.T) {
	for _, pk := range pollers {
		t.Run(pk.name, func(t *testing.T) { testLoopback(t, pk.new) })
	}
}

func testLoopback(t *testing.T, newPoller func(int) (*Poller, error)) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	fd, ip, port, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fd)
	if local := peer.LocalAddr().(*net.TCPAddr); !ip.Equal(local.IP) || port != local.Port || len(ip) != 4 {
		t.Errorf("accepted %v:%d, peer is %v", ip, port, local)
	}
	if err := SetTCPOptions(fd); err != nil {
		t.Error(err)
	}
	p, err := newPoller(16)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Watch(fd, false); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, e := Read(fd, buf); e != syscall.EAGAIN {
		t.Fatalf("read before data: %v", e)
	}
	peer.Write([]byte("ping"))
	if e := wait(t, p, fd); !e.In || e.Out {
		t.Fatalf("event %+v, want readable only", e)
	}
	if n, e := Read(fd, buf); e != 0 || string(buf[:n]) != "ping" {
		t.Fatalf("read %q %v", buf[:n], e)
	}
	if n, e := Write(fd, []byte("pong")); e != 0 || n != 4 {
		t.Fatalf("write %d %v", n, e)
	}
	peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := peer.Read(buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("peer read %q %v", buf[:n], err)
	}
	if err := p.Modify(fd, true); err != nil {
		t.Fatal(err)
	}
	if e := wait(t, p, fd); !e.Out {
		t.Fatalf("event %+v, want writable", e)
	}
	if err := p.Modify(fd, false); err != nil {
		t.Fatal(err)
	}
	peer.(*net.TCPConn).CloseWrite()
	if e := wait(t, p, fd); !e.In {
		t.Fatalf("event %+v after half-close", e)
	}
	if n, e := Read(fd, buf); n != 0 || e != 0 {
		t.Fatalf("read after half-close: %d %v, want end of stream", n, e)
	}
	// The peer still reads what is written after its half-close.
	Write(fd, []byte("last"))
	if n, err := peer.Read(buf); err != nil || string(buf[:n]) != "last" {
		t.Fatalf("peer read after half-close %q %v", buf[:n], err)
	}
	if err := Shutdown(fd); err != nil {
		t.Fatal(err)
	}
	if _, err := peer.Read(buf); err == nil {
		t.Fatal("peer read after Shutdown succeeded")
	}
	if err := p.Forget(fd); err != nil {
		t.Fatal(err)
	}
}

// TestWake: Wake from another goroutine ends a Wait without a limit, and
// wakes before a Wait are merged into one; a Wait with a limit and nothing
// ready returns no events.
func TestWake(t *testing.T) {
	for _, pk := range pollers {
		t.Run(pk.name, func(t *testing.T) { testWake(t, pk.new) })
	}
}

func testWake(t *testing.T, newPoller func(int) (*Poller, error)) {
	p, err := newPoller(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	go p.Wake()
	if evs, woken, err := p.Wait(5000); err != nil || !woken || len(evs) != 0 {
		t.Fatalf("Wait: %v %v %v", evs, woken, err)
	}
	p.Wake()
	p.Wake()
	if _, woken, _ := p.Wait(5000); !woken {
		t.Fatal("no wake")
	}
	if _, woken, _ := p.Wait(0); woken {
		t.Fatal("two wakes before a Wait woke twice")
	}
	if evs, woken, err := p.Wait(1); err != nil || woken || len(evs) != 0 {
		t.Fatalf("Wait(1) with nothing ready: %v %v %v", evs, woken, err)
	}
	go p.Wake()
	if _, woken, err := p.Wait(-1); err != nil || !woken {
		t.Fatalf("Wait(-1): %v %v", woken, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p.Wake() // after Close: nothing
	if _, _, err := p.Wait(0); err == nil {
		t.Fatal("Wait after Close succeeded")
	}
}

// TestListenerClose: Close ends a pending Accept with os.ErrClosed, and a
// bad address fails Listen.
func TestListenerClose(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _, _, err := ln.Accept(); done <- err }()
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept did not return after Close")
	}
	if _, err := Listen("127.0.0.1:notaport"); err == nil {
		t.Fatal("Listen accepted a bad port")
	}
	if _, err := Listen("[::1]:0"); err != nil {
		t.Logf("no IPv6 loopback here: %v", err)
	}
}

// TestSetBlocking: switching between the two ways of waiting loses no
// readiness (a descriptor ready before the switch is reported after it)
// and Wake works in both.
func TestSetBlocking(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(fds[0])
	defer Close(fds[1])
	p, err := New(4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Watch(fds[0], false); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	for i, blocking := range []bool{true, false, true, false, false, true} {
		if err := p.SetBlocking(blocking); err != nil || p.Blocking() != blocking {
			t.Fatalf("step %d: SetBlocking(%v): %v, Blocking() = %v", i, blocking, err, p.Blocking())
		}
		Write(fds[1], []byte{'x'})
		if e := wait(t, p, fds[0]); !e.In {
			t.Fatalf("step %d: event %+v", i, e)
		}
		// Still unread: reported again after switching back.
		if err := p.SetBlocking(!blocking); err != nil {
			t.Fatal(err)
		}
		if e := wait(t, p, fds[0]); !e.In {
			t.Fatalf("step %d: event %+v after the switch", i, e)
		}
		if n, e := Read(fds[0], buf); n != 1 || e != 0 {
			t.Fatalf("step %d: read %d %v", i, n, e)
		}
		if err := p.SetBlocking(blocking); err != nil {
			t.Fatal(err)
		}
		go p.Wake()
		if _, woken, err := p.Wait(5000); err != nil || !woken {
			t.Fatalf("step %d: Wait after Wake: %v %v", i, woken, err)
		}
	}
	p.Close()
	if err := p.SetBlocking(false); err == nil {
		t.Fatal("SetBlocking after Close succeeded")
	}
}
