// Package proc owns the child processes that kamgo's tests and tools start
// and must end: a command runs in its own process group with its stderr
// (and, on request, its stdout) collected in a linelog.Log, and Stop ends
// it together with every process it started. Every wait is bounded, so a
// stuck child fails its caller instead of hanging it.
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/kamgo/kamgo/internal/linelog"
)

// DefaultGrace is how long Stop waits for the process to exit after
// SIGTERM, and then for its output to end, before it kills the whole group.
const DefaultGrace = 5 * time.Second

// Cmd describes a process to start.
type Cmd struct {
	Path string   // the executable
	Args []string // arguments, without the program name
	Dir  string   // working directory; "" is the caller's
	Env  []string // the whole environment; nil inherits the caller's
	// Stdout collects stdout in the log too, interleaved with stderr.
	Stdout bool
	// Grace overrides DefaultGrace.
	Grace time.Duration
}

// Process is a started Cmd.
type Process struct {
	cmd      *exec.Cmd
	log      linelog.Log
	grace    time.Duration
	out      *os.File      // read end of the output pipe
	done     chan struct{} // closed once the process has exited
	waitErr  error         // exec's Wait error, set before done closes
	readDone chan struct{} // closed once the output has ended
	stop     sync.Once
}

// Start starts c.
func Start(c Cmd) (*Process, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	cmd.Stderr = w
	if c.Stdout {
		cmd.Stdout = w
	}
	// A process group lets Stop reach children that outlive the process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("starting %s: %w", c.Path, err)
	}
	w.Close()
	p := &Process{cmd: cmd, grace: c.Grace, out: r, done: make(chan struct{}), readDone: make(chan struct{})}
	if p.grace <= 0 {
		p.grace = DefaultGrace
	}
	go func() {
		defer close(p.readDone)
		_, _ = io.Copy(&p.log, r)
		p.log.Close()
	}()
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Run starts c and waits until it exits or ctx ends, whichever is first;
// then it stops what is left and returns with the output complete. When
// ctx ended first the process was stopped (ExitCode is then usually -1);
// the caller checks ctx.Err().
func Run(ctx context.Context, c Cmd) (*Process, error) {
	p, err := Start(c)
	if err != nil {
		return nil, err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
	}
	p.Stop()
	return p, nil
}

// Pid is the process id, which is also its process group id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Log is the collected output. Lines keep arriving until the process and
// every child holding its stderr are gone.
func (p *Process) Log() *linelog.Log { return &p.log }

// Lines returns the complete output lines so far.
func (p *Process) Lines() []string { return p.log.Lines() }

// Signal sends sig to the process (not to its group).
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Drained is closed once the output has ended: the process and every child
// that held its stderr are gone, and Log holds everything they wrote.
func (p *Process) Drained() <-chan struct{} { return p.readDone }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err is exec's Wait error once the process has exited, such as "exit
// status 1"; nil before.
func (p *Process) Err() error {
	if !p.Exited() {
		return nil
	}
	return p.waitErr
}

// ExitCode returns the exit status once the process has exited: -1 when a
// signal ended it. The error is one from waiting that is not an exit
// status.
func (p *Process) ExitCode() (int, error) {
	if !p.Exited() {
		return 0, errors.New("proc: the process is still running")
	}
	if p.waitErr == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(p.waitErr, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, nil
		}
		return ee.ExitCode(), nil
	}
	return 0, p.waitErr
}

// Stop ends the process and waits for its output to end. A running process
// gets SIGTERM and the grace time to exit; then its whole group gets
// SIGKILL. Once it is gone, children still holding the output open get the
// grace time before the group is killed. Stop is idempotent and safe to
// call from several goroutines.
func (p *Process) Stop() {
	p.stop.Do(func() {
		pid := p.Pid()
		if !p.Exited() {
			_ = syscall.Kill(pid, syscall.SIGTERM)
			if !wait(p.done, p.grace) {
				_ = syscall.Kill(-pid, syscall.SIGKILL)
				wait(p.done, p.grace)
			}
		}
		if !wait(p.readDone, p.grace) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			if !wait(p.readDone, p.grace) {
				// A process outside the group holds the output: stop
				// reading it.
				p.out.Close()
				<-p.readDone
			}
		}
	})
}

// wait reports whether ch closed within d.
func wait(ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}
