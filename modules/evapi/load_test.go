package evapi

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
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
// every one of 100 000 relayed messages, no client queue ever holds more
// than client_queue bytes, and the silent one is disconnected (or, with
// slow_client=drop, loses messages instead).
func TestSlowConsumer(t *testing.T) {
	const total = 100000
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
					cs[i].c.SetReadDeadline(time.Now().Add(60 * time.Second))
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
			deadline := time.Now().Add(60 * time.Second)
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

// TestTenThousandClients connects 10 000 clients (max_clients=10000) and
// relays one message to all of them. The clients live in a child process
// (this test binary re-run as helperClients), so the server's descriptors
// and RSS are measured alone.
func TestTenThousandClients(t *testing.T) {
	const n = 10000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < n+200 {
		want := lim
		want.Cur = min(n+1000, lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil || want.Cur < n+200 {
			t.Skipf("RLIMIT_NOFILE %d/%d is too low for %d clients", lim.Cur, lim.Max, n)
		}
		t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
	}
	m, h := newTestModule(t, map[string]value.Value{"max_clients": value.MakeInt(n)})
	h.routes[EventConnectionNew] = func(*event.Context) int { return 1 }
	start(t, m)
	relay := relayFrom(t, h, m)
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
	waitFor(t, "10000 connections", func() bool { return m.Stats().Active == n })
	after := rss(t)
	t.Logf("server RSS %d MiB -> %d MiB with %d clients: %.1f KiB per connection",
		before>>20, after>>20, n, float64(after-before)/n/1024)
	if rc := relay("to everyone"); rc != 1 {
		t.Fatalf("relay rc %d", rc)
	}
	if !lines.Scan() || lines.Text() != "received "+strconv.Itoa(n) {
		t.Fatalf("helper: %q", lines.Text())
	}
	// The counter moves after each write returns.
	waitFor(t, "frames out", func() bool { return m.Stats().FramesOut == n })
}

// TestHelperClients is the client side of TestTenThousandClients; it does
// nothing unless run by it.
func TestHelperClients(t *testing.T) {
	addr := os.Getenv("EVAPI_HELPER_ADDR")
	if addr == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("EVAPI_HELPER_N"))
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = lim.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
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
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
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
