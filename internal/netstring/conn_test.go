package netstring

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// pipe returns a Conn on one end of an in-memory connection and the other
// end. Every Write on the other end reaches Recv as one read.
func pipe(t *testing.T) (*Conn, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	t.Cleanup(func() { a.Close(); b.Close() })
	return NewConn(a), b
}

// write writes chunks from a goroutine; net.Pipe blocks until each is read.
func write(peer net.Conn, chunks ...string) <-chan error {
	done := make(chan error, 1)
	go func() {
		for _, c := range chunks {
			if _, err := peer.Write([]byte(c)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	return done
}

// TestRecvReassembles feeds two frames one byte per read.
func TestRecvReassembles(t *testing.T) {
	c, peer := pipe(t)
	var chunks []string
	for _, b := range Append(Append(nil, "first"), "second, with comma") {
		chunks = append(chunks, string(b))
	}
	done := write(peer, chunks...)
	for _, want := range []string{"first", "second, with comma"} {
		got, err := c.Recv(10 * time.Second)
		if err != nil || got != want {
			t.Fatalf("got %q %v, want %q", got, err, want)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRecvTimeoutKeepsPartialFrame: a timeout in the middle of a frame
// loses nothing.
func TestRecvTimeoutKeepsPartialFrame(t *testing.T) {
	c, peer := pipe(t)
	done := write(peer, "11:hello")
	// The write returns once Recv has read it: until then every Recv times
	// out, and so does the one after.
	for i, written := 0, false; !written; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			written = true
		default:
			if i == 1000 {
				t.Fatal("the partial frame was never read")
			}
		}
		if _, err := c.Recv(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
	}
	done = write(peer, " world,")
	if got, err := c.Recv(10 * time.Second); err != nil || got != "hello world" {
		t.Fatalf("got %q %v", got, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRecvErrors(t *testing.T) {
	c, peer := pipe(t)
	done := write(peer, "3:abcd,2:ok,")
	var fe *Error
	if _, err := c.Recv(10 * time.Second); !errors.As(err, &fe) || fe.Fatal {
		t.Fatalf("got %v, want a bad frame", err)
	}
	// The rest of the stream is still read after a bad frame.
	if got, err := c.Recv(10 * time.Second); err != nil || got != "ok" {
		t.Fatalf("after a bad frame: %q %v", got, err)
	}
	<-done
	done = write(peer, "9999999:")
	if _, err := c.Recv(10 * time.Second); !errors.As(err, &fe) || !fe.Fatal {
		t.Fatalf("got %v, want a fatal error", err)
	}
	<-done
	if _, err := c.Recv(10 * time.Second); !errors.As(err, &fe) || !fe.Fatal {
		t.Fatalf("after a fatal error: %v", err)
	}
	peer.Close()
}

func TestRecvEOF(t *testing.T) {
	c, peer := pipe(t)
	peer.Close()
	if _, err := c.Recv(10 * time.Second); !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want io.EOF", err)
	}
}

// TestSendRecvTCP round-trips frames over a real socket on 127.0.0.1.
func TestSendRecvTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // echo every frame back
		nc, err := l.Accept()
		if err != nil {
			return
		}
		s := NewConn(nc)
		defer s.Close()
		for {
			p, err := s.Recv(10 * time.Second)
			if err != nil || s.Send(p) != nil {
				return
			}
		}
	}()
	c, err := Dial(l.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range []string{"a", "hello, world", string(make([]byte, 5000))} {
		if err := c.Send(p); err != nil {
			t.Fatal(err)
		}
		if got, err := c.Recv(10 * time.Second); err != nil || got != p {
			t.Fatalf("echo of a %d-byte payload: %d bytes, %v", len(p), len(got), err)
		}
	}
	if c.NetConn().LocalAddr() == nil {
		t.Error("no local address")
	}
}
