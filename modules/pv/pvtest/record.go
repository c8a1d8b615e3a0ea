//go:build kamailio

package pvtest

import (
	"context"
	"fmt"
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

// RecordFile records the file at path from Kamailio and rewrites it.
func RecordFile(ctx context.Context, path string, env ...string) error {
	f, err := Load(path)
	if err != nil {
		return err
	}
	logs, err := Record(ctx, f, env...)
	if err != nil {
		return err
	}
	for i, c := range f.Cases {
		c.Log = logs[i]
	}
	return f.Save(path)
}
