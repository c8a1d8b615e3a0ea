package freeport

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPick: ports are in range and never handed out twice.
func TestPick(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p, err := Pick()
		if err != nil {
			t.Fatal(err)
		}
		if p < Lo || p >= Hi || seen[p] {
			t.Fatalf("port %d: out of range or handed out twice", p)
		}
		seen[p] = true
	}
}

// TestPickSkipsTaken: a port someone listens on is never handed out.
func TestPickSkipsTaken(t *testing.T) {
	p, err := Pick()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Forget that p was handed out and make it the next candidate: only
	// the listener keeps it from being picked.
	mu.Lock()
	delete(used, p)
	next = p
	mu.Unlock()
	q, err := Pick()
	if err != nil {
		t.Fatal(err)
	}
	if q == p {
		t.Fatalf("handed out %d, which is in use", p)
	}
}

func TestAddr(t *testing.T) {
	a, err := Addr()
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host != "127.0.0.1" || port == "" {
		t.Fatalf("Addr() = %q, %v", a, err)
	}
}

// TestPickSkipsOtherProcesses: a port another process picked is not handed
// out while that process runs, although nothing listens on it.
func TestPickSkipsOtherProcesses(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldPort$")
	cmd.Env = append(os.Environ(), "FREEPORT_HOLD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	held, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "port ")))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	mu.Lock()
	delete(used, held)
	next = held
	mu.Unlock()
	p, err := Pick()
	if err != nil {
		t.Fatal(err)
	}
	if p == held {
		t.Fatalf("handed out %d, which another process holds", p)
	}
}

// TestHoldPort is the helper process of TestPickSkipsOtherProcesses: it
// picks a port, prints it and holds it until its stdin closes.
func TestHoldPort(t *testing.T) {
	if os.Getenv("FREEPORT_HOLD") != "1" {
		t.Skip("helper process")
	}
	p, err := Pick()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("port %d\n", p)
	_, _ = io.Copy(io.Discard, os.Stdin)
}
