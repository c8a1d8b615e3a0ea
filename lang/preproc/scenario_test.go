package preproc

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want section of testdata/*.txtar")

// TestScenarios runs testdata/*.txtar. The archive comment may set
// "defines: A B=2" and "env: NAME=value"; main.cfg is processed with the
// other files available to includes; want holds the token stream and the
// diagnostics, one per line.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := runScenario(ar)
			wi := -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					wi = i
				}
			}
			if *update {
				if wi < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wi = len(ar.Files) - 1
				}
				ar.Files[wi].Data = []byte(got)
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wi < 0 {
				t.Fatalf("no want section; run with -update")
			}
			if want := string(ar.Files[wi].Data); want != got {
				t.Errorf("mismatch (run with -update to accept)\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}

func runScenario(ar *txtar.Archive) string {
	mem := map[string][]byte{}
	for _, f := range ar.Files {
		if f.Name != "want" {
			mem[f.Name] = f.Data
		}
	}
	opts := Options{
		Version: [3]int{5, 8, 0}, // scenarios exercise the newest directives
		ReadFile: func(p string) ([]byte, error) {
			if b, ok := mem[p]; ok {
				return b, nil
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		},
		Env: func(string) (string, bool) { return "", false },
	}
	env := map[string]string{}
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch strings.TrimSpace(k) {
		case "defines":
			opts.Defines = strings.Fields(v)
		case "env":
			for _, kv := range strings.Fields(v) {
				n, val, _ := strings.Cut(kv, "=")
				env[n] = val
			}
		case "maxsize":
			fmt.Sscan(v, &opts.MaxFileSize)
		}
	}
	opts.Env = func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	r := ProcessFile("main.cfg", opts)
	var b bytes.Buffer
	for _, tk := range r.Tokens {
		fmt.Fprintln(&b, formatToken(tk))
	}
	for _, d := range r.Diags {
		fmt.Fprintf(&b, "%s %s %s %s\n", d.Subject, d.Severity, d.Code, d.Summary)
		for _, rel := range d.Related {
			fmt.Fprintf(&b, "\t%s: %s\n", rel.Range, rel.Message)
		}
	}
	if len(r.Files) > 1 {
		fmt.Fprintf(&b, "files: %s\n", strings.Join(r.Files, " "))
	}
	return b.String()
}
