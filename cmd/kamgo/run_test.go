package main

// End-to-end tests of `kamgo run`: the binary is built once per test run
// and executed, so signals, sockets and file watching are real. Every
// socket is on 127.0.0.1, every wait is bounded, and every process started
// is stopped (SIGTERM, then SIGKILL) when its test ends.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// ---------------------------------------------------------------- binaries

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// binaries builds kamgo (with -race when the tests run with it, so races in
// the running server are caught too) and the json-router client, once.
func binaries(t *testing.T) (kamgo, client string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the kamgo binary")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "kamgo-e2e-")
		if buildErr != nil {
			return
		}
		args := []string{"build", "-o", filepath.Join(buildDir, "kamgo")}
		if raceEnabled {
			args = append(args, "-race")
		}
		for _, b := range [][]string{
			append(args, "."),
			{"build", "-o", filepath.Join(buildDir, "client"), "../../examples/json-router/client"},
		} {
			out, err := exec.Command("go", b...).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(b, " "), err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "kamgo"), filepath.Join(buildDir, "client")
}

// freeAddr returns a 127.0.0.1 address with a port nobody listens on. The
// port comes from 21600-22999, below the kernel's ephemeral range, so a
// listener another test binds to port 0 can never take it meanwhile (the
// "never opens the port" checks rely on that); each port is handed out
// once per test binary.
func freeAddr(t *testing.T) string {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	if nextPort == 0 {
		nextPort = 21600 + os.Getpid()%1400
	}
	for range 1400 {
		port := nextPort
		if nextPort++; nextPort >= 23000 {
			nextPort = 21600
		}
		if usedPorts[port] {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		ln.Close()
		usedPorts[port] = true
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	t.Fatal("no free port in 21600-22999")
	return ""
}

var (
	portMu    sync.Mutex
	nextPort  int
	usedPorts = map[int]bool{}
)

// writeFile replaces path atomically (write then rename, as editors do), so
// a reload never reads half a file.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------------- process

// proc is a running `kamgo run` whose stderr is collected line by line.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	note  chan struct{} // a token after every new line
	done  chan struct{} // closed once the process has exited
	code  int
}

// start runs the kamgo binary with args in dir.
func start(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	bin, _ := binaries(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, note: make(chan struct{}, 1), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.note <- struct{}{}:
			default:
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		err := cmd.Wait()
		code := 0
		if err != nil {
			code = -1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
		}
		p.mu.Lock()
		p.code = code
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("kamgo %s stderr:\n%s", strings.Join(args, " "), p.log())
		}
		if strings.Contains(p.log(), "WARNING: DATA RACE") {
			t.Errorf("the kamgo process reported a data race:\n%s", p.log())
		}
	})
	return p
}

// log returns everything the process wrote to stderr so far.
func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// count returns how many stderr lines match re.
func (p *proc) count(re *regexp.Regexp) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if re.MatchString(l) {
			n++
		}
	}
	return n
}

// waitFor waits until at least n stderr lines match re, and fails the test
// when that takes longer than d or the process exits first.
func (p *proc) waitFor(re *regexp.Regexp, n int, d time.Duration) {
	p.t.Helper()
	if err := p.await(re, n, d); err != nil {
		p.t.Fatal(err)
	}
}

// await is waitFor returning an error instead of failing.
func (p *proc) await(re *regexp.Regexp, n int, d time.Duration) error {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		if p.count(re) >= n {
			return nil
		}
		select {
		case <-p.note:
		case <-p.done:
			if p.count(re) >= n {
				return nil
			}
			return fmt.Errorf("kamgo exited (code %d) before %d lines matched %q", p.exitCode(), n, re)
		case <-deadline.C:
			return fmt.Errorf("no %d lines matching %q within %v", n, re, d)
		}
	}
}

func (p *proc) exitCode() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code
}

// signal sends sig to the process.
func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(d time.Duration) (int, bool) {
	select {
	case <-p.done:
		return p.exitCode(), true
	case <-time.After(d):
		return 0, false
	}
}

// stop sends SIGTERM and, when the process is still there after 10 s,
// SIGKILL. It returns the exit code.
func (p *proc) stop() int {
	select {
	case <-p.done:
		return p.exitCode()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code, ok := p.wait(10 * time.Second); ok {
		return code
	}
	p.t.Errorf("kamgo did not stop within 10s of SIGTERM; killing it")
	_ = p.cmd.Process.Kill()
	code, _ := p.wait(5 * time.Second)
	return code
}

var (
	reRunning = regexp.MustCompile(`^INFO: <core>: kamgo \S+ running `)
	reStats   = regexp.MustCompile(`<evapi>: stats: .* drops=0 `)
)

// runServing starts `kamgo run args...` and waits until it serves.
func runServing(t *testing.T, dir string, args ...string) *proc {
	t.Helper()
	p := start(t, dir, append([]string{"run"}, args...)...)
	p.waitFor(reRunning, 1, 20*time.Second)
	return p
}

// reloadServer writes the first reload config (evapi with the given
// number of workers) to a fresh directory and runs kamgo on it with flags.
// kamgo logs "running" only once its signal handlers and file watch are in
// place, so a change or a SIGHUP right after that line is never lost.
func reloadServer(t *testing.T, workers int, flags ...string) (addr string, cfgs map[string]string, file string, p *proc) {
	t.Helper()
	addr = freeAddr(t)
	cfgs = reloadConfigs(t, addr, workers)
	dir := t.TempDir()
	file = filepath.Join(dir, "kamailio.cfg")
	writeFile(t, file, cfgs["a.cfg"])
	return addr, cfgs, file, runServing(t, dir, append(flags, "kamailio.cfg")...)
}

// ---------------------------------------------------------------- evapi client

// nsConn is a netstring client of evapi.
type nsConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialEvapi(t *testing.T, addr string) *nsConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &nsConn{c: c, r: bufio.NewReader(c)}
}

func (n *nsConn) send(payload string) error {
	_ = n.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := fmt.Fprintf(n.c, "%d:%s,", len(payload), payload)
	return err
}

// recv reads one frame, waiting at most d.
func (n *nsConn) recv(d time.Duration) (string, error) {
	_ = n.c.SetReadDeadline(time.Now().Add(d))
	head, err := n.r.ReadString(':')
	if err != nil {
		return "", err
	}
	size, err := strconv.Atoi(head[:len(head)-1])
	if err != nil || size < 0 || size > 1<<20 {
		return "", fmt.Errorf("bad frame length %q", head)
	}
	buf := make([]byte, size+1)
	if _, err := io.ReadFull(n.r, buf); err != nil {
		return "", err
	}
	if buf[size] != ',' {
		return "", fmt.Errorf("frame %q not terminated by ','", buf)
	}
	return string(buf[:size]), nil
}

// ask sends payload and returns the next frame.
func (n *nsConn) ask(t *testing.T, payload string) string {
	t.Helper()
	if err := n.send(payload); err != nil {
		t.Fatalf("send %q: %v", payload, err)
	}
	got, err := n.recv(10 * time.Second)
	if err != nil {
		t.Fatalf("reply to %q: %v", payload, err)
	}
	return got
}

// ---------------------------------------------------------------- 1. failures before sockets

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
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string]string{}
			for _, f := range ar.Files {
				sec[f.Name] = string(f.Data)
			}
			addr := freeAddr(t)
			dir := t.TempDir()
			cfg := strings.ReplaceAll(sec["kamailio.cfg"], "@ADDR@", addr)
			if err := os.WriteFile(filepath.Join(dir, "kamailio.cfg"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}

			// Probe the port for as long as kamgo runs.
			var stopProbe atomic.Bool
			var opened atomic.Int32
			probed := make(chan struct{})
			go func() {
				defer close(probed)
				for i := 0; i < 100000 && !stopProbe.Load(); i++ {
					if c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond); err == nil {
						// Dialing a closed port in the ephemeral range can
						// connect the socket to itself; that is no listener.
						if c.LocalAddr().String() != c.RemoteAddr().String() {
							opened.Add(1)
						}
						c.Close()
					}
					time.Sleep(time.Millisecond)
				}
			}()
			p := start(t, dir, "run", "kamailio.cfg")
			code, ok := p.wait(20 * time.Second)
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
			stderr := p.log()
			if reRunning.MatchString(stderr) || strings.Contains(stderr, "<evapi>") {
				t.Errorf("kamgo started something:\n%s", stderr)
			}

			var out bytes.Buffer
			chk := exec.Command(p.cmd.Path, "check", "kamailio.cfg")
			chk.Dir = dir
			chk.Stdout = &out
			err = chk.Run()
			if want, ok := sec["run-stderr"]; ok {
				// check accepts the config: only loading refuses it.
				if err != nil {
					t.Errorf("kamgo check: %v\n%s", err, out.String())
				}
				for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
					if !strings.Contains(stderr, l) {
						t.Errorf("stderr lacks %q:\n%s", l, stderr)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("kamgo check accepts the config")
			}
			if got, want := diagLines(stderr), diagLines(out.String()); !slices.Equal(got, want) || len(want) == 0 {
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

// TestRunAllowMissing: --allow-missing tm turns tm's functions into no-ops
// returning 1, logged once per call site, and the routes go on.
func TestRunAllowMissing(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/run/allow-missing.cfg")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dir := t.TempDir()
	cfg := strings.ReplaceAll(string(src), "@ADDR@", addr)
	if err := os.WriteFile(filepath.Join(dir, "kamailio.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p := runServing(t, dir, "--allow-missing", "tm", "kamailio.cfg")
	c := dialEvapi(t, addr)
	for i := 1; i <= 3; i++ {
		want := fmt.Sprintf("done:m%d first=1 second=1", i)
		if got := c.ask(t, fmt.Sprintf("m%d", i)); got != want {
			t.Errorf("reply %q, want %q", got, want)
		}
	}
	for _, re := range []string{
		`^WARNING: <core>: t_on_failure\(\) at kamailio\.cfg:18 is a no-op: module tm is not implemented$`,
		`^WARNING: <core>: t_relay\(\) at kamailio\.cfg:13 is a no-op: module tm is not implemented$`,
	} {
		if n := p.count(regexp.MustCompile(re)); n != 1 {
			t.Errorf("%d lines match %s, want 1 (once per call site)", n, re)
		}
	}
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}

// ---------------------------------------------------------------- 2. reloads

// reloadConfigs reads testdata/run/reload.txtar with its placeholders
// filled in.
func reloadConfigs(t *testing.T, addr string, workers int) map[string]string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/run/reload.txtar")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, f := range ar.Files {
		s := strings.ReplaceAll(string(f.Data), "@ADDR@", addr)
		m[f.Name] = strings.ReplaceAll(s, "@WORKERS@", strconv.Itoa(workers))
	}
	return m
}

var (
	reConnNew    = regexp.MustCompile(`^INFO: <script>: connection-new `)
	reConnClosed = regexp.MustCompile(`^INFO: <script>: connection-closed `)
)

func reReloaded(reason string) *regexp.Regexp {
	return regexp.MustCompile(`^INFO: <core>: reloaded kamailio\.cfg \(` + regexp.QuoteMeta(reason) + `\)$`)
}

func reRefused(reason string) *regexp.Regexp {
	return regexp.MustCompile(`^ERROR: <core>: reload \(` + regexp.QuoteMeta(reason) + `\) refused, the running configuration is kept:$`)
}

// latencies summarises reload durations for the test log.
func latencies(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	pct := func(p int) time.Duration { return s[(len(s)-1)*p/100] }
	return fmt.Sprintf("n=%d min=%v median=%v p95=%v max=%v", len(s),
		s[0].Round(10*time.Microsecond), pct(50).Round(10*time.Microsecond),
		pct(95).Round(10*time.Microsecond), s[len(s)-1].Round(10*time.Microsecond))
}

// TestRunReloadWatch (a): with --watch a good change is applied to the
// open evapi connection: same socket, no connection-closed.
func TestRunReloadWatch(t *testing.T) {
	t.Parallel()
	addr, cfgs, file, p := reloadServer(t, 1, "--watch")
	c := dialEvapi(t, addr)
	if got := c.ask(t, "1"); got != "A:1" {
		t.Fatalf("before the reload: %q, want A:1", got)
	}
	local := c.c.LocalAddr().String()
	reload := reReloaded("file changed")
	var lat []time.Duration
	for i, v := range []string{"b", "a", "b"} {
		before := p.count(reload)
		t0 := time.Now()
		writeFile(t, file, cfgs[v+".cfg"])
		p.waitFor(reload, before+1, 10*time.Second)
		lat = append(lat, time.Since(t0))
		msg := strconv.Itoa(i + 2)
		if got, want := c.ask(t, msg), strings.ToUpper(v)+":"+msg; got != want {
			t.Errorf("after reload %d: %q, want %q", i+1, got, want)
		}
	}
	if c.c.LocalAddr().String() != local {
		t.Errorf("the connection changed")
	}
	if n := p.count(reConnNew); n != 1 {
		t.Errorf("%d connection-new events, want 1", n)
	}
	if n := p.count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events across reloads, want 0", n)
	}
	t.Logf("--watch reload latency (file renamed -> reloaded line, includes the %v debounce): %s", 150*time.Millisecond, latencies(lat))
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	p.waitFor(reStats, 1, time.Second)
}

// TestRunReloadRefused (b): broken changes are refused with diagnostics
// in the log, the old program keeps serving, and the watch keeps working.
func TestRunReloadRefused(t *testing.T) {
	t.Parallel()
	addr, cfgs, file, p := reloadServer(t, 1, "--watch")
	applied := p.count(reReloaded("file changed"))
	c := dialEvapi(t, addr)
	if got := c.ask(t, "0"); got != "A:0" {
		t.Fatalf("before the reloads: %q, want A:0", got)
	}
	refused := reRefused("file changed")
	for i, tc := range []struct{ cfg, diag string }{
		{"syntax-error.cfg", `^kamailio\.cfg:1[78]:\d+: error: .*\[KC0501\]$`},
		{"unknown-function.cfg", `^kamailio\.cfg:17:2: error: unknown function evapi_rely .*\[KC2001\]$`},
		{"modparam-change.cfg", `error: configuration changes need a restart; the running configuration is kept \[KC2107\]$`},
	} {
		writeFile(t, file, cfgs[tc.cfg])
		p.waitFor(refused, i+1, 10*time.Second)
		p.waitFor(regexp.MustCompile(tc.diag), 1, 2*time.Second)
		if tc.cfg == "modparam-change.cfg" {
			p.waitFor(regexp.MustCompile(`^  hint: changed: \+modparam evapi max_clients int:4$`), 1, 2*time.Second)
		}
		msg := strconv.Itoa(i + 1)
		if got := c.ask(t, msg); got != "A:"+msg {
			t.Errorf("after refusing %s: %q, want %q", tc.cfg, got, "A:"+msg)
		}
	}
	writeFile(t, file, cfgs["b.cfg"])
	p.waitFor(reReloaded("file changed"), applied+1, 10*time.Second)
	if got := c.ask(t, "4"); got != "B:4" {
		t.Errorf("after the good change: %q, want B:4", got)
	}
	if n := p.count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events, want 0", n)
	}
	if n := p.count(reReloaded("file changed")) - applied; n != 1 {
		t.Errorf("%d reloads applied, want 1", n)
	}
}

// TestRunReloadSIGHUP (c): SIGHUP reloads the file (no --watch), and
// refuses a broken one.
func TestRunReloadSIGHUP(t *testing.T) {
	t.Parallel()
	addr, cfgs, file, p := reloadServer(t, 1)
	c := dialEvapi(t, addr)
	if got := c.ask(t, "0"); got != "A:0" {
		t.Fatalf("before the reload: %q, want A:0", got)
	}
	reload := reReloaded("SIGHUP")
	var lat []time.Duration
	for i := 1; i <= 10; i++ {
		v := "b"
		if i%2 == 0 {
			v = "a"
		}
		writeFile(t, file, cfgs[v+".cfg"])
		t0 := time.Now()
		p.signal(syscall.SIGHUP)
		p.waitFor(reload, i, 10*time.Second)
		lat = append(lat, time.Since(t0))
		msg := strconv.Itoa(i)
		if got, want := c.ask(t, msg), strings.ToUpper(v)+":"+msg; got != want {
			t.Errorf("after SIGHUP %d: %q, want %q", i, got, want)
		}
	}
	writeFile(t, file, cfgs["syntax-error.cfg"])
	p.signal(syscall.SIGHUP)
	p.waitFor(reRefused("SIGHUP"), 1, 10*time.Second)
	if got := c.ask(t, "x"); got != "A:x" {
		t.Errorf("after a refused SIGHUP reload: %q, want A:x", got)
	}
	if n := p.count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events, want 0", n)
	}
	t.Logf("SIGHUP reload latency (signal -> reloaded line): %s", latencies(lat))
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}

// TestRunReloadUnderLoad (d): 100 reloads alternating two variants while
// a client keeps a window of numbered messages in flight: every message
// gets exactly one reply, from one variant or the other, and both are
// seen. The "sighup" subtest rewrites the file and sends SIGHUP; the
// "watch" one only rewrites it and lets --watch notice.
func TestRunReloadUnderLoad(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"sighup", "watch"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			reloadUnderLoad(t, mode == "watch")
		})
	}
}

func reloadUnderLoad(t *testing.T, watch bool) {
	const (
		reloads = 100
		window  = 16
		maxMsgs = 1_000_000
	)
	var flags []string
	reload := reReloaded("SIGHUP")
	if watch {
		flags = []string{"--watch"}
		reload = reReloaded("file changed")
	}
	addr, cfgs, file, p := reloadServer(t, 4, flags...)
	baseline := p.count(reload)
	c := dialEvapi(t, addr)

	var (
		sent, recvd atomic.Int64
		mu          sync.Mutex
		got         = map[int]int{}
		variants    = map[string]int{}
		bad         []string
		sendErr     error
		recvErr     error
		draining    atomic.Bool
	)
	sem := make(chan struct{}, window)
	stopSend := make(chan struct{})
	sendDone := make(chan struct{})
	recvDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		// A steady load: paced at sendRate so the count bound holds for
		// the whole run however fast the server answers.
		const sendRate = 20000 // messages per second
		begin := time.Now()
		for n := 0; n < maxMsgs; n++ {
			if n%200 == 0 {
				if ahead := time.Duration(n)*time.Second/sendRate - time.Since(begin); ahead > 0 {
					time.Sleep(ahead)
				}
			}
			select {
			case <-stopSend:
				return
			case sem <- struct{}{}:
			}
			if err := c.send(strconv.Itoa(n)); err != nil {
				sendErr = err
				return
			}
			sent.Add(1)
		}
	}()
	go func() {
		defer close(recvDone)
		for {
			s, err := c.recv(15 * time.Second)
			if err != nil {
				if !draining.Load() {
					recvErr = err
				}
				return
			}
			v, num, ok := strings.Cut(s, ":")
			n, err := strconv.Atoi(num)
			mu.Lock()
			if !ok || err != nil || (v != "A" && v != "B") {
				bad = append(bad, s)
			} else {
				got[n]++
				variants[v]++
			}
			mu.Unlock()
			recvd.Add(1)
			select {
			case <-sem:
			default:
			}
		}
	}()
	// finish stops the client and waits (bounded) for the outstanding
	// replies.
	finish := func() {
		select {
		case <-stopSend:
		default:
			close(stopSend)
		}
		<-sendDone
		deadline := time.Now().Add(15 * time.Second)
		for recvd.Load() < sent.Load() && time.Now().Before(deadline) {
			select {
			case <-recvDone:
				deadline = time.Now()
			case <-time.After(5 * time.Millisecond):
			}
		}
		draining.Store(true)
		_ = c.c.SetReadDeadline(time.Now())
		<-recvDone
	}
	defer finish()

	// waitProgress waits (bounded) until n more replies arrived, so that
	// every program serves some events.
	waitProgress := func(n int64) {
		target := recvd.Load() + n
		deadline := time.Now().Add(5 * time.Second)
		for recvd.Load() < target && time.Now().Before(deadline) {
			time.Sleep(200 * time.Microsecond)
		}
		if recvd.Load() < target {
			t.Fatalf("no progress: %d replies, want %d (sent %d)", recvd.Load(), target, sent.Load())
		}
	}
	waitProgress(window)
	var lat []time.Duration
	t0 := time.Now()
	for i := 1; i <= reloads; i++ {
		v := "b"
		if i%2 == 0 {
			v = "a"
		}
		before := p.count(reload)
		start := time.Now()
		writeFile(t, file, cfgs[v+".cfg"])
		if !watch {
			p.signal(syscall.SIGHUP)
		}
		p.waitFor(reload, before+1, 10*time.Second)
		lat = append(lat, time.Since(start))
		waitProgress(window)
	}
	elapsed := time.Since(t0)
	finish()

	if sendErr != nil || recvErr != nil {
		t.Fatalf("client: send: %v, receive: %v", sendErr, recvErr)
	}
	n := int(sent.Load())
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("%d unexpected replies, first %q", len(bad), bad[0])
	}
	var missing, dup []int
	for i := 0; i < n; i++ {
		switch got[i] {
		case 1:
		case 0:
			missing = append(missing, i)
		default:
			dup = append(dup, i)
		}
	}
	if len(got) != n-len(missing) {
		t.Errorf("replies for messages never sent")
	}
	if len(missing) > 0 || len(dup) > 0 {
		t.Errorf("%d messages: %d without a reply (first %v), %d with more than one (first %v)",
			n, len(missing), head(missing), len(dup), head(dup))
	}
	if variants["A"] == 0 || variants["B"] == 0 {
		t.Errorf("variants seen: %v, want both", variants)
	}
	applied := p.count(reload) - baseline
	if applied < reloads {
		t.Errorf("%d reloads applied, want %d", applied, reloads)
	}
	if n := p.count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events, want 0", n)
	}
	// The last variant written was a.cfg.
	if got := c.askAfterDrain(t, "last"); got != "A:last" {
		t.Errorf("after the last reload: %q, want A:last", got)
	}
	t.Logf("%d reloads (%d applied) in %v under load: %d messages, %d replies (A %d, B %d), %.0f msg/s",
		reloads, applied, elapsed.Round(time.Millisecond), n, recvd.Load(), variants["A"], variants["B"],
		float64(n)/elapsed.Seconds())
	t.Logf("reload latency (%s): %s", map[bool]string{true: "file renamed -> reloaded line, includes the 150ms debounce", false: "SIGHUP -> reloaded line"}[watch], latencies(lat))
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
	p.waitFor(reStats, 1, time.Second)
}

// askAfterDrain is ask on a connection whose read deadline was forced.
func (n *nsConn) askAfterDrain(t *testing.T, payload string) string {
	t.Helper()
	_ = n.c.SetReadDeadline(time.Time{})
	return n.ask(t, payload)
}

func head(s []int) []int {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

// ---------------------------------------------------------------- 3. json-router example

// TestExampleJSONRouter runs examples/json-router with its client twice:
// the replies are the ones the README shows, and the $shv counters are
// shared across connections while $var ones are per worker.
func TestExampleJSONRouter(t *testing.T) {
	t.Parallel()
	_, client := binaries(t)
	cfg, err := filepath.Abs("../../examples/json-router/kamailio.cfg")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := runServing(t, t.TempDir(), "-A", `EVAPI_BIND="`+addr+`"`, cfg)
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
		var out, errb bytes.Buffer
		cmd := exec.Command(client, "-addr", addr, "-timeout", "10s")
		cmd.Stdout, cmd.Stderr = &out, &errb
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("client did not finish")
		}
		if err != nil {
			t.Fatalf("round %d: client: %v\n%s%s", round, err, out.String(), errb.String())
		}
		var replies []reply
		for _, l := range strings.Split(out.String(), "\n") {
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
			t.Fatalf("round %d: %d replies, want %d:\n%s", round, len(replies), len(walk), out.String())
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
		if !strings.Contains(out.String(), "mallory: connection closed by the server") {
			t.Errorf("round %d: garbage did not close the connection:\n%s", round, out.String())
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
	if n := p.count(regexp.MustCompile(`^WARNING: <script>: client \d+: not a JSON command, closing: not json$`)); n != 2 {
		t.Errorf("%d closing lines, want 2", n)
	}
	if code := p.stop(); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}
