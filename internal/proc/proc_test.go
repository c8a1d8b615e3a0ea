package proc

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/linelog"
)

func sh(script string) Cmd {
	return Cmd{Path: "/bin/sh", Args: []string{"-c", script}, Grace: 100 * time.Millisecond}
}

func TestRunOutputAndExitCode(t *testing.T) {
	for _, tc := range []struct {
		stdout bool
		want   []string
	}{
		{false, []string{"err 1", "err 2"}},
		{true, []string{"out", "err 1", "err 2"}},
	} {
		c := sh("echo out; echo err 1 >&2; printf 'err 2' >&2; exit 3")
		c.Stdout = tc.stdout
		p, err := Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Lines(); !slices.Equal(got, tc.want) {
			t.Errorf("stdout %v: lines %q, want %q", tc.stdout, got, tc.want)
		}
		if code, err := p.ExitCode(); code != 3 || err != nil {
			t.Errorf("exit code %d, %v", code, err)
		}
		if p.Err() == nil || p.Err().Error() != "exit status 3" {
			t.Errorf("Err() = %v", p.Err())
		}
	}
}

func TestEnvAndDir(t *testing.T) {
	c := sh(`echo "$KAMGO_X $(pwd)" >&2`)
	c.Env = []string{"KAMGO_X=x"}
	c.Dir = t.TempDir()
	p, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Lines(); len(got) != 1 || got[0] != "x "+c.Dir {
		t.Errorf("lines %q", got)
	}
}

func TestKilledBySignal(t *testing.T) {
	p, err := Run(context.Background(), sh("kill -9 $$"))
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.ExitCode(); code != -1 || err != nil {
		t.Errorf("exit code %d, %v; want -1", code, err)
	}
}

// TestRunContextEnds: a process still running when ctx ends is stopped.
func TestRunContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := Run(ctx, sh("exec sleep 600"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Exited() {
		t.Fatal("still running")
	}
	if code, _ := p.ExitCode(); code != -1 {
		t.Errorf("exit code %d, want -1", code)
	}
}

func TestStartFails(t *testing.T) {
	if _, err := Start(Cmd{Path: "/nonexistent/kamailio"}); err == nil {
		t.Fatal("started a missing binary")
	}
}

// TestStopIgnoringTERM: a process that ignores SIGTERM is killed with its
// group after the grace time.
func TestStopIgnoringTERM(t *testing.T) {
	p, err := Start(sh(`trap "" TERM; echo ready >&2; while :; do sleep 1; done`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Log().Wait(regexp.MustCompile(`^ready$`), 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if p.Exited() || p.Err() != nil {
		t.Fatal("exited early")
	}
	if _, err := p.ExitCode(); err == nil {
		t.Error("an exit code while running")
	}
	p.Stop()
	p.Stop()
	if code, _ := p.ExitCode(); code != -1 {
		t.Errorf("exit code %d, want -1", code)
	}
}

// TestStopReapsOrphans: a child that outlives the process and holds its
// stderr is killed too, and Stop returns.
func TestStopReapsOrphans(t *testing.T) {
	p, err := Start(sh(`(trap "" TERM; echo child >&2; while :; do sleep 1; done) & echo parent >&2; exit 0`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Log().Wait(regexp.MustCompile(`^child$`), 1, 5*time.Second); err != nil {
		t.Fatal(err, p.Lines())
	}
	<-p.Done()
	p.Stop()
	// The output ended, so the child that held it is gone.
	if err := p.Log().Wait(regexp.MustCompile(`never`), 1, time.Minute); !errors.Is(err, linelog.ErrClosed) {
		t.Errorf("the output is still open: %v", err)
	}
	if got := p.Lines(); !slices.Contains(got, "parent") {
		t.Errorf("lines %q", got)
	}
}

// TestSignal: a signal reaches the process, not its group.
func TestSignal(t *testing.T) {
	p, err := Start(sh(`trap 'echo hup >&2; exit 7' HUP; echo ready >&2; while :; do sleep 1 & wait; done`))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.Log().Wait(regexp.MustCompile(`^ready$`), 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := p.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	<-p.Done()
	if code, _ := p.ExitCode(); code != 7 {
		t.Errorf("exit code %d, want 7", code)
	}
}
