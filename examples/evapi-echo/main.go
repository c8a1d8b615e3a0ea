// Command evapi-echo sends messages to the evapi-echo example and checks
// that each comes back unchanged, printing the round-trip times.
//
//	go run ./examples/evapi-echo -addr 127.0.0.1:8448 -n 5
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "evapi address")
	n := flag.Int("n", 5, "messages to send")
	flag.Parse()
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	r := bufio.NewReader(c)
	for i := 0; i < *n; i++ {
		msg := fmt.Sprintf("hello %d", i)
		t0 := time.Now()
		if _, err := fmt.Fprintf(c, "%d:%s,", len(msg), msg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		f, err := readFrame(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		status := "ok"
		if string(f) != msg {
			status = "MISMATCH"
		}
		fmt.Printf("%q -> %q %s %v\n", msg, f, status, time.Since(t0))
	}
}

// readFrame reads one "LEN:payload," frame.
func readFrame(r *bufio.Reader) ([]byte, error) {
	l, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(l[:len(l)-1])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad frame length %q", l)
	}
	b := make([]byte, n+1)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	if b[n] != ',' {
		return nil, fmt.Errorf("frame does not end with ','")
	}
	return b[:n], nil
}
