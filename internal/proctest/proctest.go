// Package proctest runs the programs of this module as child processes of
// a test. Build compiles a main package once per test binary (with -race
// when the test binary has it, so that races in the child are caught too);
// Start runs it with its stderr collected; a Proc waits for log lines,
// sends signals, and is stopped when its test ends, failing the test when
// the child reported a data race. Every wait is bounded.
package proctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/internal/proc"
)

// StopWait is how long Stop waits for the process to exit after SIGTERM
// before it reports an error and kills it.
const StopWait = 10 * time.Second

var (
	buildMu  sync.Mutex
	buildDir string
	buildErr error
	built    = map[string]*build{}
)

type build struct {
	once sync.Once
	path string
	err  error
}

// Main runs the tests and then removes the binaries Build made. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	buildMu.Lock()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	buildMu.Unlock()
	os.Exit(code)
}

// Build compiles the main package pkg (an import path, or a directory
// relative to the test's package) once per test binary and returns the
// binary's path. It skips the test with -short.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs a binary")
	}
	buildMu.Lock()
	if buildDir == "" && buildErr == nil {
		buildDir, buildErr = os.MkdirTemp("", "kamgo-e2e-")
	}
	if buildErr != nil {
		buildMu.Unlock()
		t.Fatal(buildErr)
	}
	b := built[pkg]
	if b == nil {
		b = &build{path: filepath.Join(buildDir, fmt.Sprintf("bin%d-%s", len(built), filepath.Base(pkg)))}
		built[pkg] = b
	}
	buildMu.Unlock()
	b.once.Do(func() {
		args := []string{"build", "-o", b.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, pkg)
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Proc is a running child process whose stderr is collected line by line.
type Proc struct {
	t    testing.TB
	p    *proc.Process
	path string
	args []string
}

// Start runs the binary bin with args in dir. When the test ends the
// process is stopped, its stderr is logged if the test failed, and a data
// race it reported fails the test.
func Start(t testing.TB, bin, dir string, args ...string) *Proc {
	t.Helper()
	p, err := proc.Start(proc.Cmd{Path: bin, Args: args, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	pr := &Proc{t: t, p: p, path: bin, args: args}
	t.Cleanup(func() {
		pr.Stop()
		if t.Failed() {
			t.Logf("%s %s stderr:\n%s", filepath.Base(bin), strings.Join(args, " "), pr.Log())
		}
		if strings.Contains(pr.Log(), "WARNING: DATA RACE") {
			t.Errorf("the child process reported a data race:\n%s", pr.Log())
		}
	})
	return pr
}

// Path is the binary the process runs.
func (p *Proc) Path() string { return p.path }

// Log returns everything the process wrote to stderr so far, as lines.
func (p *Proc) Log() string { return strings.Join(p.p.Lines(), "\n") }

// Count returns how many stderr lines match re.
func (p *Proc) Count(re *regexp.Regexp) int { return p.p.Log().Count(re) }

// WaitFor waits until at least n stderr lines match re, and fails the test
// when that takes longer than d or the process exits first.
func (p *Proc) WaitFor(re *regexp.Regexp, n int, d time.Duration) {
	p.t.Helper()
	if err := p.Await(re, n, d); err != nil {
		p.t.Fatal(err)
	}
}

// Await is WaitFor returning an error instead of failing.
func (p *Proc) Await(re *regexp.Regexp, n int, d time.Duration) error {
	err := p.p.Log().Wait(re, n, d)
	if errors.Is(err, linelog.ErrClosed) {
		code, _ := p.Wait(d)
		return fmt.Errorf("%s exited (code %d) before %d lines matched %q", filepath.Base(p.path), code, n, re)
	}
	return err
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.p.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// Wait waits up to d for the process to exit and for its stderr to end,
// so that Log holds everything it wrote, and returns its exit code (-1
// when a signal ended it); ok is false when it is still running.
func (p *Proc) Wait(d time.Duration) (code int, ok bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	for _, ch := range []<-chan struct{}{p.p.Done(), p.p.Drained()} {
		select {
		case <-ch:
		case <-t.C:
			return 0, false
		}
	}
	code, _ = p.p.ExitCode()
	return code, true
}

// Stop sends SIGTERM and returns the exit code. A process still running
// StopWait later fails the test and is killed.
func (p *Proc) Stop() int {
	if !p.p.Exited() {
		_ = p.p.Signal(syscall.SIGTERM)
		if _, ok := p.Wait(StopWait); !ok {
			p.t.Errorf("%s did not stop within %v of SIGTERM; killing it", filepath.Base(p.path), StopWait)
		}
	}
	p.p.Stop()
	code, _ := p.p.ExitCode()
	return code
}

// Run runs bin with args in dir to completion, bounded by d, and returns
// its stdout and stderr interleaved, and its exit code.
func Run(t testing.TB, d time.Duration, bin, dir string, args ...string) (output string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p, err := proc.Run(ctx, proc.Cmd{Path: bin, Args: args, Dir: dir, Stdout: true})
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %s did not finish within %v:\n%s", filepath.Base(bin), strings.Join(args, " "), d, p.Log().Text())
	}
	code, err = p.ExitCode()
	if err != nil {
		t.Fatal(err)
	}
	return p.Log().Text(), code
}

// Addr returns a free 127.0.0.1 address from package freeport.
func Addr(t testing.TB) string {
	t.Helper()
	a, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// WriteFile replaces path atomically (write then rename, as editors do),
// so that a reload never reads half a file.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}
