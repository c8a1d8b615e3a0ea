package kamc

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadExpect(t *testing.T) {
	good := "# comment\npath\tverdict\tline\tcol\tphase\tmessage\n" +
		"syntax/001-a.cfg\tok\t0\t0\t-\t\n" +
		"syntax/002-b.cfg\treject\t7\t2\tparse\tsyntax error\n"
	rows, err := ReadExpect(strings.NewReader(good), "good")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Line != 7 || rows[1].Col != 2 || rows[1].Message != "syntax error" || rows[0].Phase != "-" {
		t.Errorf("rows = %+v", rows)
	}
	bad := []struct{ name, text, err string }{
		{"no header", "", "no header row"},
		{"missing column", "path\tverdict\n", `lacks column "line"`},
		{"bad verdict", "path\tverdict\tline\tcol\tphase\tmessage\nx\tmaybe\t0\t0\t-\t\n", "neither ok nor reject"},
		{"bad line", "path\tverdict\tline\tcol\tphase\tmessage\nx\tok\tone\t0\t-\t\n", "column line"},
	}
	for _, b := range bad {
		_, err := ReadExpect(strings.NewReader(b.text), b.name)
		if err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("%s: err = %v, want %q", b.name, err, b.err)
		}
	}
}

func TestWriteExpectRoundTrip(t *testing.T) {
	rows := []Expect{
		{Path: "corpus:a/k.cfg", Verdict: "reject", Line: 3, Phase: "parse", Message: "a\tb", Reason: ReasonSyntax, VerdictMpath: "reject", LineMpath: 3},
		{Path: "debian:/etc/k.cfg", Verdict: "ok", Phase: "-", Reason: "-", VerdictMpath: "ok"},
	}
	var buf bytes.Buffer
	if err := WriteExpect(&buf, CorpusColumns, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadExpect(&buf, "buf")
	if err != nil {
		t.Fatal(err)
	}
	rows[0].Message = "a b" // tabs cannot survive a TSV cell
	for i := range rows {
		if got[i] != rows[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], rows[i])
		}
	}
}

// The recorded tables must parse and match the probe files on disk.
func TestRecordedTables(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "kamailio-c")
	rows, err := LoadExpect(filepath.Join(root, "expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	count := map[string]int{}
	for _, e := range rows {
		if seen[e.Path] {
			t.Errorf("%s: duplicate row", e.Path)
		}
		seen[e.Path] = true
		count[strings.Split(e.Path, "/")[0]]++
		if _, err := os.Stat(filepath.Join(root, e.Path)); err != nil {
			t.Errorf("%s: %v", e.Path, err)
		}
		switch {
		case e.Verdict == "ok" && (e.Phase != PhaseNone || e.Line != 0):
			t.Errorf("%s: ok row with phase %q line %d", e.Path, e.Phase, e.Line)
		case e.Verdict == "reject" && e.Phase != PhaseParse && e.Phase != PhaseStartup:
			t.Errorf("%s: reject row with phase %q", e.Path, e.Phase)
		}
	}
	for _, sub := range []string{"syntax", "semantic"} {
		files, _ := filepath.Glob(filepath.Join(root, sub, "*.cfg"))
		for _, f := range files {
			rel, _ := filepath.Rel(root, f)
			if !seen[filepath.ToSlash(rel)] {
				t.Errorf("%s: no recorded verdict", rel)
			}
		}
	}
	if count["syntax"] < 70 || count["semantic"] < 160 {
		t.Errorf("too few probes: %v", count)
	}
	if _, err := LoadExpect(filepath.Join(root, "corpus.tsv")); err != nil {
		t.Error(err)
	}
}
