package parser

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/preproc"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden parses each testdata/golden/*.cfg and compares the Dump output
// (and any diagnostics) with the .ast file beside it.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.cfg")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, l, _ := ParseFile(f, preproc.Options{})
			var b bytes.Buffer
			if err := Dump(&b, cfg); err != nil {
				t.Fatal(err)
			}
			for _, d := range l {
				b.WriteString("diag: " + strings.TrimPrefix(d.Error(), filepath.Dir(f)+"/") + "\n")
			}
			golden := strings.TrimSuffix(f, ".cfg") + ".ast"
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(want, b.Bytes()) {
				t.Errorf("%s differs from the parse (run go test -update and review):\n%s", golden, b.String())
			}
		})
	}
}
