package main

// End-to-end tests of `kamgo run`: the binary is built once per test run
// and executed (internal/proctest), so flags, signals, sockets and file
// watching are real. What the supervisor decides (reload policy, reloads
// under load, metrics, shutdown) is tested in-process in runtime/supervise;
// these tests check that the command wires it up. Every socket is on
// 127.0.0.1 and every wait is bounded.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

const wait = 20 * time.Second

var (
	reRunning = regexp.MustCompile(`^INFO: <core>: kamgo \S+ running `)
	reStats   = regexp.MustCompile(`<evapi>: stats: .* drops=0 `)
)

// kamgo starts `kamgo args...` in dir.
// A run listens on a free loopback port besides the config's listen=
// lines: a config without any would listen on every interface at 5060,
// as Kamailio.
func kamgo(t *testing.T, dir string, args ...string) *proctest.Proc {
	t.Helper()
	if len(args) > 0 && args[0] == "run" {
		port, err := freeport.Pick()
		if err != nil {
			t.Fatal(err)
		}
		args = append([]string{"run", "-l", "udp:127.0.0.1:" + strconv.Itoa(port)}, args[1:]...)
	}
	return proctest.Start(t, proctest.Build(t, "."), dir, args...)
}

// runServing starts `kamgo run args...` and waits until it serves.
func runServing(t *testing.T, dir string, args ...string) *proctest.Proc {
	t.Helper()
	p := kamgo(t, dir, append([]string{"run"}, args...)...)
	p.WaitFor(reRunning, 1, wait)
	return p
}

// writeConfig writes cfg, with @ADDR@ replaced by addr, as kamailio.cfg in
// a fresh directory and returns the directory.
func writeConfig(t *testing.T, cfg, addr string) string {
	t.Helper()
	dir := t.TempDir()
	proctest.WriteFile(t, filepath.Join(dir, "kamailio.cfg"), strings.ReplaceAll(cfg, "@ADDR@", addr))
	return dir
}

// dial connects an evapi client, closed when the test ends.
func dial(t *testing.T, addr string) *netstring.Conn {
	t.Helper()
	c, err := netstring.Dial(addr, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ask sends payload and returns the next frame.
func ask(t *testing.T, c *netstring.Conn, payload string) string {
	t.Helper()
	if err := c.Send(payload); err != nil {
		t.Fatalf("send %q: %v", payload, err)
	}
	got, err := c.Recv(wait)
	if err != nil {
		t.Fatalf("reply to %q: %v", payload, err)
	}
	return got
}

// TestRunFailsBeforeSockets runs every testdata/run/fail scenario: kamgo
// run must exit 1 before opening the evapi port, with the diagnostics kamgo
// check prints (or, when check accepts the config, the lines of the
// scenario's run-stderr section).
func TestRunFailsBeforeSockets(t *testing.T) {
	files, err := filepath.Glob("testdata/run/fail/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string]string{}
			for _, f := range ar.Files {
				sec[f.Name] = string(f.Data)
			}
			addr := proctest.Addr(t)
			dir := writeConfig(t, sec["kamailio.cfg"], addr)

			// Probe the port for as long as kamgo runs.
			var stopProbe atomic.Bool
			var opened atomic.Int32
			probed := make(chan struct{})
			go func() {
				defer close(probed)
				for i := 0; i < 100000 && !stopProbe.Load(); i++ {
					if c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond); err == nil {
						// Dialing a closed port can connect the socket to
						// itself; that is no listener.
						if c.LocalAddr().String() != c.RemoteAddr().String() {
							opened.Add(1)
						}
						c.Close()
					}
					time.Sleep(time.Millisecond)
				}
			}()
			p := kamgo(t, dir, "run", "kamailio.cfg")
			code, ok := p.Wait(wait)
			stopProbe.Store(true)
			<-probed
			if !ok {
				t.Fatalf("kamgo run did not exit on a broken config")
			}
			if code != exitFound {
				t.Errorf("exit code %d, want %d", code, exitFound)
			}
			if n := opened.Load(); n > 0 {
				t.Errorf("the evapi port %s accepted %d connections", addr, n)
			}
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				t.Errorf("the evapi port %s is open after kamgo exited", addr)
			}
			stderr := p.Log()
			if reRunning.MatchString(stderr) || strings.Contains(stderr, "<evapi>") {
				t.Errorf("kamgo started something:\n%s", stderr)
			}

			out, code := proctest.Run(t, wait, p.Path(), dir, "check", "kamailio.cfg")
			if want, ok := sec["run-stderr"]; ok {
				// check accepts the config: only loading refuses it.
				if code != exitOK {
					t.Errorf("kamgo check: exit %d\n%s", code, out)
				}
				for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
					if !strings.Contains(stderr, l) {
						t.Errorf("stderr lacks %q:\n%s", l, stderr)
					}
				}
				return
			}
			if code == exitOK {
				t.Fatalf("kamgo check accepts the config")
			}
			if got, want := diagLines(stderr), diagLines(out); !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("kamgo run printed\n%s\nkamgo check printed\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// diagLines returns the non-empty lines of a diagnostics text.
func diagLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}

// TestRunAllowMissing: --allow-missing ipops turns ipops' functions into no-ops
// returning 1, logged once per call site, and the routes go on.
func TestRunAllowMissing(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/run/allow-missing.cfg")
	if err != nil {
		t.Fatal(err)
	}
	addr := proctest.Addr(t)
	p := runServing(t, writeConfig(t, string(src), addr), "--allow-missing", "ipops", "kamailio.cfg")
	c := dial(t, addr)
	for i := 1; i <= 3; i++ {
		want := fmt.Sprintf("done:m%d first=1 second=1", i)
		if got := ask(t, c, fmt.Sprintf("m%d", i)); got != want {
			t.Errorf("reply %q, want %q", got, want)
		}
	}
	if code := p.Stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	for _, re := range []string{
		`^WARNING: <core>: is_ipv4\(\) at kamailio\.cfg:18 is a no-op: module ipops is not implemented$`,
		`^WARNING: <core>: is_ip\(\) at kamailio\.cfg:13 is a no-op: module ipops is not implemented$`,
	} {
		if n := p.Count(regexp.MustCompile(re)); n != 1 {
			t.Errorf("%d lines match %s, want 1 (once per call site)", n, re)
		}
	}
}

// TestRunReload: --watch reloads a changed file and SIGHUP reloads too,
// on the open connection; a broken file is refused and the old program
// keeps serving; SIGTERM then exits 0 after evapi logs its counters.
func TestRunReload(t *testing.T) {
	t.Parallel()
	ar, err := txtar.ParseFile("../../runtime/supervise/testdata/reload.txtar")
	if err != nil {
		t.Fatal(err)
	}
	addr := proctest.Addr(t)
	cfgs := map[string]string{}
	for _, f := range ar.Files {
		cfgs[f.Name] = strings.ReplaceAll(strings.ReplaceAll(string(f.Data), "@ADDR@", addr), "@WORKERS@", "1")
	}
	dir := writeConfig(t, cfgs["a.cfg"], addr)
	file := filepath.Join(dir, "kamailio.cfg")
	p := runServing(t, dir, "--watch", "kamailio.cfg")
	c := dial(t, addr)
	if got := ask(t, c, "0"); got != "A:0" {
		t.Fatalf("before the reloads: %q, want A:0", got)
	}
	local := c.NetConn().LocalAddr().String()

	proctest.WriteFile(t, file, cfgs["b.cfg"])
	p.WaitFor(regexp.MustCompile(`^INFO: <core>: reloaded kamailio\.cfg \(file changed\)$`), 1, wait)
	if got := ask(t, c, "1"); got != "B:1" {
		t.Errorf("after the watched change: %q, want B:1", got)
	}
	// Two kinds of reload may not be mixed up in one count: wait for the
	// watch to settle on each write before the signal.
	proctest.WriteFile(t, file, cfgs["a.cfg"])
	p.WaitFor(regexp.MustCompile(`^INFO: <core>: reloaded kamailio\.cfg \(file changed\)$`), 2, wait)
	p.Signal(syscall.SIGHUP)
	p.WaitFor(regexp.MustCompile(`^INFO: <core>: reloaded kamailio\.cfg \(SIGHUP\)$`), 1, wait)
	if got := ask(t, c, "2"); got != "A:2" {
		t.Errorf("after SIGHUP: %q, want A:2", got)
	}
	proctest.WriteFile(t, file, cfgs["unknown-function.cfg"])
	p.WaitFor(regexp.MustCompile(`^ERROR: <core>: reload \(file changed\) refused, the running configuration is kept:$`), 1, wait)
	p.WaitFor(regexp.MustCompile(`^kamailio\.cfg:17:2: error: unknown function evapi_rely .*\[KC2001\]$`), 1, wait)
	if got := ask(t, c, "3"); got != "A:3" {
		t.Errorf("after a refused reload: %q, want A:3", got)
	}
	if c.NetConn().LocalAddr().String() != local {
		t.Errorf("the connection changed")
	}
	if n := p.Count(regexp.MustCompile(`^INFO: <script>: connection-closed `)); n != 0 {
		t.Errorf("%d connection-closed events across reloads, want 0", n)
	}
	if code := p.Stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	p.WaitFor(reStats, 1, wait)
}

// TestRunMetrics: --metrics serves the counters at /metrics.
func TestRunMetrics(t *testing.T) {
	t.Parallel()
	cfg, err := filepath.Abs("../../examples/evapi-echo/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	addr := proctest.Addr(t)
	p := runServing(t, t.TempDir(), "-A", `EVAPI_BIND="`+addr+`"`, "-A", sipPort(t), "--metrics", "127.0.0.1:0", cfg)
	// The line comes before the running line.
	re := regexp.MustCompile(`^INFO: <core>: metrics on http://(\S+)/metrics$`)
	var metrics string
	for _, l := range strings.Split(p.Log(), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			metrics = m[1]
		}
	}
	if metrics == "" {
		t.Fatalf("no metrics address logged")
	}
	if got := ask(t, dial(t, addr), "hello"); got != "hello" {
		t.Errorf("echo %q", got)
	}
	resp, err := http.Get("http://" + metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "kamgo_evapi_frames_in_total 1\n") {
		t.Errorf("metrics: %v\n%s", err, body)
	}
	if code := p.Stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}

// TestExampleJSONRouter runs examples/json-router with its client twice:
// the replies are the ones the README shows, and the $shv counters are
// shared across connections while $var ones are per worker.
func TestExampleJSONRouter(t *testing.T) {
	t.Parallel()
	client := proctest.Build(t, "../../examples/json-router/client")
	cfg, err := filepath.Abs("../../examples/json-router/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	addr := proctest.Addr(t)
	p := runServing(t, t.TempDir(), "-A", `EVAPI_BIND="`+addr+`"`, "-A", sipPort(t), cfg)
	type reply struct {
		to   string
		want map[string]any
	}
	walk := []reply{
		{"alice", map[string]any{"op": "welcome", "name": "alice"}},
		{"bob", map[string]any{"op": "welcome", "name": "bob"}},
		{"bob", map[string]any{"op": "deliver", "from": "alice", "body": `hi "bob"`}},
		{"alice", map[string]any{"op": "routed", "to": "bob"}},
		{"alice", map[string]any{"op": "error", "reason": "no client carol"}},
		{"alice", map[string]any{"op": "broadcast", "from": "bob", "body": "hello all"}},
		{"bob", map[string]any{"op": "broadcast", "from": "bob", "body": "hello all"}},
		{"alice", map[string]any{"op": "stats"}},
		{"bob", map[string]any{"op": "error", "reason": "unknown op dance"}},
	}
	for round := 1; round <= 2; round++ {
		out, code := proctest.Run(t, 30*time.Second, client, "", "-addr", addr, "-timeout", "10s")
		if code != 0 {
			t.Fatalf("round %d: client exited %d:\n%s", round, code, out)
		}
		var replies []reply
		for _, l := range strings.Split(out, "\n") {
			who, js, ok := strings.Cut(l, " <- ")
			if !ok {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(js), &m); err != nil {
				t.Fatalf("round %d: %q: %v", round, l, err)
			}
			replies = append(replies, reply{who, m})
		}
		if len(replies) != len(walk) {
			t.Fatalf("round %d: %d replies, want %d:\n%s", round, len(replies), len(walk), out)
		}
		for i, w := range walk {
			r := replies[i]
			if r.to != w.to {
				t.Errorf("round %d reply %d went to %s, want %s", round, i, r.to, w.to)
			}
			for k, v := range w.want {
				if r.want[k] != v {
					t.Errorf("round %d reply %d: %s = %v, want %v (%v)", round, i, k, r.want[k], v, r.want)
				}
			}
		}
		if !strings.Contains(out, "mallory: connection closed by the server") {
			t.Errorf("round %d: garbage did not close the connection:\n%s", round, out)
		}
		// Shared counters carry over from round 1 (8 frames, 1 routed);
		// the worker's own count is at most the total.
		routed, stats := replies[3].want, replies[7].want
		wantTotal := 6.0 + 8*float64(round-1)
		if routed["routed"] != float64(round) || stats["routed"] != float64(round) || stats["total"] != wantTotal {
			t.Errorf("round %d: routed %v, stats %v; want routed %d and total %v", round, routed, stats, round, wantTotal)
		}
		// Round 2 may start before round 1's connections are seen closed.
		if round == 1 && (replies[1].want["clients"] != 2.0 || stats["clients"] != 2.0) {
			t.Errorf("round 1: clients %v at bob's welcome and %v in stats, want 2", replies[1].want["clients"], stats["clients"])
		}
		if w, ok := stats["worker"].(float64); !ok || w < 1 || w > wantTotal {
			t.Errorf("round %d: worker count %v, want 1..%v", round, stats["worker"], wantTotal)
		}
	}
	if code := p.Stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	if n := p.Count(regexp.MustCompile(`^WARNING: <script>: client \d+: not a JSON command, closing: not json$`)); n != 2 {
		t.Errorf("%d closing lines, want 2", n)
	}
}

// sipPort defines SIP_PORT, the examples' SIP listen port, as a port no
// other test uses.
func sipPort(t *testing.T) string {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return "SIP_PORT=" + strconv.Itoa(port)
}
