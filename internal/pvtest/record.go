//go:build kamailio

package pvtest

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// Record runs every case of f in the installed Kamailio and returns the
// script log of each case, in the Case.Log shape. env holds NAME=value
// entries for the process.
func Record(ctx context.Context, f *File, env ...string) ([][]string, error) {
	in, err := kamref.Start(ctx, f.Config(), kamref.Options{Env: env})
	if err != nil {
		if se, ok := err.(*kamref.StartError); ok {
			return nil, fmt.Errorf("%v\n%s", err, strings.Join(se.Log, "\n"))
		}
		return nil, err
	}
	defer in.Stop()
	conn, err := in.Dial()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for i := range f.Cases {
		if err := conn.Send(strconv.Itoa(i)); err != nil {
			return nil, err
		}
		if _, err := conn.Sync(10 * time.Second); err != nil {
			return nil, fmt.Errorf("case %d: %v\n%s", i, err, strings.Join(in.Lines(), "\n"))
		}
	}
	conn.Close()
	in.Stop()
	out := make([][]string, len(f.Cases))
	cur := -1
	for _, l := range in.Log() {
		if !l.Script() {
			if cur >= 0 && (l.Level == "ERROR" || l.Level == "WARNING") {
				out[cur] = append(out[cur], "# "+l.Level+": "+l.Origin+" "+firstLine(l.Text))
			}
			continue
		}
		if strings.HasPrefix(l.Text, "@@") {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(l.Text, "@@")))
			if err == nil && n < len(out) {
				cur = n
			}
			continue
		}
		if cur < 0 {
			continue
		}
		parts := strings.Split(l.Text, "\n")
		out[cur] = append(out[cur], l.Level+": "+parts[0])
		out[cur] = append(out[cur], parts[1:]...)
	}
	return out, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var update = flag.Bool("update", false, "rewrite the testdata case files from the installed Kamailio")

// RecordFile checks the file at path against the installed Kamailio: every
// case whose output Kamailio reproduces in two runs must match what is
// recorded (cases where Kamailio prints memory it should not, and so
// differs run to run, are not compared). With -update it rewrites the file
// from Kamailio instead. Cases named in skip are not compared: they are
// where Kamailio prints memory it should not (documented deviations that
// CheckFile skips too).
func RecordFile(ctx context.Context, path string, skip []string, env ...string) error {
	f, err := Load(path)
	if err != nil {
		return err
	}
	logs, err := Record(ctx, f, env...)
	if err != nil {
		return err
	}
	if *update {
		for i, c := range f.Cases {
			c.Log = logs[i]
		}
		return f.Save(path)
	}
	again, err := Record(ctx, f, env...)
	if err != nil {
		return err
	}
	var bad []string
	for i, c := range f.Cases {
		if !slices.Equal(logs[i], again[i]) || slices.Contains(skip, c.Name) {
			continue // not reproducible in Kamailio itself
		}
		if !slices.Equal(logs[i], c.Log) {
			bad = append(bad, fmt.Sprintf("%s:\n  kamailio %q\n  recorded %q", c.Name, logs[i], c.Log))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the live Kamailio's output differs from the recording (re-record with -update):\n%s", strings.Join(bad, "\n"))
	}
	return nil
}
