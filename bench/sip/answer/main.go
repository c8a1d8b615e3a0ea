// Command answer is the application side of the SIP benchmark: it
// connects to the proxy's evapi socket and sends every frame it receives
// straight back (the frame holds the suspended transaction's index and
// label, which is all t_continue needs). With -freeport it prints a free
// 127.0.0.1 port and exits (for the script).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "evapi address")
	dur := flag.Duration("dur", 100*time.Second, "stop after this long")
	fp := flag.Bool("freeport", false, "print a free port and exit")
	flag.Parse()
	if *fp {
		p, err := freeport.Pick()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p)
		return
	}
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(*dur))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	n := 0
	for {
		f, err := netstring.Read(r, netstring.ConnMax)
		if err != nil {
			break
		}
		_, _ = w.Write(netstring.Append(nil, string(f)))
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				break
			}
		}
		n++
	}
	fmt.Fprintf(os.Stdout, "answered=%d\n", n)
}
