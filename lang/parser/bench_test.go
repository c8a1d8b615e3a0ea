package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/preproc"
)

// BenchmarkParse measures the parser alone (the preprocessor runs once,
// outside the loop) on the Debian default configuration.
func BenchmarkParse(b *testing.B) {
	const path = "/etc/kamailio/kamailio.cfg"
	src, err := os.ReadFile(path)
	if err != nil {
		b.Skip(err)
	}
	res := preproc.Process(path, src, preproc.Options{})
	if err := prepare(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, l := Parse(res); l.HasErrors() {
			b.Fatal(l)
		}
	}
}

// FuzzParse checks that no input makes the parser panic or hang.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*.cfg")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	if data, err := os.ReadFile("testdata/errors.cfg"); err == nil {
		for _, chunk := range strings.Split(string(data), "\n---\n") {
			f.Add([]byte(chunk))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		res := preproc.Process("fuzz.cfg", src, preproc.Options{
			ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist },
		})
		cfg, _ := Parse(res)
		var sb strings.Builder
		_ = Dump(&sb, cfg)
	})
}
