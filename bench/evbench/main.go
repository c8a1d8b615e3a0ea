// Command evbench is a load generator for evapi echo services: each client
// keeps up to -window messages in flight, every message carries its send
// time, and the round trip is measured when the client's own message comes
// back (relay echoes also bring other clients' messages, which are counted
// and skipped). It prints one line: rate, p50/p99 latency, losses.
//
//	evbench -addr 127.0.0.1:8448 -clients 8 -window 32 -n 100000
//
// With -halfclose, each client sends one message, shuts down its write side
// at once and reads until the server closes the connection; the line says
// how many clients got their own message back and how many saw the end.
//
//	evbench -addr 127.0.0.1:8448 -clients 50 -halfclose
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
)

var epoch = time.Now()

func main() {
	addr := flag.String("addr", "127.0.0.1:8448", "evapi address")
	clients := flag.Int("clients", 1, "connections")
	window := flag.Int("window", 1, "messages in flight per client (1 = ping-pong)")
	total := flag.Int("n", 100000, "messages in all, split across the clients")
	limit := flag.Duration("max", 60*time.Second, "give up after this long")
	half := flag.Bool("halfclose", false, "one message per client, then shutdown(SHUT_WR); count own replies")
	flag.Parse()
	if *half {
		halfClose(*addr, *clients, *limit)
		return
	}
	per := *total / *clients
	conns := make([]net.Conn, *clients)
	for i := range conns {
		c, err := net.Dial("tcp", *addr)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		c.(*net.TCPConn).SetNoDelay(true)
		conns[i] = c
	}
	time.Sleep(200 * time.Millisecond) // connection-new routes
	lat := make([][]time.Duration, *clients)
	var others, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(*limit)
	for i, c := range conns {
		wg.Add(1)
		credit := make(chan struct{}, *window)
		for k := 0; k < *window; k++ {
			credit <- struct{}{}
		}
		go func() { // writer: one message per credit
			w := bufio.NewWriter(c)
			var out []byte
			for s := 0; s < per; s++ {
				select {
				case <-credit:
				case <-time.After(time.Until(deadline)):
					return
				}
				msg := strconv.Itoa(i) + ":" + strconv.Itoa(s) + ":" + strconv.FormatInt(int64(time.Since(epoch)), 10)
				out = netstring.Append(out[:0], msg)
				w.Write(out)
				if len(credit) == 0 || s == per-1 {
					if w.Flush() != nil {
						return
					}
				}
			}
			w.Flush()
		}()
		go func() { // reader
			defer wg.Done()
			r := bufio.NewReaderSize(c, 64<<10)
			c.SetReadDeadline(deadline)
			prefix := strconv.Itoa(i) + ":"
			for got := 0; got < per; {
				f, err := netstring.Read(r, netstring.ConnMax)
				if err != nil {
					bad.Add(1)
					return
				}
				if len(f) < len(prefix) || string(f[:len(prefix)]) != prefix {
					others.Add(1)
					continue
				}
				j := len(f) - 1
				for j > 0 && f[j] != ':' {
					j--
				}
				sent, _ := strconv.ParseInt(string(f[j+1:]), 10, 64)
				lat[i] = append(lat[i], time.Since(epoch)-time.Duration(sent))
				got++
				credit <- struct{}{}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds())
	}
	fmt.Printf("clients=%d window=%d sent=%d own=%d lost=%d others=%d bad=%d elapsed=%.3fs rate=%.0f p50us=%.0f p99us=%.0f\n",
		*clients, *window, per**clients, len(all), per**clients-len(all), others.Load(), bad.Load(), el.Seconds(),
		float64(len(all))/el.Seconds(), pct(0.5), pct(0.99))
	for _, c := range conns {
		c.Close()
	}
}

// halfClose connects n clients, then each sends "h<i>" and shuts down its
// write side at once, and reads until the end of the stream.
func halfClose(addr string, n int, limit time.Duration) {
	conns := make([]*net.TCPConn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		conns[i] = c.(*net.TCPConn)
		conns[i].SetNoDelay(true)
	}
	time.Sleep(200 * time.Millisecond) // connection-new routes
	var own, eof atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(limit)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := "h" + strconv.Itoa(i)
			c.Write(netstring.Append(nil, want))
			c.CloseWrite()
			c.SetReadDeadline(deadline)
			r := bufio.NewReader(c)
			for {
				f, err := netstring.Read(r, netstring.ConnMax)
				if err != nil {
					if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
						eof.Add(1)
					}
					return
				}
				if string(f) == want {
					own.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Printf("halfclose clients=%d own=%d eof=%d\n", n, own.Load(), eof.Load())
	for _, c := range conns {
		c.Close()
	}
}
