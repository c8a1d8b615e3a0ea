package kamref

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Placeholders that Start replaces with the instance's ports.
const (
	SIPPortPlaceholder   = "%%SIP_PORT%%"
	EvapiPortPlaceholder = "%%EVAPI_PORT%%"
)

// Options configures Start. The zero value is usable.
type Options struct {
	// Binary is the kamailio executable; "kamailio" from PATH by default.
	Binary string
	// SIPPort and EvapiPort replace the placeholders in the config text;
	// a zero port is picked with FreePort.
	SIPPort, EvapiPort int
	// Env holds extra "NAME=value" entries for the process environment,
	// which the config can read with $env(NAME).
	Env []string
	// StartTimeout bounds the wait for the evapi port; 15s by default.
	StartTimeout time.Duration
	// Args are extra command-line arguments (e.g. "-A", "NAME").
	Args []string
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago; the
// UDP port of the same number is checked too, since the SIP listener uses it.
func FreePort() (int, error) {
	portMu.Lock()
	defer portMu.Unlock()
	// Ports come from 24000-31999, below the kernel's ephemeral range, so a
	// client socket's source port can never take one between the check and
	// Kamailio's bind; a port is never handed out twice by one process, and
	// each process starts at its own offset so parallel test binaries do
	// not race for the same numbers.
	if nextPort == 0 {
		nextPort = portLo + (os.Getpid()*97)%(portHi-portLo)
	}
	for i := 0; i < portHi-portLo; i++ {
		port := nextPort
		nextPort++
		if nextPort >= portHi {
			nextPort = portLo
		}
		if usedPorts[port] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		u, uerr := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if uerr != nil {
			continue
		}
		u.Close()
		usedPorts[port] = true
		return port, nil
	}
	return 0, errors.New("kamref: no free port found")
}

const portLo, portHi = 24000, 32000

var (
	portMu    sync.Mutex
	nextPort  int
	usedPorts = map[int]bool{}
)

// Instance is a running Kamailio.
type Instance struct {
	SIPPort, EvapiPort int
	Dir                string // temporary directory holding the config

	cmd      *exec.Cmd
	waitDone chan struct{}
	waitErr  error
	readDone chan struct{}

	mu    sync.Mutex
	lines []string
	stop  sync.Once
}

// StartError reports that Kamailio exited or never listened; Log holds
// what it printed.
type StartError struct {
	Reason string
	Log    []string
}

func (e *StartError) Error() string {
	return "kamailio start: " + e.Reason
}

// Start writes cfgText (placeholders substituted) to a temporary directory,
// runs `kamailio -DD -E -f` and waits until the evapi port accepts.
func Start(ctx context.Context, cfgText string, opts Options) (*Instance, error) {
	var err error
	if opts.SIPPort == 0 {
		if opts.SIPPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if opts.EvapiPort == 0 {
		if opts.EvapiPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 15 * time.Second
	}
	dir, err := os.MkdirTemp("", "kamref-")
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(cfgText, SIPPortPlaceholder, strconv.Itoa(opts.SIPPort))
	text = strings.ReplaceAll(text, EvapiPortPlaceholder, strconv.Itoa(opts.EvapiPort))
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := append([]string{"-DD", "-E", "-Y", dir, "-f", cfgPath}, opts.Args...)
	cmd := exec.Command(binary(opts.Binary), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.Stderr = w
	// A process group lets Stop reap children that outlive the main process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("kamailio start: %w", err)
	}
	w.Close()
	in := &Instance{SIPPort: opts.SIPPort, EvapiPort: opts.EvapiPort, Dir: dir, cmd: cmd,
		waitDone: make(chan struct{}), readDone: make(chan struct{})}
	go in.read(r)
	go func() {
		in.waitErr = cmd.Wait()
		close(in.waitDone)
	}()
	if err := in.awaitListen(ctx, opts.StartTimeout); err != nil {
		in.Stop()
		return nil, &StartError{Reason: err.Error(), Log: in.Lines()}
	}
	return in, nil
}

func binary(b string) string {
	if b == "" {
		return "kamailio"
	}
	return b
}

func (in *Instance) read(r io.ReadCloser) {
	defer close(in.readDone)
	defer r.Close()
	br := bufio.NewReaderSize(r, 64*1024)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			in.mu.Lock()
			in.lines = append(in.lines, strings.TrimSuffix(line, "\n"))
			in.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// awaitListen polls /proc/net/tcp for the evapi listener rather than
// connecting, because a probe connection would take an evapi slot and run
// the connection routes.
func (in *Instance) awaitListen(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if listening(in.EvapiPort) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("evapi port %d not listening after %v", in.EvapiPort, timeout)
		}
		select {
		case <-in.waitDone:
			return fmt.Errorf("kamailio exited before listening (%v)", in.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// listening reports whether 127.0.0.1:port is in LISTEN state.
func listening(port int) bool {
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		// Without procfs fall back to a connect probe.
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && f[1] == want && f[3] == "0A" {
			return true
		}
	}
	return false
}

// Dial opens an evapi client connection to the instance.
func (in *Instance) Dial() (*Conn, error) {
	return Dial(in.EvapiPort, 5*time.Second)
}

// Stop terminates Kamailio (SIGTERM, then SIGKILL to its process group after
// a grace period), waits for its stderr to close and removes the temporary
// directory. It is safe to call more than once.
func (in *Instance) Stop() {
	in.stop.Do(func() {
		pid := in.cmd.Process.Pid
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-in.waitDone:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			select {
			case <-in.waitDone:
			case <-time.After(5 * time.Second):
			}
		}
		select {
		case <-in.readDone:
		case <-time.After(3 * time.Second):
			// A child still holds stderr open.
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			select {
			case <-in.readDone:
			case <-time.After(3 * time.Second):
			}
		}
		os.RemoveAll(in.Dir)
	})
}

// Exited reports whether the Kamailio process has ended.
func (in *Instance) Exited() bool {
	select {
	case <-in.waitDone:
		return true
	default:
		return false
	}
}

// Lines returns the raw stderr lines captured so far.
func (in *Instance) Lines() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.lines...)
}

// Log returns every parsed log record captured so far.
func (in *Instance) Log() []LogLine { return ParseLog(in.Lines()) }

// ScriptLog returns the records written by the configuration. Call it after
// Stop to be sure every line has been read.
func (in *Instance) ScriptLog() []LogLine {
	var out []LogLine
	for _, l := range in.Log() {
		if l.Script() {
			out = append(out, l)
		}
	}
	return out
}

// Check is the result of `kamailio -c`.
type CheckResult struct {
	OK       bool     // exit status 0
	ExitCode int      // -1 when killed by the timeout
	Output   []string // stdout and stderr lines
	Diags    []Diag   // located errors, in output order
}

// Diag is an error Kamailio reported at a config position.
type Diag struct {
	Level  string
	Line   int // 1-based line in the checked config
	Column string
	Msg    string
}

var (
	diagRe   = regexp.MustCompile(`(CRITICAL|ERROR|WARNING): .*config file \S+, (?:from )?line (\d+), column ([0-9-]+)(?: to line \d+, column \d+)?: (.*)$`)
	fixCfgRe = regexp.MustCompile(`at cfg:\S+:(\d+)`)
	levelMsg = regexp.MustCompile(`(CRITICAL|ERROR|ALERT|BUG): (?:<[a-z]+>|[A-Za-z0-9_]+)(?: \[[^\]]*\])?: (.*)$`)
)

// Check runs `kamailio -c -f` on cfgText (placeholders substituted with
// fixed ports, since nothing binds) with a 20 second bound.
func Check(ctx context.Context, cfgText string) (*CheckResult, error) {
	dir, err := os.MkdirTemp("", "kamref-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	text := strings.ReplaceAll(cfgText, SIPPortPlaceholder, "5999")
	text = strings.ReplaceAll(text, EvapiPortPlaceholder, "5998")
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kamailio", "-c", "-Y", dir, "-f", cfgPath)
	cmd.Dir = dir
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	res := &CheckResult{ExitCode: cmd.ProcessState.ExitCode()}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("kamailio -c: %w", err)
	}
	res.OK = err == nil
	res.Output = strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	res.Diags = Diagnostics(res.Output)
	return res, nil
}

// Diagnostics extracts located errors ("config file F, line N, column C:
// msg") from Kamailio output.
func Diagnostics(lines []string) []Diag {
	var ds []Diag
	for _, l := range lines {
		if m := diagRe.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			ds = append(ds, Diag{Level: m[1], Line: n, Column: m[3], Msg: m[4]})
		}
	}
	return ds
}

// FirstError returns the line number (0 when unknown) and message of the
// first error in Kamailio output: a located diagnostic if there is one,
// otherwise the first ERROR/CRITICAL record, with a "at cfg:FILE:LINE"
// suffix (fixup failures) giving the line.
func FirstError(lines []string) (int, string) {
	if ds := Diagnostics(lines); len(ds) > 0 {
		return ds[0].Line, ds[0].Msg
	}
	for _, l := range lines {
		m := levelMsg.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		line := 0
		for _, l2 := range lines {
			if c := fixCfgRe.FindStringSubmatch(l2); c != nil {
				line, _ = strconv.Atoi(c[1])
				break
			}
		}
		return line, m[2]
	}
	return 0, ""
}
