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
	"net"
	"os"

	"github.com/kamgo/kamgo/internal/netstring"
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
			f, err := netstring.Read(r, netstring.ConnMax)
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
		if _, err := c.Write(netstring.Append(nil, line)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
	}
}
