//go:build kamprobe

package interp

// A driver for probing the installed Kamailio while writing the evaluator:
// every $PROBE_DIR/*.cfg holds a route[TEST] appended to the conformance
// prelude; each is started, sent the lines of the matching .send file (or
// one "x") and its log is printed.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
	"github.com/kamgo/kamgo/spec/conformance"
)

func TestProbeKamailio(t *testing.T) {
	dir := os.Getenv("PROBE_DIR")
	files, _ := filepath.Glob(filepath.Join(dir, "*.cfg"))
	for _, f := range files {
		f := f
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			body, _ := os.ReadFile(f)
			sends := []string{"x"}
			if s, err := os.ReadFile(strings.TrimSuffix(f, ".cfg") + ".send"); err == nil {
				sends = strings.Split(strings.TrimSuffix(string(s), "\n"), "\n")
			}
			cfg := conformance.Prelude() + string(body)
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			var out strings.Builder
			chk, err := kamref.Check(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !chk.OK {
				l, m := kamref.FirstError(chk.Output)
				fmt.Fprintf(&out, "CHECK FAIL line %d: %s\n%s\n", l-conformance.PreludeLines(), m, strings.Join(chk.Output, "\n"))
				os.WriteFile(strings.TrimSuffix(f, ".cfg")+".out", []byte(out.String()), 0o644)
				return
			}
			in, err := kamref.Start(ctx, cfg, kamref.Options{Env: conformance.Env})
			if err != nil {
				fmt.Fprintf(&out, "START FAIL %v\n", err)
				if se, ok := err.(*kamref.StartError); ok {
					out.WriteString(strings.Join(se.Log, "\n"))
				}
				os.WriteFile(strings.TrimSuffix(f, ".cfg")+".out", []byte(out.String()), 0o644)
				return
			}
			conn, err := in.Dial()
			if err != nil {
				t.Fatal(err)
			}
			mark := len(in.Lines())
			for _, m := range sends {
				conn.Send(m)
				r, err := conn.Sync(10 * time.Second)
				for _, x := range r {
					fmt.Fprintf(&out, "RELAY %q\n", x)
				}
				if err != nil {
					fmt.Fprintf(&out, "SYNC ERR %v\n", err)
					break
				}
			}
			conn.Close()
			in.Stop()
			for _, l := range kamref.ParseLog(in.Lines()[mark:]) {
				fmt.Fprintf(&out, "%s %s %s\n", l.Level, l.Origin, l.Text)
			}
			os.WriteFile(strings.TrimSuffix(f, ".cfg")+".out", []byte(out.String()), 0o644)
		})
	}
}
