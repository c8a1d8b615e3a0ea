package kamref

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamc"
	"github.com/kamgo/kamgo/internal/proc"
)

// Options configures Start. The zero value is usable.
type Options struct {
	// Binary is the kamailio executable; kamc.Path() by default.
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

// FreePort returns a port on 127.0.0.1 that was free for TCP and UDP a
// moment ago (the SIP listener uses both); see package freeport.
func FreePort() (int, error) { return freeport.Pick() }

// Instance is a running Kamailio.
type Instance struct {
	SIPPort, EvapiPort int
	Dir                string // temporary directory holding the config

	p *proc.Process
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
	bin := opts.Binary
	if bin == "" {
		if bin, err = kamc.Path(); err != nil {
			return nil, err
		}
	}
	dir, cfgPath, err := writeConfig("", cfgText, opts.SIPPort, opts.EvapiPort)
	if err != nil {
		return nil, err
	}
	p, err := proc.Start(proc.Cmd{
		Path: bin,
		Args: append([]string{"-DD", "-E", "-Y", dir, "-f", cfgPath}, opts.Args...),
		Dir:  dir,
		Env:  append(os.Environ(), opts.Env...),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("kamailio start: %w", err)
	}
	in := &Instance{SIPPort: opts.SIPPort, EvapiPort: opts.EvapiPort, Dir: dir, p: p}
	if err := in.awaitListen(ctx, opts.StartTimeout); err != nil {
		in.Stop()
		return nil, &StartError{Reason: err.Error(), Log: in.Lines()}
	}
	return in, nil
}

// awaitListen polls /proc/net/tcp for the evapi listener rather than
// connecting, because a probe connection would take an evapi slot and run
// the connection routes. The listener must belong to this Kamailio (a
// process of its group): a port picked free can still be taken by a
// process that did not pick it through freeport, and a Kamailio that fails
// at start-up must not be taken for one that listens.
func (in *Instance) awaitListen(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if listening(in.EvapiPort, in.p.Pid()) {
			return nil
		}
		if time.Now().After(deadline) {
			// A Kamailio that refused its configuration is on its way
			// out; on a busy machine its exit can take longer than the
			// wait for the port. Give it the time, so that the refusal
			// is reported as one.
			if refused(in.Lines()) {
				select {
				case <-in.p.Done():
					return fmt.Errorf("kamailio exited before listening (%v)", in.p.Err())
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(timeout):
				}
			}
			return fmt.Errorf("evapi port %d not listening after %v", in.EvapiPort, timeout)
		}
		select {
		case <-in.p.Done():
			return fmt.Errorf("kamailio exited before listening (%v)", in.p.Err())
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Refused reports whether this Kamailio's log says it refused its
// configuration.
func (in *Instance) Refused() bool { return refused(in.Lines()) }

// refused reports whether Kamailio's log says it refused its
// configuration and will exit.
func refused(lines []string) bool {
	for _, l := range lines {
		if strings.Contains(l, "while trying to fix configuration") || strings.Contains(l, "bad config file") {
			return true
		}
	}
	return false
}

// listening reports whether a process of group pgid has a socket in LISTEN
// state on 127.0.0.1:port.
func listening(port, pgid int) bool {
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
		if len(f) > 9 && f[1] == want && f[3] == "0A" {
			return groupHolds(pgid, "socket:["+f[9]+"]")
		}
	}
	return false
}

// groupHolds reports whether a process of group pgid has a file descriptor
// whose link reads target.
func groupHolds(pgid int, target string) bool {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || processGroup(pid) != pgid {
			continue
		}
		dir := "/proc/" + p.Name() + "/fd/"
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(dir + fd.Name()); err == nil && link == target {
				return true
			}
		}
	}
	return false
}

// processGroup returns the process group of pid from /proc/PID/stat, or -1.
func processGroup(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name in parentheses may hold spaces: fields count from
	// the last ')': state, ppid, pgrp.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 3 {
		return -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return g
}

// Dial opens an evapi client connection to the instance.
func (in *Instance) Dial() (*Conn, error) {
	return Dial(in.EvapiPort, 5*time.Second)
}

// Stop terminates Kamailio (SIGTERM, then SIGKILL to its process group after
// a grace period), waits for its stderr to close and removes the temporary
// directory. It is safe to call more than once.
func (in *Instance) Stop() {
	in.p.Stop()
	os.RemoveAll(in.Dir)
}

// Exited reports whether the Kamailio process has ended.
func (in *Instance) Exited() bool { return in.p.Exited() }

// Lines returns the raw stderr lines captured so far.
func (in *Instance) Lines() []string { return in.p.Lines() }

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
