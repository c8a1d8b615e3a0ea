// Command driver is the client side of bench/route.sh: it sends evapi
// messages to a server running bench/route/route.cfg one at a time
// (ping-pong), checks every relayed reply, and reports throughput,
// latency and the CPU time the server spent.
//
//	driver freeport
//	driver run -addr 127.0.0.1:PORT -pid PID [-n 2000] [-max 60s] [-out FILE] [-label NAME]
//
// freeport prints a port that is free for both TCP and UDP on 127.0.0.1.
//
// run connects (retrying until -wait), sends "<seq>:<seed>" netstrings and
// waits for each reply before sending the next. A reply must start with
// the message it answers followed by "|". Server CPU is utime+stime from
// /proc/PID/stat summed over PID and all its descendants (Kamailio's evapi
// worker is a child process; kamgo is one process), read after the
// connection is up and again after the last reply. The result is one line
// of key=value pairs on stdout; -out gets one reply per line so two
// servers can be compared.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat.
// It is 100 on every Linux platform Go supports.
const clockTicks = 100

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "freeport":
		p, err := freeport.Pick()
		if err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			os.Exit(1)
		}
		fmt.Println(p)
	case "run":
		os.Exit(run(os.Args[2:]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: driver freeport | driver run -addr HOST:PORT -pid PID [-n N] [-max DUR] [-wait DUR] [-out FILE] [-label NAME]")
	os.Exit(2)
}

type result struct {
	sent, ok, bad int
	wall          time.Duration
	lats          []time.Duration
	cpuTicks      int64
	procs         int
	stopped       string
}

func run(args []string) int {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8448", "evapi address")
	n := fs.Int("n", 2000, "messages to send")
	maxDur := fs.Duration("max", 60*time.Second, "stop sending after this long")
	wait := fs.Duration("wait", 10*time.Second, "how long to retry the connection")
	pid := fs.Int("pid", 0, "server PID (CPU is summed over it and its descendants)")
	out := fs.String("out", "", "write each reply on its own line to this file")
	label := fs.String("label", "server", "name printed in the result line")
	fs.Parse(args)
	if *pid <= 0 {
		fmt.Fprintln(os.Stderr, "driver: -pid is required")
		return 2
	}

	conn, err := dial(*addr, *wait)
	if err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		return 1
	}
	defer conn.Close()
	conn.(*net.TCPConn).SetNoDelay(true)
	time.Sleep(200 * time.Millisecond) // let event_route[evapi:connection-new] finish

	var w *bufio.Writer
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "driver:", err)
			return 1
		}
		defer f.Close()
		w = bufio.NewWriter(f)
		defer w.Flush()
	}

	cpu0, _, err := treeCPU(*pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		return 1
	}
	res := pingPong(conn, *n, *maxDur, w)
	cpu1, procs, err := treeCPU(*pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "driver:", err)
		return 1
	}
	res.cpuTicks = cpu1 - cpu0
	res.procs = procs
	report(*label, res)
	if res.ok == 0 || res.bad > 0 {
		return 1
	}
	return 0
}

func dial(addr string, wait time.Duration) (net.Conn, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("connect %s: %w", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// message returns the payload for sequence number seq. The seed is a
// deterministic function of seq so that both servers get the same input.
func message(seq int) string {
	return fmt.Sprintf("m%d:%d", seq, (seq*7919+13)%100000)
}

func pingPong(conn net.Conn, n int, maxDur time.Duration, w *bufio.Writer) result {
	var res result
	r := bufio.NewReaderSize(conn, 1<<16)
	start := time.Now()
	stopAt := start.Add(maxDur)
	for seq := 0; seq < n; seq++ {
		if time.Now().After(stopAt) {
			res.stopped = "max"
			break
		}
		msg := message(seq)
		frame := netstring.Append(nil, msg)
		t0 := time.Now()
		conn.SetDeadline(t0.Add(10 * time.Second))
		if _, err := conn.Write(frame); err != nil {
			res.stopped = "write: " + err.Error()
			break
		}
		res.sent++
		b, err := netstring.Read(r, netstring.ConnMax)
		if err != nil {
			res.stopped = "read: " + err.Error()
			break
		}
		reply := string(b)
		res.lats = append(res.lats, time.Since(t0))
		if strings.HasPrefix(reply, msg+"|") {
			res.ok++
		} else {
			res.bad++
			if res.bad <= 3 {
				fmt.Fprintf(os.Stderr, "driver: reply to %q is %q\n", msg, reply)
			}
		}
		if w != nil {
			w.WriteString(reply)
			w.WriteByte('\n')
		}
	}
	res.wall = time.Since(start)
	return res
}

// treeCPU returns utime+stime in clock ticks summed over pid and every
// process descended from it, and how many processes that was.
func treeCPU(pid int) (int64, int, error) {
	stats, err := allStats()
	if err != nil {
		return 0, 0, err
	}
	if _, ok := stats[pid]; !ok {
		return 0, 0, fmt.Errorf("process %d is not running", pid)
	}
	children := map[int][]int{}
	for p, s := range stats {
		children[s.ppid] = append(children[s.ppid], p)
	}
	var total int64
	procs := 0
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += stats[p].ticks
		procs++
		stack = append(stack, children[p]...)
	}
	return total, procs, nil
}

type procStat struct {
	ppid  int
	ticks int64
}

func allStats() (map[int]procStat, error) {
	paths, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	stats := make(map[int]procStat, len(paths))
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process exited meanwhile
		}
		pid, st, ok := parseStat(string(data))
		if ok {
			stats[pid] = st
		}
	}
	return stats, nil
}

// parseStat reads pid, ppid, utime and stime from a /proc/PID/stat line.
// The command name is in parentheses and may contain spaces, so fields
// are counted from the last ')'.
func parseStat(line string) (int, procStat, bool) {
	open := strings.IndexByte(line, '(')
	end := strings.LastIndexByte(line, ')')
	if open < 1 || end < open {
		return 0, procStat{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return 0, procStat{}, false
	}
	// After ')': state(3) ppid(4) ... utime(14) stime(15).
	f := strings.Fields(line[end+1:])
	if len(f) < 13 {
		return 0, procStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	ut, err2 := strconv.ParseInt(f[11], 10, 64)
	st, err3 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, procStat{}, false
	}
	return pid, procStat{ppid: ppid, ticks: ut + st}, true
}

func report(label string, res result) {
	sort.Slice(res.lats, func(i, j int) bool { return res.lats[i] < res.lats[j] })
	pct := func(p float64) float64 {
		if len(res.lats) == 0 {
			return 0
		}
		i := int(p * float64(len(res.lats)-1))
		return float64(res.lats[i].Microseconds())
	}
	secs := res.wall.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(res.ok+res.bad) / secs
	}
	cpuMs := float64(res.cpuTicks) * 1000 / clockTicks
	perMsg := 0.0
	if res.ok+res.bad > 0 {
		perMsg = cpuMs * 1000 / float64(res.ok+res.bad)
	}
	cpuPct := 0.0
	if secs > 0 {
		cpuPct = cpuMs / 10 / secs
	}
	stopped := res.stopped
	if stopped == "" {
		stopped = "done"
	}
	fmt.Printf("label=%s sent=%d ok=%d bad=%d secs=%.3f msgps=%.1f p50_us=%.0f p99_us=%.0f max_us=%.0f cpu_ms=%.0f cpu_us_per_msg=%.1f cpu_pct=%.0f procs=%d stop=%q\n",
		label, res.sent, res.ok, res.bad, secs, rate, pct(0.50), pct(0.99), pct(1), cpuMs, perMsg, cpuPct, res.procs, stopped)
}
