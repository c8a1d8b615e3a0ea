package preproc

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time; on a loaded machine it
// is a steadier measure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkProcess(b *testing.B) {
	src, err := os.ReadFile("/etc/kamailio/kamailio.cfg")
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	c0, n := cpuTime(), 0
	for b.Loop() {
		n++
		r := Process("/etc/kamailio/kamailio.cfg", src, Options{})
		if len(r.Diags) != 0 {
			b.Fatal(r.Diags)
		}
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-c0)/float64(n), "cpu-ns/op")
	}
}

// FuzzProcess checks that any input ends in one EOF token without a panic
// or a hang, and that tokens point inside the sources they name.
func FuzzProcess(f *testing.F) {
	f.Add([]byte("#!define X 1\nX"))
	f.Fuzz(func(t *testing.T, src []byte) {
		files := map[string][]byte{"inc.cfg": []byte("#!define I 1\nI \"s\" $x(y)\n")}
		r := Process("main.cfg", src, Options{
			ReadFile: func(p string) ([]byte, error) {
				if b, ok := files[p]; ok {
					return b, nil
				}
				return nil, os.ErrNotExist
			},
			Env: func(string) (string, bool) { return "v", true },
		})
		n := len(r.Tokens)
		if n == 0 || r.Tokens[n-1].Kind != 0 {
			t.Fatal("no EOF token")
		}
		for _, tk := range r.Tokens[:n-1] {
			if tk.Kind == 0 {
				t.Fatal("EOF token in the middle")
			}
			s, ok := r.Sources[tk.File]
			if !ok || tk.Pos.Offset < 0 || tk.Pos.Offset > len(s) || tk.Pos.Line < 1 || tk.Pos.Col < 1 {
				t.Fatalf("bad position %s %+v", tk.File, tk.Pos)
			}
			if tk.End.Offset < tk.Pos.Offset && tk.Via == "" {
				t.Fatalf("end before start: %+v", tk)
			}
		}
	})
}
