// Package sipproxy_test runs examples/sip-proxy with `kamgo run` and drives
// it with sipp: OPTIONS and REGISTER answered by the proxy (UDP and TCP),
// and calls (INVITE, 180, 200, ACK, BYE, 200) relayed statelessly between
// a sipp UAC and a sipp UAS. Without sipp installed the tests are skipped;
// with the kamailio build tag they fail instead, as that suite runs
// everything against the real Kamailio too (kamailio_test.go).
package sipproxy_test

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
// kamailio tag).
func newSipp(t *testing.T) *siptest.Sipp {
	t.Helper()
	return siptest.NewSipp(t, requireTools)
}

// defines are the -A arguments that put the proxy on port and make it
// relay to nextHop.
func defines(port, nextHop int) []string {
	return []string{"-A", "SIP_PORT=" + strconv.Itoa(port), "-A", fmt.Sprintf(`NEXT_HOP="sip:127.0.0.1:%d"`, nextHop)}
}

// startKamgo runs the example with `kamgo run` on a free port, relaying
// to nextHop, and returns its port once it listens.
func startKamgo(t *testing.T, nextHop int) (int, *proctest.Proc) {
	t.Helper()
	p := siptest.FreePort(t)
	args := append([]string{"run"}, defines(p, nextHop)...)
	proc := proctest.Start(t, proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo"), t.TempDir(), append(args, siptest.Abs(t, "kamailio.cfg"))...)
	proc.WaitFor(regexp.MustCompile(fmt.Sprintf(`^INFO: <core>: listening on tcp:127\.0\.0\.1:%d$`, p)), 1, 15*time.Second)
	return p, proc
}

// scenario runs a sipp scenario file against the proxy at port: n calls
// over transport ("u1" UDP, "t1" TCP).
func scenario(t *testing.T, sipp *siptest.Sipp, file string, proxy int, transport string, n int) {
	t.Helper()
	sipp.Run(append(siptest.SippArgs(siptest.Abs(t, filepath.Join("testdata", file)), proxy, siptest.FreePort(t), n, 20), "-t", transport)...)
}

// calls relays n sipp calls (sipp's built-in UAC) through the proxy at
// proxy, to the UAS of testdata/uas.xml on uasPort.
func calls(t *testing.T, sipp *siptest.Sipp, proxy, uasPort, n int) {
	t.Helper()
	uas := sipp.Start("-sf", siptest.Abs(t, "testdata/uas.xml"), "-i", "127.0.0.1", "-p", strconv.Itoa(uasPort), "-m", strconv.Itoa(n))
	sipp.Run("-sn", "uac", fmt.Sprintf("127.0.0.1:%d", proxy), "-i", "127.0.0.1", "-p", strconv.Itoa(siptest.FreePort(t)),
		"-m", strconv.Itoa(n), "-r", "20")
	sipp.Wait(uas)
}

func TestOptions(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	proxy, _ := startKamgo(t, siptest.FreePort(t))
	scenario(t, sipp, "options.xml", proxy, "u1", 5)
	scenario(t, sipp, "options.xml", proxy, "t1", 3)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	proxy, _ := startKamgo(t, siptest.FreePort(t))
	scenario(t, sipp, "register.xml", proxy, "u1", 5)
}

// TestCalls: INVITE, ACK and BYE relayed by forward(), their replies by
// their Via; the proxy logs every one.
func TestCalls(t *testing.T) {
	t.Parallel()
	sipp := newSipp(t)
	uasPort := siptest.FreePort(t)
	proxy, proc := startKamgo(t, uasPort)
	calls(t, sipp, proxy, uasPort, 3)
	for re, n := range map[string]int{
		`^INFO: <script>: INVITE sip:service@127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+ over udp$`: 3,
		`^INFO: <script>: sending (INVITE|ACK|BYE) to sip:127\.0\.0\.1:\d+$`:                   9,
		`^INFO: <script>: reply 200 OK for (INVITE|BYE) from 127\.0\.0\.1:\d+$`:                6,
	} {
		proc.WaitFor(regexp.MustCompile(re), n, 10*time.Second)
	}
}
