//go:build kamailio

package conformance

// The Kamailio runner: every case runs in its own Kamailio 5.6.3 (a fresh
// process per case, as the in-process runner uses a fresh server), and what
// Kamailio did is compared with the recording; with -update the recording
// is rewritten instead.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "rewrite the check, log, relay and corelog sections from what Kamailio did")

// TestMain raises the default test parallelism to 4 Kamailios at once and
// removes the variables the cases read as unset.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
	}
	for _, name := range Unset {
		_ = os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// TestKamailio runs every case against the installed Kamailio.
func TestKamailio(t *testing.T) {
	if _, err := exec.LookPath("kamailio"); err != nil {
		t.Fatalf("kamailio is not installed: %v", err)
	}
	cases, err := Load(".")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				got, err := record(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if *update {
					c.Check, c.Log, c.Relay, c.CoreLog = got.Check, got.Log, got.Relay, got.CoreLog
					if c.Check != "" {
						c.Send, c.SIP = nil, nil
					}
					if err := c.Save("."); err != nil {
						t.Fatal(err)
					}
					return
				}
				for _, d := range differences(c, got) {
					t.Error(d)
				}
			})
		}
	})
	t.Logf("%d cases in %v", len(cases), time.Since(start).Round(time.Second))
}

// differences lists where got, what Kamailio did, differs from the
// recording c. Sections whose output varies are not compared.
func differences(c, got Case) []string {
	var out []string
	if got.Check != c.Check {
		out = append(out, fmt.Sprintf("check:\n got  %q\n want %q", got.Check, c.Check))
	}
	for _, s := range []struct {
		name      string
		got, want []string
	}{{"log", got.Log, c.Log}, {"relay", got.Relay, c.Relay}, {"corelog", got.CoreLog, c.CoreLog}} {
		if _, varies := c.Varies[s.name]; !varies && !slices.Equal(s.got, s.want) {
			out = append(out, fmt.Sprintf("%s:\n got  %q\n want %q", s.name, s.got, s.want))
		}
	}
	return out
}

// record runs one case against Kamailio and returns what it did, in the
// shape of a Case.
func record(ctx context.Context, c Case) (Case, error) {
	var got Case
	chk, err := kamref.Check(ctx, c.ConfigTemplate())
	if err != nil {
		return got, err
	}
	if !chk.OK {
		line, msg := kamref.FirstError(chk.Output)
		got.Check = fmt.Sprintf("reject %d %s", relLine(line), cleanPath(msg))
		return got, nil
	}
	in, conn, err := launch(ctx, c)
	var se *kamref.StartError
	if errors.As(err, &se) && strings.HasPrefix(se.Reason, "kamailio exited") {
		line, msg := kamref.FirstError(se.Log)
		got.Check = fmt.Sprintf("startup %d %s", relLine(line), cleanPath(msg))
		return got, nil
	}
	if err != nil {
		return got, err
	}
	defer in.Stop()
	defer conn.Close()
	mark := len(in.Lines())
	fail := func(what string, err error) (Case, error) {
		in.Stop()
		return got, fmt.Errorf("%s: %v\n%s", what, err, strings.Join(in.Lines(), "\n"))
	}
	// A verdict must not rest on how the listener was found: a refusing
	// Kamailio has once passed for a listening one under load. A first
	// round trip proves this one serves; an exit instead is the start-up
	// verdict.
	first, err := conn.Sync(10 * time.Second)
	if err != nil {
		in.Stop()
		if in.Refused() {
			line, msg := kamref.FirstError(in.Lines())
			got.Check = fmt.Sprintf("startup %d %s", relLine(line), cleanPath(msg))
			return got, nil
		}
		return fail("first sync", err)
	}
	got.Relay = append(got.Relay, first...)
	for i, msg := range c.Send {
		if err := conn.Send(msg); err != nil {
			return got, err
		}
		relays, err := conn.Sync(10 * time.Second)
		if err != nil {
			return fail(fmt.Sprintf("message %d %q", i+1, msg), err)
		}
		got.Relay = append(got.Relay, relays...)
	}
	if c.SIP != nil {
		// The dispatcher relays only to connections it has accepted: a
		// first #sync round trip makes sure it has accepted this one.
		if _, err := conn.Sync(10 * time.Second); err != nil {
			return fail("sync before the sip message", err)
		}
		relays, err := sendSIP(conn, in.SIPPort, c.SIPMessage(), 10*time.Second)
		if err != nil {
			return fail("sip message", err)
		}
		got.Relay = append(got.Relay, relays...)
	}
	conn.Close()
	in.Stop()
	lines := in.Lines()
	for _, l := range kamref.ParseLog(lines) {
		if l.Script() {
			parts := strings.Split(l.Text, "\n")
			got.Log = append(got.Log, l.Level+": "+parts[0])
			got.Log = append(got.Log, parts[1:]...)
		}
	}
	got.CoreLog = coreLog(kamref.ParseLog(lines[mark:]))
	return got, nil
}

// launch starts Kamailio with c's config and connects to its evapi port;
// a *kamref.StartError means Kamailio did not start. Another process may
// take a picked port before Kamailio binds it, or hold it while Kamailio's
// dispatcher fails to bind it, so a start that fails that way, or a
// connection that is refused, is tried again on new ports.
func launch(ctx context.Context, c Case) (*kamref.Instance, *kamref.Conn, error) {
	for attempt := 0; ; attempt++ {
		in, err := kamref.Start(ctx, c.ConfigTemplate(), kamref.Options{Env: Env})
		var se *kamref.StartError
		switch {
		case errors.As(err, &se) && attempt < 3 && portTaken(se.Log):
			continue
		case errors.As(err, &se) && !strings.HasPrefix(se.Reason, "kamailio exited"):
			return nil, nil, fmt.Errorf("%v\n%s", err, strings.Join(se.Log, "\n"))
		case err != nil:
			return nil, nil, err
		}
		conn, err := in.Dial()
		if err == nil {
			return in, conn, nil
		}
		in.Stop()
		if attempt >= 3 {
			return nil, nil, fmt.Errorf("%v\n%s", err, strings.Join(in.Lines(), "\n"))
		}
	}
}

// portTaken reports whether Kamailio failed because another process took
// a port between picking and binding: the SIP listener reports the errno,
// evapi's dispatcher only that bind or listen failed.
func portTaken(log []string) bool {
	text := strings.Join(log, "\n")
	return strings.Contains(text, "Address already in use") ||
		strings.Contains(text, "evapi_run_dispatcher(): listen error") ||
		strings.Contains(text, "cannot bind to local address and port")
}

// sendSIP sends msg over UDP to Kamailio's SIP port and waits for the
// "#sync" relay the route handling it sends when done; it returns the
// payloads relayed before.
func sendSIP(conn *kamref.Conn, port int, msg string, timeout time.Duration) ([]string, error) {
	u, err := net.Dial("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	defer u.Close()
	if _, err := u.Write([]byte(msg)); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	var relays []string
	for {
		p, err := conn.Recv(time.Until(deadline))
		if err != nil {
			return relays, err
		}
		if p == kamref.SyncMessage {
			return relays, nil
		}
		relays = append(relays, p)
	}
}

// coreLog picks the errors and warnings that did not come from the script,
// up to Kamailio's shutdown.
func coreLog(recs []kamref.LogLine) []string {
	var out []string
	for _, l := range recs {
		if l.Origin == "<core>" && strings.Contains(l.Text, "signal 15") || strings.Contains(l.Text, "Thank you for flying") {
			break
		}
		if l.Rank == 0 {
			// The main process: the case's routes run in the workers;
			// what the main process prints it prints while it starts (a
			// constant expression it fails to optimize), and a start-up
			// line may reach the reader after the mark taken once the
			// listener is up.
			continue
		}
		if !l.Script() && (l.Level == "ERROR" || l.Level == "WARNING" || l.Level == "CRITICAL" || l.Level == "BUG" || l.Level == "ALERT") {
			out = append(out, cleanPath(l.Level+": "+l.Origin+" "+l.Text))
		}
	}
	return out
}

// tmpCfg matches the temporary config path Kamailio names in messages.
var tmpCfg = regexp.MustCompile(`/\S*/kamref-[^/]*/`)

// cleanPath drops the temporary directory from a message so that
// recordings do not change from run to run.
func cleanPath(s string) string { return tmpCfg.ReplaceAllString(s, "") }

// relLine converts a line of the full config to a line of the cfg section;
// 0 means unknown or inside the prelude.
func relLine(line int) int {
	if line <= PreludeLines() {
		return 0
	}
	return line - PreludeLines()
}
