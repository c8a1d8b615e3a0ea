// Package main's tests run the evapi-async-routing example with `kamgo run`
// and its routing application, and drive it with sipp: calls the
// application relays to a sipp UAS complete (INVITE, ACK and BYE), calls it
// rejects get its code, and with a silent application the proxy's timer
// answers 408. Without sipp installed the tests are skipped; with the
// kamailio build tag (the suite that needs every tool) they fail instead.
package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/proctest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// sippWait bounds one sipp run.
const sippWait = 60 * time.Second

func sippBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		if requireTools {
			t.Fatal("sipp is not installed (Debian package sip-tester)")
		}
		t.Skip("sipp is not installed (Debian package sip-tester)")
	}
	return p
}

func port(t *testing.T) int {
	t.Helper()
	p, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func abs(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// proxy is a running example: its SIP port, its evapi port, and its log.
type proxy struct {
	sip, evapi int
	log        func() string
	wait       func(re *regexp.Regexp, n int)
}

// startKamgo runs the example with `kamgo run` on free ports.
func startKamgo(t *testing.T) proxy {
	t.Helper()
	sp, ep := port(t), port(t)
	args := []string{"run", "-A", "SIP_PORT=" + strconv.Itoa(sp), "-A", fmt.Sprintf(`EVAPI_BIND="127.0.0.1:%d"`, ep), abs(t, "kamailio.cfg")}
	proc := proctest.Start(t, proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo"), t.TempDir(), args...)
	proc.WaitFor(regexp.MustCompile(fmt.Sprintf(`^INFO: <core>: listening on udp:127\.0\.0\.1:%d$`, sp)), 1, 15*time.Second)
	return proxy{sip: sp, evapi: ep, log: proc.Log,
		wait: func(re *regexp.Regexp, n int) { proc.WaitFor(re, n, 15*time.Second) }}
}

// startApp runs the routing application against the proxy.
func startApp(t *testing.T, p proxy, args ...string) *proctest.Proc {
	t.Helper()
	bin := proctest.Build(t, "github.com/kamgo/kamgo/examples/evapi-async-routing")
	app := proctest.Start(t, bin, t.TempDir(), append([]string{"-addr", fmt.Sprintf("127.0.0.1:%d", p.evapi)}, args...)...)
	p.wait(regexp.MustCompile(`^INFO: <script>: application connected from 127\.0\.0\.1:\d+$`), 1)
	return app
}

// sipp runs sipp to completion and fails the test unless every call
// succeeded.
func sipp(t *testing.T, bin string, args ...string) {
	t.Helper()
	args = append(args, "-nostdin", "-timeout", "40s", "-timeout_error", "-max_recv_loops", "1000")
	out, code := proctest.Run(t, sippWait, bin, t.TempDir(), args...)
	if code != 0 {
		t.Fatalf("sipp %v exited %d:\n%s", args, code, out)
	}
}

// calls relays n calls (testdata/uac-call.xml), to service, through the
// proxy to a sipp UAS.
func calls(t *testing.T, bin string, p proxy, uasPort, n int) {
	t.Helper()
	uas := proctest.Start(t, bin, t.TempDir(), "-sn", "uas", "-i", "127.0.0.1", "-p", strconv.Itoa(uasPort),
		"-m", strconv.Itoa(n), "-nostdin", "-timeout", "40s", "-timeout_error")
	scenario(t, bin, "uac-call.xml", p, "service", n)
	if code, ok := uas.Wait(sippWait); !ok || code != 0 {
		t.Fatalf("sipp uas: exit %d (ended %v):\n%s", code, ok, uas.Log())
	}
}

// scenario runs a scenario file of testdata: n calls to user.
func scenario(t *testing.T, bin, file string, p proxy, user string, n int) {
	t.Helper()
	sipp(t, bin, "-sf", abs(t, filepath.Join("testdata", file)), fmt.Sprintf("127.0.0.1:%d", p.sip), "-i", "127.0.0.1",
		"-p", strconv.Itoa(port(t)), "-s", user, "-m", strconv.Itoa(n), "-r", "10")
}

// TestRelayedCalls: the application relays calls to service to the UAS;
// they complete, and the proxy logs each decision.
func TestRelayedCalls(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	p := startKamgo(t)
	uasPort := port(t)
	startApp(t, p, "-rule", fmt.Sprintf("service=sip:127.0.0.1:%d", uasPort))
	calls(t, bin, p, uasPort, 5)
	p.wait(regexp.MustCompile(`^INFO: <script>: relaying INVITE \(\S+\) to sip:127\.0\.0\.1:\d+$`), 5)
}

// TestRejectedCalls: a user no rule names gets the default, 404.
func TestRejectedCalls(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	p := startKamgo(t)
	startApp(t, p)
	scenario(t, bin, "uac-404.xml", p, "nobody", 3)
	p.wait(regexp.MustCompile(`^INFO: <script>: rejecting INVITE \(\S+\) with 404$`), 3)
}

// TestSilentApplication: an application that never answers leaves the
// calls to the proxy's timer: 408 after fr_timer (5 s).
func TestSilentApplication(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	p := startKamgo(t)
	startApp(t, p, "-silent")
	scenario(t, bin, "uac-408.xml", p, "service", 2)
}

// TestWrongLabel: an answer naming no transaction is logged and changes
// nothing; the call times out.
func TestWrongLabel(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	p := startKamgo(t)
	startApp(t, p, "-wrong-label")
	scenario(t, bin, "uac-408.xml", p, "service", 1)
	p.wait(regexp.MustCompile(`^ERROR: <script>: no suspended transaction \d+:\d+$`), 1)
}
