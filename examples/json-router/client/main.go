// Command client walks through the json-router example: it connects as
// alice and bob, sends every command the example config understands and
// prints what each connection receives. It exits 1 when a reply is missing
// or not the one expected.
//
//	go run ./examples/json-router/client [-addr 127.0.0.1:8448]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "evapi address of the running example")
	timeout := flag.Duration("timeout", 5*time.Second, "how long to wait for each reply")
	flag.Parse()
	if err := walk(*addr, *timeout, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

// peer is one named evapi connection.
type peer struct {
	name    string
	c       net.Conn
	r       *bufio.Reader
	out     io.Writer
	timeout time.Duration
}

func dial(name, addr string, timeout time.Duration, out io.Writer) (*peer, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &peer{name: name, c: c, r: bufio.NewReader(c), out: out, timeout: timeout}, nil
}

// send writes one netstring frame.
func (p *peer) send(payload string) error {
	fmt.Fprintf(p.out, "%s -> %s\n", p.name, payload)
	_ = p.c.SetWriteDeadline(time.Now().Add(p.timeout))
	_, err := p.c.Write(netstring.Append(nil, payload))
	return err
}

// recv reads one netstring frame.
func (p *peer) recv() (string, error) {
	_ = p.c.SetReadDeadline(time.Now().Add(p.timeout))
	b, err := netstring.Read(p.r, netstring.ConnMax)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// expect reads one frame, prints it and checks its op.
func (p *peer) expect(op string) (map[string]any, error) {
	s, err := p.recv()
	if err != nil {
		return nil, fmt.Errorf("%s: waiting for %q: %w", p.name, op, err)
	}
	fmt.Fprintf(p.out, "%s <- %s\n", p.name, s)
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("%s: reply is not JSON: %w", p.name, err)
	}
	if m["op"] != op {
		return m, fmt.Errorf("%s: got op %v, want %q", p.name, m["op"], op)
	}
	return m, nil
}

func walk(addr string, timeout time.Duration, out io.Writer) error {
	alice, err := dial("alice", addr, timeout, out)
	if err != nil {
		return err
	}
	defer alice.c.Close()
	bob, err := dial("bob", addr, timeout, out)
	if err != nil {
		return err
	}
	defer bob.c.Close()

	type step struct {
		from *peer
		cmd  string
		want []func() error
	}
	exp := func(p *peer, op string) func() error {
		return func() error { _, err := p.expect(op); return err }
	}
	steps := []step{
		{alice, `{"op":"hello","name":"alice"}`, []func() error{exp(alice, "welcome")}},
		{bob, `{"op":"hello","name":"bob"}`, []func() error{exp(bob, "welcome")}},
		{alice, `{"op":"route","from":"alice","to":"bob","body":"hi \"bob\""}`,
			[]func() error{exp(bob, "deliver"), exp(alice, "routed")}},
		{alice, `{"op":"route","from":"alice","to":"carol","body":"anyone?"}`,
			[]func() error{exp(alice, "error")}},
		{bob, `{"op":"broadcast","from":"bob","body":"hello all"}`,
			[]func() error{exp(alice, "broadcast"), exp(bob, "broadcast")}},
		{alice, `{"op":"stats","from":"alice"}`, []func() error{exp(alice, "stats")}},
		{bob, `{"op":"dance","from":"bob"}`, []func() error{exp(bob, "error")}},
	}
	for _, s := range steps {
		if err := s.from.send(s.cmd); err != nil {
			return err
		}
		for _, w := range s.want {
			if err := w(); err != nil {
				return err
			}
		}
	}

	// A frame that is not a JSON command closes the connection.
	mallory, err := dial("mallory", addr, timeout, out)
	if err != nil {
		return err
	}
	defer mallory.c.Close()
	if err := mallory.send("not json"); err != nil {
		return err
	}
	if s, err := mallory.recv(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("mallory: want the connection closed, got %q, %v", s, err)
	}
	fmt.Fprintln(out, "mallory: connection closed by the server")
	return nil
}
