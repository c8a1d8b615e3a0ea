// Package sipproxy_test runs examples/sip-proxy with `kamgo run` and drives
// it with sipp: OPTIONS and REGISTER answered by the proxy (UDP and TCP),
// and calls (INVITE, 180, 200, ACK, BYE, 200) relayed statelessly between
// a sipp UAC and a sipp UAS. Without sipp installed the tests are skipped;
// with the kamailio build tag they fail instead, as that suite runs
// everything against the real Kamailio too (kamailio_test.go).
package sipproxy_test

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

// sippWait bounds one sipp run; every scenario is a few messages.
const sippWait = 60 * time.Second

// sippBin returns sipp's path, skipping the test (failing it with the
// kamailio tag) when it is not installed.
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

// defines are the -A arguments that put the proxy on port and make it
// relay to nextHop.
func defines(port, nextHop int) []string {
	return []string{"-A", "SIP_PORT=" + strconv.Itoa(port), "-A", fmt.Sprintf(`NEXT_HOP="sip:127.0.0.1:%d"`, nextHop)}
}

// startKamgo runs the example with `kamgo run` on a free port, relaying
// to nextHop, and returns its port once it listens.
func startKamgo(t *testing.T, nextHop int) (int, *proctest.Proc) {
	t.Helper()
	p := port(t)
	args := append([]string{"run"}, defines(p, nextHop)...)
	proc := proctest.Start(t, proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo"), t.TempDir(), append(args, abs(t, "kamailio.cfg"))...)
	proc.WaitFor(regexp.MustCompile(fmt.Sprintf(`^INFO: <core>: listening on tcp:127\.0\.0\.1:%d$`, p)), 1, 15*time.Second)
	return p, proc
}

// sipp runs sipp to completion and fails the test unless every call
// succeeded.
func sipp(t *testing.T, bin string, args ...string) {
	t.Helper()
	args = append(args, "-nostdin", "-timeout", "30s", "-timeout_error", "-max_recv_loops", "1000")
	out, code := proctest.Run(t, sippWait, bin, t.TempDir(), args...)
	if code != 0 {
		t.Fatalf("sipp %v exited %d:\n%s", args, code, out)
	}
}

// scenario runs a sipp scenario file against the proxy at port: n calls
// over transport ("u1" UDP, "t1" TCP).
func scenario(t *testing.T, bin, file string, proxy int, transport string, n int) {
	t.Helper()
	sipp(t, bin, "-sf", abs(t, filepath.Join("testdata", file)), fmt.Sprintf("127.0.0.1:%d", proxy),
		"-i", "127.0.0.1", "-p", strconv.Itoa(port(t)), "-t", transport, "-m", strconv.Itoa(n), "-r", "20")
}

// calls relays n sipp calls (sipp's built-in UAC) through the proxy at
// proxy, to the UAS of testdata/uas.xml on uasPort.
func calls(t *testing.T, bin string, proxy, uasPort, n int) {
	t.Helper()
	uas := proctest.Start(t, bin, t.TempDir(), "-sf", abs(t, "testdata/uas.xml"), "-i", "127.0.0.1", "-p", strconv.Itoa(uasPort),
		"-m", strconv.Itoa(n), "-nostdin", "-timeout", "30s", "-timeout_error")
	sipp(t, bin, "-sn", "uac", fmt.Sprintf("127.0.0.1:%d", proxy), "-i", "127.0.0.1", "-p", strconv.Itoa(port(t)),
		"-m", strconv.Itoa(n), "-r", "20")
	if code, ok := uas.Wait(sippWait); !ok || code != 0 {
		t.Fatalf("sipp uas: exit %d (ended %v):\n%s", code, ok, uas.Log())
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	proxy, _ := startKamgo(t, port(t))
	scenario(t, bin, "options.xml", proxy, "u1", 5)
	scenario(t, bin, "options.xml", proxy, "t1", 3)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	proxy, _ := startKamgo(t, port(t))
	scenario(t, bin, "register.xml", proxy, "u1", 5)
}

// TestCalls: INVITE, ACK and BYE relayed by forward(), their replies by
// their Via; the proxy logs every one.
func TestCalls(t *testing.T) {
	t.Parallel()
	bin := sippBin(t)
	uasPort := port(t)
	proxy, proc := startKamgo(t, uasPort)
	calls(t, bin, proxy, uasPort, 3)
	for re, n := range map[string]int{
		`^INFO: <script>: INVITE sip:service@127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+ over udp$`: 3,
		`^INFO: <script>: sending (INVITE|ACK|BYE) to sip:127\.0\.0\.1:\d+$`:                   9,
		`^INFO: <script>: reply 200 OK for (INVITE|BYE) from 127\.0\.0\.1:\d+$`:                6,
	} {
		proc.WaitFor(regexp.MustCompile(re), n, 10*time.Second)
	}
}
