package interp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestSemantics runs testdata/semantics/*.txtar: configurations whose log
// was recorded from Kamailio 5.6.3 (each sends the lines of its send
// section as events and expects the script log lines of its log section).
func TestSemantics(t *testing.T) {
	files, err := filepath.Glob("testdata/semantics/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			a := txtar.Parse(data)
			sec := map[string]string{}
			for _, fl := range a.Files {
				sec[fl.Name] = string(fl.Data)
			}
			r, dl := compileTest(t, testPrelude+sec["cfg"], nil)
			if r == nil {
				t.Fatalf("compile: %v", dl)
			}
			for _, m := range strings.Split(strings.TrimSuffix(sec["send"], "\n"), "\n") {
				r.send(m)
			}
			want := strings.Split(strings.TrimSuffix(sec["log"], "\n"), "\n")
			if !slices.Equal(r.lines, want) {
				t.Errorf("log mismatch\n got: %q\nwant: %q\ncore: %q", r.lines, want, r.core)
			}
		})
	}
}
