// Package main's tests run the evapi-async-routing example with `kamgo run`
// and its routing application, and drive it with sipp: calls the
// application relays to a sipp UAS complete (INVITE, ACK and BYE), calls it
// rejects get its code, and with a silent application the proxy's timer
// answers 408. Without sipp installed the tests are skipped; with the
// kamailio build tag (the suite that needs every tool) they fail instead.
package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/internal/siptest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// newSipp finds sipp, skipping the test without it (failing it with the
// kamailio tag); a run may last 40s (the 408 scenarios wait for fr_timer).
func newSipp(t *testing.T) *siptest.Sipp {
	t.Helper()
	s := siptest.NewSipp(t, requireTools)
	s.Timeout = "40s"
	return s
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
	sp, ep := siptest.FreePort(t), siptest.FreePort(t)
	args := []string{"run", "-A", "SIP_PORT=" + strconv.Itoa(sp), "-A", fmt.Sprintf(`EVAPI_BIND="127.0.0.1:%d"`, ep), siptest.Abs(t, "kamailio.cfg")}
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

// calls relays n calls (testdata/uac-call.xml), to service, through the
// proxy to a sipp UAS.
func calls(t *testing.T, sipp *siptest.Sipp, p proxy, uasPort, n int) {
	t.Helper()
	uas := sipp.Start("-sn", "uas", "-i", "127.0.0.1", "-p", strconv.Itoa(uasPort), "-m", strconv.Itoa(n))
	scenario(t, sipp, "uac-call.xml", p, "service", n)
	sipp.Wait(uas)
}

// scenario runs a scenario file of testdata: n calls to user.
func scenario(t *testing.T, sipp *siptest.Sipp, file string, p proxy, user string, n int) {
	t.Helper()
	sipp.Run(append(siptest.SippArgs(siptest.Abs(t, filepath.Join("testdata", file)), p.sip, siptest.FreePort(t), n, 10), "-s", user)...)
}

// TestRelayedCalls: the application relays calls to service to the UAS;
// they complete, and the proxy logs each decision.
func TestRelayedCalls(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	p := startKamgo(t)
	uasPort := siptest.FreePort(t)
	startApp(t, p, "-rule", fmt.Sprintf("service=sip:127.0.0.1:%d", uasPort))
	calls(t, sipp, p, uasPort, 5)
	p.wait(regexp.MustCompile(`^INFO: <script>: relaying INVITE \(\S+\) to sip:127\.0\.0\.1:\d+$`), 5)
}

// TestRejectedCalls: a user no rule names gets the default, 404.
func TestRejectedCalls(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	p := startKamgo(t)
	startApp(t, p)
	scenario(t, sipp, "uac-404.xml", p, "nobody", 3)
	p.wait(regexp.MustCompile(`^INFO: <script>: rejecting INVITE \(\S+\) with 404$`), 3)
}

// TestSilentApplication: an application that never answers leaves the
// calls to the proxy's timer: 408 after fr_timer (5 s).
func TestSilentApplication(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	p := startKamgo(t)
	startApp(t, p, "-silent")
	scenario(t, sipp, "uac-408.xml", p, "service", 2)
}

// TestWrongLabel: an answer naming no transaction is logged and changes
// nothing; the call times out.
func TestWrongLabel(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	p := startKamgo(t)
	startApp(t, p, "-wrong-label")
	scenario(t, sipp, "uac-408.xml", p, "service", 1)
	p.wait(regexp.MustCompile(`^ERROR: <script>: no suspended transaction \d+:\d+$`), 1)
}
