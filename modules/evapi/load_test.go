package evapi

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// readFrame reads one netstring from r.
func readFrame(r *bufio.Reader) ([]byte, error) { return netstring.Read(r, 1<<20) }

// relayFrom returns evapi_relay compiled with a data argument that reads
// the context's tagKey slot, to be called outside any event route.
func relayFrom(t testing.TB, h *fakeHost, m *Module) func(data string) int {
	relay := call(t, h, m, "evapi_relay", dyn(func(c *event.Context) string { s, _ := c.Get(tagKey).(string); return s }))
	ctx := &event.Context{Worker: event.NewWorker(99)}
	return func(data string) int { ctx.Set(tagKey, data); return relay(ctx) }
}

// TestSlowConsumer: eight clients, one never reads. The other seven get
// every one of 50 000 relayed messages (10 MB each, beyond what the
// kernel buffers of the silent one hold), no client queue ever holds more
// than client_queue bytes, and the silent one is disconnected (or, with
// slow_client=drop, loses messages instead). The deadlines only bound a
// hung run: under -race on a loaded machine the run takes tens of seconds.
func TestSlowConsumer(t *testing.T) {
	const total = 50000
	const queue = 64 << 10
	pad := strings.Repeat("p", 200) // so the silent client overflows the kernel buffers too
	for _, mode := range []string{"disconnect", "drop"} {
		t.Run(mode, func(t *testing.T) {
			m, h := newTestModule(t, map[string]value.Value{
				"client_queue": value.MakeInt(queue), "slow_client": value.MakeStr(mode)})
			start(t, m)
			relay := relayFrom(t, h, m)
			cs := connect(t, m, 8)
			silent := cs[7]
			var got [7]atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan string, 7)
			for i := 0; i < 7; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					r := bufio.NewReaderSize(cs[i].c, 64<<10)
					cs[i].c.SetReadDeadline(time.Now().Add(5 * time.Minute))
					for n := 0; n < total; n++ {
						f, err := readFrame(r)
						if err != nil {
							errs <- "client " + strconv.Itoa(i) + ": " + err.Error()
							return
						}
						if want := strconv.Itoa(n); !strings.HasPrefix(string(f), want+":") {
							errs <- "client " + strconv.Itoa(i) + ": got " + string(f[:min(20, len(f))]) + " want " + want
							return
						}
						got[i].Add(1)
					}
				}(i)
			}
			deadline := time.Now().Add(5 * time.Minute)
			for n := 0; n < total; n++ {
				// Stay at most 100 messages (21 KB) ahead of the slowest
				// reader, so only the silent client can fill its queue.
				for time.Now().Before(deadline) {
					slowest := int64(total)
					for i := range got {
						slowest = min(slowest, got[i].Load())
					}
					if int64(n)-slowest < 100 || len(errs) > 0 {
						break
					}
					time.Sleep(50 * time.Microsecond)
				}
				if rc := relay(strconv.Itoa(n) + ":" + pad); rc != 1 {
					t.Fatalf("relay rc %d", rc)
				}
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			s := m.Stats()
			if s.QueueHighMark > queue {
				t.Errorf("a queue held %d bytes, bound %d", s.QueueHighMark, queue)
			}
			if mode == "disconnect" {
				if s.SlowClosed != 1 || s.Drops != 0 {
					t.Errorf("stats %s", s)
				}
				t.Logf("silent client had %d bytes in flight", len(silent.eof()))
				if len(h.logged("disconnecting slow client pos [7]")) != 1 {
					t.Errorf("no slow-client line")
				}
			} else {
				if s.SlowClosed != 0 || s.Drops == 0 || s.Active != 8 {
					t.Errorf("stats %s", s)
				}
				if len(h.logged("dropping messages to pos [7]")) == 0 {
					t.Errorf("no drop line")
				}
			}
			t.Logf("%s: %s", mode, s)
		})
	}
}

func rss(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// raiseNoFile raises RLIMIT_NOFILE to at least n (up to the hard limit, or
// beyond it when the process may) until the test ends; false if it cannot.
func raiseNoFile(t testing.TB, n uint64) bool {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= n {
		return true
	}
	want := lim
	want.Cur = max(n, lim.Cur)
	want.Max = max(want.Cur, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		want.Cur, want.Max = min(n, lim.Max), lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil || want.Cur < n {
			return false
		}
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
	return true
}

// idleClients connects n clients (max_clients=n) from a child process (this
// test binary re-run as helperClients), so the server's descriptors and RSS
// are measured alone, and relays one message to all of them. It returns
// the server's RSS growth per connection.
func idleClients(t *testing.T, n int) float64 {
	if !raiseNoFile(t, uint64(n)+1000) {
		t.Skipf("RLIMIT_NOFILE is too low for %d clients", n)
	}
	m, h := newTestModule(t, map[string]value.Value{"max_clients": value.MakeInt(int64(n))})
	h.routes[EventConnectionNew] = func(*event.Context) int { return 1 }
	start(t, m)
	relay := relayFrom(t, h, m)
	runtime.GC()
	debug.FreeOSMemory()
	before := rss(t)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperClients$")
	cmd.Env = append(os.Environ(), "EVAPI_HELPER_ADDR="+m.Addr().String(), "EVAPI_HELPER_N="+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "connected" {
		t.Fatalf("helper: %q", lines.Text())
	}
	waitFor(t, strconv.Itoa(n)+" connections", func() bool { return m.Stats().Active == int64(n) })
	runtime.GC()
	debug.FreeOSMemory()
	after := rss(t)
	per := float64(after-before) / float64(n)
	t.Logf("server RSS %d MiB -> %d MiB with %d idle clients: %.2f KiB per connection",
		before>>20, after>>20, n, per/1024)
	if rc := relay("to everyone"); rc != 1 {
		t.Fatalf("relay rc %d", rc)
	}
	if !lines.Scan() || lines.Text() != "received "+strconv.Itoa(n) {
		t.Fatalf("helper: %q", lines.Text())
	}
	// The counter moves after each write returns.
	waitFor(t, "frames out", func() bool { return m.Stats().FramesOut == uint64(n) })
	return per
}

// TestTenThousandClients connects 10 000 clients and relays one message to
// all of them.
func TestTenThousandClients(t *testing.T) { idleClients(t, 10000) }

// TestIdleRSS reports the server's RSS per idle connection at 10 000 and
// 100 000 connections. It takes 200 000 descriptors (raising
// RLIMIT_NOFILE, which needs the privilege to go past the hard limit) and
// about a minute, so it runs only with EVAPI_RSS=1:
//
//	EVAPI_RSS=1 go test -run TestIdleRSS -v ./modules/evapi
func TestIdleRSS(t *testing.T) {
	if os.Getenv("EVAPI_RSS") == "" {
		t.Skip("set EVAPI_RSS=1 to run")
	}
	sizes := []int{10000, 100000}
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	if !raiseNoFile(t, 100000+1000) && lim.Max > 12000 {
		// Without the privilege to pass the hard limit, also measure the
		// most connections it allows.
		n := int(lim.Max-1000) / 1000 * 1000
		t.Logf("RLIMIT_NOFILE hard limit %d: 100000 connections need more; measuring %d too", lim.Max, n)
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			if per := idleClients(t, n); per > 4<<10 {
				t.Errorf("%.0f bytes per idle connection, want at most 4 KiB", per)
			}
		})
	}
}

// TestHelperClients is the client side of idleClients; it does nothing
// unless run by it. Above 20 000 clients it dials from more loopback
// addresses (127.0.0.2, 127.0.0.3, ...), since one source address has
// fewer ephemeral ports than that.
func TestHelperClients(t *testing.T) {
	addr := os.Getenv("EVAPI_HELPER_ADDR")
	if addr == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("EVAPI_HELPER_N"))
	raiseNoFile(t, uint64(n)+1000)
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		d := net.Dialer{Timeout: 10 * time.Second}
		if n > 20000 {
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/20000), byte(2+i%20000%200))}
		}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	os.Stdout.WriteString("connected\n")
	want := ns("to everyone")
	buf := make([]byte, len(want))
	got := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		if _, err := io.ReadFull(c, buf); err == nil && string(buf) == want {
			got++
		}
	}
	os.Stdout.WriteString("received " + strconv.Itoa(got) + "\n")
}

// BenchmarkRelay relays a 25-byte message to 8 reading clients; the
// frames/s metric counts frames written.
func BenchmarkRelay(b *testing.B) {
	m, h := newTestModule(b, map[string]value.Value{"client_queue": value.MakeInt(4 << 20)})
	start(b, m)
	cs := connect(b, m, 8)
	var wg sync.WaitGroup
	var slowest [8]atomic.Int64
	total := int64(b.N)
	for i, c := range cs {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			defer slowest[i].Store(total) // a failed reader must not stall the pacing
			r := bufio.NewReaderSize(c, 64<<10)
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			for n := int64(0); n < total; n++ {
				if _, err := readFrame(r); err != nil {
					return
				}
				slowest[i].Store(n + 1)
			}
		}(i, c.c)
	}
	relay := call(b, h, m, "evapi_relay", lit("0123456789012345678901234"))
	ctx := &event.Context{Worker: event.NewWorker(99)}
	deadline := time.Now().Add(60 * time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		relay(ctx)
		if i%1000 == 999 {
			// Let the readers keep up instead of testing the slow-client policy.
			for k := range slowest {
				for int64(i)-slowest[k].Load() > 20000 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Microsecond)
				}
			}
		}
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(m.Stats().FramesOut)/b.Elapsed().Seconds(), "frames/s")
}
