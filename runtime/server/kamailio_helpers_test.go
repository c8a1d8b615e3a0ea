//go:build kamailio

package server_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/runtime/server"
)

// The Kamailio comparisons of this package run one configuration (with
// kamref's SIP port placeholder) in both servers and read their logs.

// startKamailioSIP runs cfg in Kamailio on a free port until the test
// ends.
func startKamailioSIP(t *testing.T, cfg string) *kamref.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in, err := kamref.StartSIP(ctx, cfg, kamref.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Stop)
	return in
}

// startKamgoSIP runs cfg in kamgo on a free port until the test ends: its
// modules and its SIP sockets. It returns the port and the log.
func startKamgoSIP(t *testing.T, cfg string) (int, *syncBuf) {
	t.Helper()
	_, port, out := startKamgoServer(t, cfg)
	return port, out
}

// startKamgoServer is startKamgoSIP that also returns the server.
func startKamgoServer(t *testing.T, cfg string) (*server.Server, int, *syncBuf) {
	t.Helper()
	srv, port, out := startKamgoModules(t, cfg)
	if err := srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.StopSIP(context.Background()) })
	return srv, port, out
}

// startKamgoModules loads cfg in kamgo with a free SIP port and starts
// its modules, not its SIP sockets, until the test ends.
func startKamgoModules(t *testing.T, cfg string) (*server.Server, int, *syncBuf) {
	t.Helper()
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	srv, out := loadPrefixed(t, strings.ReplaceAll(cfg, kamref.SIPPortPlaceholder, strconv.Itoa(port)))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(context.Background()) })
	return srv, port, out
}

// kamailioLines waits until done accepts Kamailio's log, read as kamgo
// prints its lines ("LEVEL: PREFIX<origin>: text"), and returns it; the
// wait is bounded.
func kamailioLines(t *testing.T, in *kamref.Instance, done func(lines []string) bool) []string {
	t.Helper()
	for range 500 {
		var lines []string
		for _, l := range kamref.ParseLog(in.Lines()) {
			origin := l.Origin
			if !strings.HasPrefix(origin, "<") {
				origin = "<" + origin + ">"
			}
			lines = append(lines, l.Level+": "+l.Prefix+origin+": "+l.Text)
		}
		if done(lines) {
			return lines
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("Kamailio logged %q", in.Lines())
	return nil
}

// scriptAndErrors keeps the script's lines of a log (from "<script>: " on)
// and the ERROR lines of the given origins ("core", "pv"), in order, one
// per line.
func scriptAndErrors(lines []string, origins ...string) string {
	var keep []string
	for _, l := range lines {
		if i := strings.Index(l, "<script>: "); i >= 0 {
			keep = append(keep, l[i:])
			continue
		}
		for _, o := range origins {
			if strings.HasPrefix(l, "ERROR: <"+o+">: ") {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}
