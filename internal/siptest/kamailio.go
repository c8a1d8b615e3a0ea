package siptest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// Target is a running server a scenario drives: kamgo in this process
// (Server) or the installed Kamailio (Kamailio).
type Target interface {
	// SIPAddr is the server's SIP address, "127.0.0.1:PORT".
	SIPAddr() string
	// Advance lets d pass for the server's timers: kamgo's fake clock
	// moves, Kamailio's real one is waited for.
	Advance(d time.Duration)
	// WaitLog waits until n log lines match re.
	WaitLog(t testing.TB, re string, n int)
	// Lines are the log records so far as "LEVEL: origin: text", the
	// script's with origin "script".
	Lines() []string
}

// Prelude is the head of the configurations the differential tests run
// on both servers: Kamailio's logging to stderr, one SIP listener on UDP,
// no DNS, Debian's module path.
const Prelude = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%%SIP_PORT%%
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
`

// EvapiProbe loads evapi on the port StartKamailio waits for, the sign
// that Kamailio is up.
const EvapiProbe = `loadmodule "evapi.so"
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// KamailioHeader is Prelude with a one-worker EvapiProbe: the whole head
// of a configuration that only Kamailio runs.
const KamailioHeader = Prelude + `loadmodule "evapi.so"
modparam("evapi", "workers", 1)
modparam("evapi", "bind_addr", "127.0.0.1:%%EVAPI_PORT%%")
`

// CtlPath is the placeholder StartKamailio fills with the path of a unix
// socket in the test's temporary directory, for ctl's binrpc.
const CtlPath = "%%CTL_PATH%%"

// Ctl loads ctl serving binrpc on CtlPath: what Kamcmd needs.
const Ctl = `loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:` + CtlPath + `")
`

// Kamailio is the installed Kamailio running a configuration; it stops
// at the end of the test, or earlier with Stop.
type Kamailio struct {
	*kamref.Instance
	// CtlSocket is the path filled for CtlPath; empty when the
	// configuration has none.
	CtlSocket string
}

// StartKamailio runs cfg, its placeholders SIPPort and EvapiPort filled
// with free ports after the pairs of subst are replaced, and waits for
// its evapi listener (cfg must load evapi on EvapiPort: EvapiProbe). A
// Kamailio that does not start fails the test with its log.
func StartKamailio(t testing.TB, cfg string, subst ...string) *Kamailio {
	t.Helper()
	if len(subst) > 0 {
		cfg = strings.NewReplacer(subst...).Replace(cfg)
	}
	var ctl string
	if strings.Contains(cfg, CtlPath) {
		ctl = filepath.Join(t.TempDir(), "ctl.sock")
		cfg = strings.ReplaceAll(cfg, CtlPath, ctl)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := kamref.Start(ctx, cfg, kamref.Options{})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			t.Fatalf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	return &Kamailio{Instance: in, CtlSocket: ctl}
}

// Kamcmd runs kamcmd with args on the ctl socket (the configuration must
// load Ctl) and returns what it printed, a fault as "error: CODE - TEXT".
// ctl may open its socket after the evapi probe answers: it waits, Wait
// at most, for the socket to be there.
func (k *Kamailio) Kamcmd(t testing.TB, args ...string) string {
	t.Helper()
	if k.CtlSocket == "" {
		t.Fatal("Kamcmd: the configuration loads no Ctl")
	}
	if !Poll(func() bool { _, err := os.Stat(k.CtlSocket); return err == nil }) {
		t.Fatalf("Kamcmd: no socket %s", k.CtlSocket)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*Wait)
	defer cancel()
	out, err := kamref.Kamcmd(ctx, k.CtlSocket, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SIPAddr is Kamailio's SIP address.
func (k *Kamailio) SIPAddr() string { return "127.0.0.1:" + strconv.Itoa(k.SIPPort) }

// Advance waits d: Kamailio's timers run on the real clock.
func (k *Kamailio) Advance(d time.Duration) { time.Sleep(d) }

// WaitLog waits until n log lines match re, failing the test after Wait.
// Kamailio's lines come through a pipe nobody signals on: it looks
// every 10ms.
func (k *Kamailio) WaitLog(t testing.TB, re string, n int) {
	t.Helper()
	r := regexp.MustCompile(re)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(Wait)
	for {
		got := 0
		for _, l := range k.Lines() {
			if r.MatchString(l) {
				got++
			}
		}
		if got >= n {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("Kamailio never logged %q:\n%s", re, strings.Join(k.Lines(), "\n"))
		}
	}
}

// Lines are Kamailio's log records as "LEVEL: origin: text".
func (k *Kamailio) Lines() []string {
	var out []string
	for _, l := range k.Log() {
		out = append(out, l.Level+": "+strings.Trim(l.Origin, "<>")+": "+l.Text)
	}
	return out
}

var _ Target = (*Kamailio)(nil)
