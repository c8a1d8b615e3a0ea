package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCheckGolden runs `kamgo check` (text and JSON) on the configs in
// testdata/check and compares the output and exit code with the .golden
// files next to them (rewritten with -update).
func TestCheckGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/check/*.cfg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs: %v", err)
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir("testdata/check"); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		var out bytes.Buffer
		for _, format := range []string{"text", "json"} {
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", "--format", format, name}, &stdout, &stderr)
			out.WriteString("$ kamgo check --format " + format + " " + name + "\n")
			out.Write(stdout.Bytes())
			out.Write(stderr.Bytes())
			out.WriteString("exit " + string(rune('0'+code)) + "\n")
		}
		golden := strings.TrimSuffix(name, ".cfg") + ".golden"
		if *update {
			if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (run with -update)", golden, err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", name, golden, out.String())
		}
	}
}
