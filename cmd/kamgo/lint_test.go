package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/lint"
)

// golden compares out with the golden file (rewritten with -update).
func golden(t *testing.T, file string, out []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%s: %v (run with -update)", file, err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("output differs from %s:\n%s", file, out)
	}
}

// runLint runs kamgo with args and returns a transcript: the command,
// stdout, stderr and the exit code.
func runLint(args ...string) ([]byte, int) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	var b bytes.Buffer
	b.WriteString("$ kamgo " + strings.Join(args, " ") + "\n")
	b.Write(stdout.Bytes())
	b.Write(stderr.Bytes())
	b.WriteString("exit " + strconv.Itoa(code) + "\n")
	return b.Bytes(), code
}

// TestLintExplainGolden checks `kamgo lint --explain ID` for every rule
// and `kamgo lint --list` against testdata/lint/explain.golden.
func TestLintExplainGolden(t *testing.T) {
	var all bytes.Buffer
	out, code := runLint("lint", "--list")
	if code != exitOK {
		t.Errorf("--list: exit %d", code)
	}
	all.Write(out)
	for _, r := range lint.Rules() {
		out, code := runLint("lint", "--explain", r.ID)
		if code != exitOK {
			t.Errorf("--explain %s: exit %d", r.ID, code)
		}
		all.WriteString("\n")
		all.Write(out)
	}
	golden(t, filepath.Join("testdata", "lint", "explain.golden"), all.Bytes())
}

// TestLintGolden runs `kamgo lint` in text, JSON and SARIF on the configs
// of testdata/lint (the one in project/ with its .kamgo.toml) and compares
// the transcripts with the .golden files beside them.
func TestLintGolden(t *testing.T) {
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(filepath.Join("testdata", "lint")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"relay.cfg", "project/kamailio.cfg", "syntax.cfg"} {
		var all bytes.Buffer
		for _, format := range []string{"text", "json", "sarif"} {
			out, _ := runLint("lint", "--format", format, name)
			all.Write(out)
		}
		golden(t, strings.TrimSuffix(name, ".cfg")+".golden", all.Bytes())
	}
}

// TestLintExitCodes checks the exit codes: 1 for error findings (or
// warnings with --werror), 0 otherwise, 2 for usage and I/O errors; and
// that --checks selects rules.
func TestLintExitCodes(t *testing.T) {
	cfg := filepath.Join("testdata", "lint", "relay.cfg")
	proj := filepath.Join("testdata", "lint", "project", "kamailio.cfg")
	cases := []struct {
		args []string
		code int
		has  []string
		not  []string
	}{
		{[]string{"lint", cfg}, exitOK, []string{"[KL1016]", "[KL1007]", "[KL3001]"}, []string{"[KL1001]"}},
		{[]string{"lint", "--werror", cfg}, exitFound, nil, nil},
		{[]string{"lint", "--checks", "none,KL1007", cfg}, exitOK, []string{"[KL1007]"}, []string{"[KL1016]", "[KL3001]"}},
		{[]string{"lint", "--checks", "-KL1*", cfg}, exitOK, []string{"[KL3001]"}, []string{"[KL1016]", "[KL1007]"}},
		{[]string{"lint", proj}, exitFound, []string{"error: $rm is upper case", "info: unreachable code"}, []string{"[KL3001]", "[KL9004]"}},
		{[]string{"lint", "--checks", "-KL1007", proj}, exitOK, nil, []string{"[KL1007]"}},
		{[]string{"lint", "--checks", "KL0000", cfg}, exitUsage, []string{"unknown rule"}, nil},
		{[]string{"lint", "--format", "xml", cfg}, exitUsage, []string{"usage"}, nil},
		{[]string{"lint"}, exitUsage, []string{"usage"}, nil},
		{[]string{"lint", "no-such-file.cfg"}, exitUsage, []string{"cannot read"}, nil},
		{[]string{"lint", "--explain", "KL9999"}, exitFound, []string{"no rule or code"}, nil},
		{[]string{"lint", "--explain", "KC2001"}, exitOK, []string{"unknown function"}, nil},
		{[]string{"lint", "--explain", "unused-route"}, exitOK, []string{"KL3001 (unused-route)"}, nil},
		{[]string{"check", cfg}, exitOK, nil, []string{"[KL"}},
	}
	for _, c := range cases {
		out, code := runLint(c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, code, c.code, out)
		}
		for _, s := range c.has {
			if !bytes.Contains(out, []byte(s)) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, s, out)
			}
		}
		for _, s := range c.not {
			if bytes.Contains(out, []byte(s)) {
				t.Errorf("%v: output has %q:\n%s", c.args, s, out)
			}
		}
	}
}

// TestLintJSONFields checks that JSON findings carry check's fields and the
// rule's name.
func TestLintJSONFields(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"lint", "--format", "json", filepath.Join("testdata", "lint", "relay.cfg")}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range out {
		for _, k := range []string{"file", "line", "col", "endLine", "endCol", "severity", "code", "rule", "summary", "detail"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding lacks %q: %v", k, f)
			}
		}
		if r, ok := lint.Lookup(f["code"].(string)); ok && f["rule"] != r.Name {
			t.Errorf("rule = %v, want %s", f["rule"], r.Name)
		}
	}
}

// speed is the part of --matrix's report on stderr that changes from run
// to run.
var speed = regexp.MustCompile(`in [0-9.]+s, [0-9.]+ combinations/s`)

// TestLintMatrixGolden runs `kamgo lint --matrix` in text, JSON and SARIF
// on testdata/lint/matrix.cfg, and with a name fixed by -A, and compares
// the transcripts (speed masked) with matrix.golden.
func TestLintMatrixGolden(t *testing.T) {
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(filepath.Join("testdata", "lint")); err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, args := range [][]string{
		{"lint", "--matrix", "matrix.cfg"},
		{"lint", "--matrix", "--format", "json", "matrix.cfg"},
		{"lint", "--matrix", "--format", "sarif", "matrix.cfg"},
		{"lint", "--matrix", "-A", "WITH_NAT", "matrix.cfg"},
	} {
		out, _ := runLint(args...)
		all.Write(speed.ReplaceAll(out, []byte("in T, N combinations/s")))
	}
	golden(t, "matrix.golden", all.Bytes())
}

// TestLintMatrixExit checks --matrix's exit codes and flags.
func TestLintMatrixExit(t *testing.T) {
	cfg := filepath.Join("testdata", "lint", "matrix.cfg")
	relay := filepath.Join("testdata", "lint", "relay.cfg")
	cases := []struct {
		args []string
		code int
		has  []string
	}{
		{[]string{"lint", "--matrix", cfg}, exitFound, []string{"all 8 combinations", "8 combinations in "}},
		{[]string{"lint", "--matrix", "--matrix-max", "4", "--matrix-seed", "3", cfg}, exitFound, []string{"4 sampled of 2^3 combinations"}},
		{[]string{"lint", "--matrix", "--matrix-max", "0", cfg}, exitUsage, []string{"usage"}},
		{[]string{"lint", "--matrix", relay}, exitOK, []string{"matrix of 0 names: 1 combination", "1 combination in "}},
		{[]string{"lint", "--matrix", "--werror", relay}, exitFound, nil},
		{[]string{"lint", "--matrix", "no-such-file.cfg"}, exitUsage, []string{"cannot read"}},
	}
	for _, c := range cases {
		out, code := runLint(c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, code, c.code, out)
		}
		for _, s := range c.has {
			if !bytes.Contains(out, []byte(s)) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, s, out)
			}
		}
	}
}
