package lint

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/catalog"
)

// matrixCatalog is the release the matrix tests follow: one with #!ifexp.
func matrixCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.LoadRelease("6.1")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

var matrixConfigs = []string{"two.cfg", "three.cfg", "ignore.cfg", "include.cfg"}

// TestMatrixGolden compares the text and JSON output of a matrix run on
// each config of testdata/matrix with NAME.golden beside it (rewritten
// with -update).
func TestLintMatrixGolden(t *testing.T) {
	cat := matrixCatalog(t)
	for _, name := range matrixConfigs {
		file := filepath.Join("testdata", "matrix", name)
		m := Matrix(file, MatrixOptions{Options: Options{Catalog: cat}})
		var b bytes.Buffer
		if err := WriteMatrixText(&b, []*MatrixResult{m}); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
		if err := WriteMatrixJSON(&b, []*MatrixResult{m}, cat.Release()); err != nil {
			t.Fatal(err)
		}
		golden := strings.TrimSuffix(file, ".cfg") + ".golden"
		if *update {
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("output differs from %s:\n%s", golden, b.Bytes())
		}
	}
}

// TestMatrixAgreesWithRuns lints each config once per combination, as
// `kamgo lint -A ...` would, and checks that the matrix lists every
// finding with exactly the combinations whose run has it. A lint:ignore
// that is unused in some combinations only is the one exception: the
// matrix reports it only when it is unused in all.
func TestLintMatrixAgreesWithRuns(t *testing.T) {
	cat := matrixCatalog(t)
	for _, name := range matrixConfigs {
		file := filepath.Join("testdata", "matrix", name)
		m := Matrix(file, MatrixOptions{Options: Options{Catalog: cat}})
		if len(m.Combos) != 1<<len(m.Names) || m.Sampled {
			t.Fatalf("%s: %d combinations of %d names", name, len(m.Combos), len(m.Names))
		}
		want := map[string][]int{}
		first := map[string]string{}
		for i, c := range m.Combos {
			res := File(file, Options{Catalog: cat, Defines: m.On(c)})
			for _, d := range res.Diags {
				k := findingKey(d)
				want[k] = append(want[k], i)
				first[k] = describe(d)
			}
		}
		got := map[string]bool{}
		for _, f := range m.Findings {
			k := findingKey(f.Diagnostic)
			got[k] = true
			if !reflect.DeepEqual(f.In, want[k]) {
				t.Errorf("%s: %s: in combinations %v, the runs have it in %v", name, describe(f.Diagnostic), f.In, want[k])
			}
		}
		for k, in := range want {
			if !got[k] && !(strings.Contains(k, "\x00"+codeUnusedIgnore+"\x00") && len(in) < len(m.Combos)) {
				t.Errorf("%s: %s (combinations %v) is missing from the matrix", name, first[k], in)
			}
		}
	}
}

// TestMatrixSomeCombinations spells out the combinations of findings that
// only some combinations have.
func TestLintMatrixSomeCombinations(t *testing.T) {
	cat := matrixCatalog(t)
	cases := []struct {
		file, code string
		line       int
		in         [][]string
		when       string
	}{
		{"two.cfg", "KC2002", 21, [][]string{{"WITH_NAT"}, {"WITH_DEBUG", "WITH_NAT"}}, "WITH_NAT on"},
		{"two.cfg", "KL1007", 8, [][]string{{}, {"WITH_DEBUG"}, {"WITH_NAT"}, {"WITH_DEBUG", "WITH_NAT"}}, ""},
		{"three.cfg", "KC0502", 11, [][]string{{"WITH_TLS", "WITH_WS"}, {"WITH_MYSQL", "WITH_TLS", "WITH_WS"}}, "WITH_TLS on, WITH_WS on"},
		{"three.cfg", "KL1006", 14, [][]string{{"WITH_MYSQL"}, {"WITH_MYSQL", "WITH_TLS"}, {"WITH_MYSQL", "WITH_WS"}}, "WITH_MYSQL on"},
		{"ignore.cfg", "KL1007", 18, [][]string{{}, {"WITH_DEBUG"}}, "WITH_QUIET off"},
		{"ignore.cfg", "KL9900", 9, [][]string{{}, {"WITH_DEBUG"}, {"WITH_QUIET"}, {"WITH_DEBUG", "WITH_QUIET"}}, ""},
	}
	runs := map[string]*MatrixResult{}
	for _, c := range cases {
		m := runs[c.file]
		if m == nil {
			m = Matrix(filepath.Join("testdata", "matrix", c.file), MatrixOptions{Options: Options{Catalog: cat}, Workers: 3})
			runs[c.file] = m
		}
		var found *MatrixFinding
		for _, f := range m.Findings {
			if f.Code == c.code && f.Subject.Start.Line == c.line {
				found = f
			}
		}
		if found == nil {
			t.Errorf("%s: no %s on line %d", c.file, c.code, c.line)
			continue
		}
		if got := m.combinations(found.In); !reflect.DeepEqual(got, c.in) {
			t.Errorf("%s: %s: combinations %v, want %v", c.file, c.code, got, c.in)
		}
		if got := m.when(found.In); got != c.when {
			t.Errorf("%s: %s: when %q, want %q", c.file, c.code, got, c.when)
		}
	}
	// The lint:ignore used with WITH_DEBUG on is not reported.
	for _, f := range runs["ignore.cfg"].Findings {
		if f.Code == codeUnusedIgnore && f.Subject.Start.Line == 12 {
			t.Errorf("ignore.cfg: the KL1007 directive used with WITH_DEBUG is reported: %v", f.In)
		}
	}
}

// TestMatrixNames checks which names are varied: those tested and decided
// by nothing else, found in included files too; -A names stay fixed.
func TestLintMatrixNames(t *testing.T) {
	cat := matrixCatalog(t)
	cases := []struct {
		file    string
		defines []string
		names   []string
	}{
		{"two.cfg", nil, []string{"WITH_DEBUG", "WITH_NAT"}},
		{"two.cfg", []string{"WITH_NAT=1"}, []string{"WITH_DEBUG"}},
		// DBURL is defined by the config; WITH_TLS and WITH_WS are read by
		// #!ifexp too.
		{"three.cfg", nil, []string{"WITH_MYSQL", "WITH_TLS", "WITH_WS"}},
		{"three.cfg", []string{"WITH_TLS"}, []string{"WITH_MYSQL", "WITH_WS"}},
		// WITH_INNER is tested in a file only WITH_EXTRA includes.
		{"include.cfg", nil, []string{"WITH_EXTRA", "WITH_INNER"}},
	}
	for _, c := range cases {
		m := Matrix(filepath.Join("testdata", "matrix", c.file), MatrixOptions{Options: Options{Catalog: cat, Defines: c.defines}})
		if !reflect.DeepEqual(m.Names, c.names) {
			t.Errorf("%s -A %v: names %v, want %v", c.file, c.defines, m.Names, c.names)
		}
		for _, f := range m.Findings {
			for _, on := range m.combinations(f.In) {
				for _, n := range on {
					if !slices.Contains(c.names, n) {
						t.Errorf("%s: combination %v holds a name that is not varied", c.file, on)
					}
				}
			}
		}
	}
}

// TestPlan checks the combinations: all of them up to MatrixMax, in
// counting order; beyond, a sample of MatrixMax that is the same on every
// call, without repeats, and starts with the documented stages.
func TestLintMatrixPlan(t *testing.T) {
	for n := 0; n <= 10; n++ {
		combos, sampled := Plan(n, 0, 1)
		if sampled || len(combos) != 1<<n {
			t.Fatalf("%d names: %d combinations, sampled %v", n, len(combos), sampled)
		}
		for k, c := range combos {
			for i, on := range c {
				if on != (k>>i&1 == 1) {
					t.Fatalf("%d names: combination %d is %v", n, k, c)
				}
			}
		}
	}
	for _, n := range []int{11, 14, 22, 40} {
		combos, sampled := Plan(n, 0, 1)
		if !sampled || len(combos) != MatrixMax {
			t.Errorf("%d names: %d combinations, sampled %v", n, len(combos), sampled)
		}
		again, _ := Plan(n, 0, 1)
		if !reflect.DeepEqual(combos, again) {
			t.Errorf("%d names: the sample differs between two calls", n)
		}
		other, _ := Plan(n, 0, 2)
		if reflect.DeepEqual(combos, other) {
			t.Errorf("%d names: the seed does not change the sample", n)
		}
		seen := map[string]bool{}
		for _, c := range combos {
			if len(c) != n || seen[c.key()] {
				t.Fatalf("%d names: bad or repeated combination %s", n, c.key())
			}
			seen[c.key()] = true
		}
		// All off, all on, each alone on, each alone off.
		stage := []string{strings.Repeat("0", n), strings.Repeat("1", n)}
		for _, on := range []bool{true, false} {
			for i := 0; i < n; i++ {
				b := []byte(strings.Repeat(map[bool]string{true: "0", false: "1"}[on], n))
				b[i] = map[bool]byte{true: '1', false: '0'}[on]
				stage = append(stage, string(b))
			}
		}
		for i, want := range stage {
			if combos[i].key() != want {
				t.Errorf("%d names: combination %d is %s, want %s", n, i, combos[i].key(), want)
			}
		}
	}
	for _, limit := range []int{1, 2, 5, 100} {
		combos, sampled := Plan(12, limit, 1)
		if !sampled || len(combos) != limit {
			t.Errorf("limit %d: %d combinations", limit, len(combos))
		}
	}
}

// TestMatrixSample runs a config with more names than the bound: the
// sample is bounded, and the output is the same whatever the workers.
func TestLintMatrixSample(t *testing.T) {
	var b strings.Builder
	b.WriteString("loadmodule \"xlog.so\"\nrequest_route {\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "#!ifdef WITH_F%02d\n\txlog(\"L_INFO\", \"f%d\\n\");\n#!endif\n", i, i)
	}
	b.WriteString("#!ifdef WITH_F03\n#!ifndef WITH_F07\n\tif ($rm == \"bye\") { exit; }\n#!endif\n#!endif\n}\n")
	file := filepath.Join(t.TempDir(), "many.cfg")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cat := matrixCatalog(t)
	var outs []string
	for _, workers := range []int{1, 3} {
		m := Matrix(file, MatrixOptions{Options: Options{Catalog: cat}, Max: 64, Seed: 7, Workers: workers})
		if len(m.Names) != 12 || len(m.Combos) != 64 || !m.Sampled {
			t.Fatalf("%d names, %d combinations, sampled %v", len(m.Names), len(m.Combos), m.Sampled)
		}
		var out bytes.Buffer
		if err := WriteMatrixJSON(&out, []*MatrixResult{m}, ""); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out.String())
		found := false
		for _, f := range m.Findings {
			if f.Code == "KL1007" {
				found = true
				for _, on := range m.combinations(f.In) {
					if !slices.Contains(on, "WITH_F03") || slices.Contains(on, "WITH_F07") {
						t.Errorf("KL1007 listed in %v", on)
					}
				}
			}
		}
		if !found {
			t.Error("the sample has no combination with WITH_F03 on and WITH_F07 off")
		}
	}
	if outs[0] != outs[1] {
		t.Errorf("the output depends on the workers:\n%s\n---\n%s", outs[0], outs[1])
	}
}

// TestMatrixSARIF checks the SARIF log of matrix runs against the schema
// and that results and the run carry the combinations.
func TestLintMatrixSARIF(t *testing.T) {
	cat := matrixCatalog(t)
	var runs []*MatrixResult
	n := 0
	for _, name := range []string{"two.cfg", "three.cfg"} {
		m := Matrix(filepath.Join("testdata", "matrix", name), MatrixOptions{Options: Options{Catalog: cat}})
		runs = append(runs, m)
		n += len(m.Findings)
	}
	var b bytes.Buffer
	if err := WriteMatrixSARIF(&b, runs, Rules(), "test"); err != nil {
		t.Fatal(err)
	}
	run := checkSARIF(t, b.Bytes(), n)
	props, _ := run["properties"].(map[string]any)
	files, _ := props["matrix"].([]any)
	if len(files) != 2 {
		t.Fatalf("run properties: %v", run["properties"])
	}
	if f, _ := files[0].(map[string]any); f["combinations"] != float64(4) || !reflect.DeepEqual(f["names"], []any{"WITH_DEBUG", "WITH_NAT"}) {
		t.Errorf("matrix of two.cfg: %v", f)
	}
	results, _ := run["results"].([]any)
	for i, rv := range results {
		r, _ := rv.(map[string]any)
		p, _ := r["properties"].(map[string]any)
		if _, ok := p["combinations"].([]any); !ok {
			t.Errorf("results[%d]: no combinations in %v", i, r["properties"])
		}
		if r["ruleId"] == "KC2002" && p["when"] != "WITH_NAT on" {
			t.Errorf("results[%d]: when = %v", i, p["when"])
		}
	}
}

// TestLintMatrixIfexpRelease checks that names read by #!ifexp are varied
// only for a release that has #!ifexp (for 5.6 the line is a comment).
func TestLintMatrixIfexpRelease(t *testing.T) {
	m := Matrix(filepath.Join("testdata", "matrix", "three.cfg"), MatrixOptions{Options: Options{Catalog: catalog.Load()}})
	if want := []string{"WITH_MYSQL", "WITH_TLS"}; !reflect.DeepEqual(m.Names, want) {
		t.Errorf("5.6: names %v, want %v", m.Names, want)
	}
}
