// Command evapi-echo sends messages to the evapi-echo example and checks
// that each comes back unchanged, printing the round-trip times.
//
//	go run ./examples/evapi-echo -addr 127.0.0.1:8448 -n 5
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
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
		if _, err := c.Write(netstring.Append(nil, msg)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		f, err := netstring.Read(r, netstring.ConnMax)
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
