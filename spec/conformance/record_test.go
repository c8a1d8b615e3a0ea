//go:build kamailio

package conformance

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

var update = flag.Bool("update", false, "rewrite the check, log, relay and corelog sections from what Kamailio did")

// TestMain raises the default test parallelism to 4 Kamailios at once.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "4")
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
				if err := c.Save("."); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got.Check != c.Check {
				t.Errorf("check:\n got  %q\n want %q", got.Check, c.Check)
			}
			if !slices.Equal(got.Log, c.Log) {
				t.Errorf("log:\n got  %q\n want %q", got.Log, c.Log)
			}
			if !slices.Equal(got.Relay, c.Relay) {
				t.Errorf("relay:\n got  %q\n want %q", got.Relay, c.Relay)
			}
		})
	}
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
	var in *kamref.Instance
	for attempt := 0; ; attempt++ {
		in, err = kamref.Start(ctx, c.ConfigTemplate(), kamref.Options{Env: Env})
		var se *kamref.StartError
		if err == nil {
			break
		}
		if !errors.As(err, &se) {
			return got, err
		}
		// Another process may have taken a port between picking and binding.
		if attempt < 3 && strings.Contains(strings.Join(se.Log, "\n"), "Address already in use") {
			continue
		}
		if !strings.HasPrefix(se.Reason, "kamailio exited") {
			return got, fmt.Errorf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		line, msg := kamref.FirstError(se.Log)
		got.Check = fmt.Sprintf("startup %d %s", relLine(line), cleanPath(msg))
		return got, nil
	}
	defer in.Stop()
	conn, err := in.Dial()
	if err != nil {
		return got, err
	}
	defer conn.Close()
	mark := len(in.Lines())
	for i, msg := range c.Send {
		if err := conn.Send(msg); err != nil {
			return got, err
		}
		relays, err := conn.Sync(10 * time.Second)
		if err != nil {
			in.Stop()
			return got, fmt.Errorf("message %d %q: %v\n%s", i+1, msg, err, strings.Join(in.Lines(), "\n"))
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
	for _, l := range kamref.ParseLog(lines[mark:]) {
		if l.Origin == "<core>" && strings.Contains(l.Text, "signal 15") || strings.Contains(l.Text, "Thank you for flying") {
			break
		}
		if !l.Script() && (l.Level == "ERROR" || l.Level == "WARNING" || l.Level == "CRITICAL" || l.Level == "BUG" || l.Level == "ALERT") {
			got.CoreLog = append(got.CoreLog, cleanPath(l.Level+": "+l.Origin+" "+l.Text))
		}
	}
	return got, nil
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
