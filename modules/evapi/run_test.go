package evapi_test

// Tests and benchmarks through the path `kamgo run` takes: check.Analyze,
// server.Load, Start, with every module registered.

import (
	"bufio"
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	_ "github.com/kamgo/kamgo/modules/all"
	"github.com/kamgo/kamgo/modules/evapi"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// logLines collects the lines a server logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) hook(lv klog.Level, origin, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, lv.String()+": <"+origin+">: "+msg)
	l.mu.Unlock()
}

// grep returns the lines containing sub.
func (l *logLines) grep(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			out = append(out, s)
		}
	}
	return out
}

// runConfig loads the config file at path as `kamgo run -A DEF... path`
// does, with EVAPI_BIND defined as 127.0.0.1:port (0: a free port), starts
// it and returns the evapi address. The server stops at the end of the test.
func runConfig(tb testing.TB, path string, port int, defines ...string) (string, *logLines) {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return runSource(tb, path, string(src), port, defines...)
}

// runSource is runConfig on the contents text of the file at path.
func runSource(tb testing.TB, path, text string, port int, defines ...string) (string, *logLines) {
	tb.Helper()
	defs := append([]string{`EVAPI_BIND="127.0.0.1:` + strconv.Itoa(port) + `"`}, defines...)
	cfg, diags, _ := check.AnalyzeSource(path, []byte(text), preproc.Options{Defines: defs}, module.Catalog())
	if diags.HasErrors() {
		tb.Fatalf("%s: %v", path, diags.Error())
	}
	logs := &logLines{}
	lg := klog.New(nil, klog.Text)
	lg.SetHook(logs.hook)
	srv, ld := server.Load(cfg, server.Options{Log: lg})
	if ld.HasErrors() {
		tb.Fatalf("%s: load: %v", path, ld.Error())
	}
	if err := srv.Start(context.Background()); err != nil {
		tb.Fatalf("%s: start: %v", path, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			tb.Errorf("stop: %v", err)
		}
	})
	mod, ok := srv.Module("evapi")
	if !ok {
		tb.Fatalf("%s: no evapi module", path)
	}
	return mod.(*evapi.Module).Addr().String(), logs
}

func ns(s string) string { return string(netstring.Append(nil, s)) }

// readFrame reads one netstring.
func readFrame(r *bufio.Reader) (string, error) {
	b, err := netstring.Read(r, 1<<20)
	return string(b), err
}

func dialTB(tb testing.TB, addr string) (net.Conn, *bufio.Reader) {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	c.(*net.TCPConn).SetNoDelay(true)
	tb.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(60 * time.Second))
	return c, bufio.NewReaderSize(c, 64<<10)
}

// TestRunConfigs runs the example and benchmark configs through the
// `kamgo run` path and checks what a client gets back.
func TestRunConfigs(t *testing.T) {
	cases := []struct {
		name, path string
		defines    []string
	}{
		{"evapi-echo", "../../examples/evapi-echo/kamailio.cfg", nil},
		{"bench unicast", "../../bench/kamailio-bench.cfg", []string{"WITH_BENCH_UNI"}},
		{"bench relay", "../../bench/kamailio-bench.cfg", []string{"WITH_BENCH_RELAY"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, _ := runConfig(t, tc.path, 0, tc.defines...)
			c, r := dialTB(t, addr)
			for i := 0; i < 100; i++ {
				msg := "hello " + strconv.Itoa(i)
				if _, err := c.Write([]byte(ns(msg))); err != nil {
					t.Fatal(err)
				}
				got, err := readFrame(r)
				if err != nil || got != msg {
					t.Fatalf("sent %q, got %q, %v", msg, got, err)
				}
			}
		})
	}
	t.Run("evapi-router", func(t *testing.T) {
		addr, logs := runConfig(t, "../../examples/evapi-router/kamailio.cfg", 0)
		a, ra := dialTB(t, addr)
		b, rb := dialTB(t, addr)
		// Both clients are tagged once b's relay reaches a.
		b.Write([]byte(ns("relay:b-up")))
		if got, err := readFrame(ra); err != nil || got != "relay:b-up" {
			t.Fatalf("a: %q %v", got, err)
		}
		a.Write([]byte(ns("tag:bee") + ns("uni:bee:u1") + ns("multi:x:m1")))
		for _, want := range []string{"relay:b-up", "multi:x:m1"} {
			if got, err := readFrame(rb); err != nil || got != want {
				t.Fatalf("b: %q %v, want %q", got, err, want)
			}
		}
		if got, err := readFrame(ra); err != nil || got != "uni:bee:u1" {
			t.Fatalf("a: %q %v", got, err)
		}
		if n := len(logs.grep("<script>: connection-new from 127.0.0.1:")); n != 2 {
			t.Errorf("%d connection-new lines", n)
		}
	})
}

// benchPingPong measures one client's strict ping-pong (the 1x1 rows of
// bench/evapi.sh) through bench/kamailio-bench.cfg.
func benchPingPong(b *testing.B, define string) {
	addr, _ := runConfig(b, "../../bench/kamailio-bench.cfg", 0, define)
	c, r := dialTB(b, addr)
	msg := []byte(ns("0:12345:1234567890123456"))
	// One exchange first: connection-new has run.
	c.Write(msg)
	if _, err := readFrame(r); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := readFrame(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunUnicastPingPong(b *testing.B) { benchPingPong(b, "WITH_BENCH_UNI") }
func BenchmarkRunRelayPingPong(b *testing.B)   { benchPingPong(b, "WITH_BENCH_RELAY") }
