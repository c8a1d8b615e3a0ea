// Command evapi-router is an interactive client for the evapi-router
// example: each line typed is sent as one netstring, and every frame the
// server sends is printed as it arrives.
//
//	go run ./examples/evapi-router -addr 127.0.0.1:8448
//	relay:hello
//	tag:bee
//	uni:bee:just me
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "evapi address")
	flag.Parse()
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	go func() {
		r := bufio.NewReader(c)
		for {
			f, err := readFrame(r)
			if err != nil {
				fmt.Fprintln(os.Stderr, "connection:", err)
				os.Exit(0)
			}
			fmt.Printf("< %s\n", f)
		}
	}()
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		line := in.Text()
		if _, err := fmt.Fprintf(c, "%d:%s,", len(line), line); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
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
