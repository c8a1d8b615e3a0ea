package siptest

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/proctest"
)

// SippWait bounds one sipp run; every scenario of the tests is a few
// messages.
const SippWait = 60 * time.Second

// Missing skips the test for a tool or file that is not installed, or
// fails it when require is set (the kamailio build tag's suites need
// every tool).
func Missing(t testing.TB, require bool, what string) {
	t.Helper()
	if require {
		t.Fatal(what)
	}
	t.Skip(what)
}

// Sipp is the installed sipp driving a server in a test.
type Sipp struct {
	t testing.TB
	// Bin is sipp's path.
	Bin string
	// Timeout is sipp's -timeout: how long one of its runs may last
	// before it gives up with an error; 30s by NewSipp.
	Timeout string
}

// NewSipp finds sipp on the PATH; without it the test is skipped, or
// failed with require (Missing).
func NewSipp(t testing.TB, require bool) *Sipp {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		Missing(t, require, "sipp is not installed (Debian package sip-tester)")
	}
	return &Sipp{t: t, Bin: p, Timeout: "30s"}
}

// Run runs sipp with args to completion, bounded by its Timeout and by
// SippWait, and fails the test unless every call succeeded.
func (s *Sipp) Run(args ...string) {
	s.t.Helper()
	args = append(args, "-nostdin", "-timeout", s.Timeout, "-timeout_error", "-max_recv_loops", "1000")
	out, code := proctest.Run(s.t, SippWait, s.Bin, s.t.TempDir(), args...)
	if code != 0 {
		s.t.Fatalf("sipp %v exited %d:\n%s", args, code, out)
	}
}

// Start runs sipp with args in the background (a UAS the test's calls
// reach), bounded by its Timeout; Wait checks how it ended.
func (s *Sipp) Start(args ...string) *proctest.Proc {
	s.t.Helper()
	args = append(args, "-nostdin", "-timeout", s.Timeout, "-timeout_error")
	return proctest.Start(s.t, s.Bin, s.t.TempDir(), args...)
}

// Wait waits (SippWait at most) for a sipp Start started to end, and
// fails the test unless every call succeeded.
func (s *Sipp) Wait(p *proctest.Proc) {
	s.t.Helper()
	if code, ok := p.Wait(SippWait); !ok || code != 0 {
		s.t.Fatalf("sipp %s: exit %d (ended %v):\n%s", p.Path(), code, ok, p.Log())
	}
}

// FreePort is a port from freeport, failing the test when none is left.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Abs is the absolute path of rel (a file of the test's package), for a
// process that runs in another directory.
func Abs(t testing.TB, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SippArgs are sipp's arguments to run the scenario file n times against
// the server at 127.0.0.1:server from 127.0.0.1:local, at rate calls a
// second.
func SippArgs(file string, server, local, n, rate int) []string {
	return []string{"-sf", file, "127.0.0.1:" + strconv.Itoa(server), "-i", "127.0.0.1", "-p", strconv.Itoa(local),
		"-m", strconv.Itoa(n), "-r", strconv.Itoa(rate)}
}
