// Package defaultconfig_test runs Debian's /etc/kamailio/kamailio.cfg,
// Kamailio's own default configuration, unchanged, with `kamgo run`: sipp
// phones register, call each other through the proxy and hang up, ask
// the proxy for an OPTIONS keepalive, and call a user who is not
// registered (sipp_test.go); kamcli reads and changes the registrations
// through jsonrpcs (kamcli_test.go). With the kamailio build tag the same
// file also runs in Kamailio 5.6.3, without defines, with WITH_ANTIFLOOD,
// WITH_NAT and WITH_PSTN, and both servers are sent the same messages
// (kamailio_test.go). The configuration is read where Debian installs
// it; without it, or without sipp, the tests are skipped (they fail
// instead with the kamailio tag); without kamcli its test is skipped.
package defaultconfig_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/proctest"
	"github.com/kamgo/kamgo/internal/siptest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

// defaultConfig is where Debian's kamailio package installs the file.
const defaultConfig = "/etc/kamailio/kamailio.cfg"

// configFile returns the default configuration's path, or skips.
func configFile(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat(defaultConfig); err != nil || !st.Mode().IsRegular() {
		siptest.Missing(t, requireTools, defaultConfig+" is not installed (Debian package kamailio)")
	}
	return defaultConfig
}

// newSipp finds sipp, or skips.
func newSipp(t *testing.T) *siptest.Sipp {
	t.Helper()
	return siptest.NewSipp(t, requireTools)
}

// listenArgs make a server listen on UDP and TCP at 127.0.0.1:port only;
// kamgo and Kamailio take the same -l.
func listenArgs(port int) []string {
	a := fmt.Sprintf("127.0.0.1:%d", port)
	return []string{"-l", "udp:" + a, "-l", "tcp:" + a}
}

// kamgo is the default configuration running in `kamgo run`.
type kamgo struct {
	port   int
	rundir string // -Y: where kamailio_ctl is
	proc   *proctest.Proc
}

// startKamgo runs the configuration file cfg with `kamgo run` on a free
// port, extra arguments before the file, and returns once kamgo says it
// runs it (after its listeners and the ctl and jsonrpcs sockets are up).
func startKamgo(t *testing.T, cfg string, extra ...string) *kamgo {
	t.Helper()
	k := &kamgo{port: siptest.FreePort(t), rundir: t.TempDir()}
	args := append([]string{"run"}, listenArgs(k.port)...)
	args = append(append(append(args, "-Y", k.rundir), extra...), cfg)
	k.proc = proctest.Start(t, proctest.Build(t, "github.com/kamgo/kamgo/cmd/kamgo"), t.TempDir(), args...)
	k.proc.WaitFor(regexp.MustCompile(`^INFO: <core>: kamgo \S+ running `+regexp.QuoteMeta(cfg)+`$`), 1, 15*time.Second)
	return k
}

// scenarioArgs are sipp's arguments to run testdata/file n times against
// the proxy at proxy from 127.0.0.1:local over UDP, with [service] set
// to service.
func scenarioArgs(t *testing.T, file string, proxy, local, n int, service string) []string {
	return append(siptest.SippArgs(siptest.Abs(t, filepath.Join("testdata", file)), proxy, local, n, 10), "-t", "u1", "-s", service)
}
