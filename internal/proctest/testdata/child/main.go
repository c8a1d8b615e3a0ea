// Command child stands in for a server in proctest's tests: it prints
// "ready" on stderr, "hup" for every SIGHUP, and exits 0 on SIGTERM. With
// -exit N it prints "out" and "err" and exits N at once.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	exit := flag.Int("exit", -1, "print and exit with this status")
	flag.Parse()
	if *exit >= 0 {
		fmt.Println("out")
		fmt.Fprintln(os.Stderr, "err")
		os.Exit(*exit)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	fmt.Fprintln(os.Stderr, "ready")
	for s := range sigs {
		if s == syscall.SIGTERM {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "hup")
	}
}
