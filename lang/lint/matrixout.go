package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// Output of matrix runs: the lint formats, each finding with the
// combinations it appears in (a combination is written as the list of the
// names it turns on).

// Summary is one line about a matrix run: the file, the names varied and
// how many combinations ran, and how many of them have errors.
func (m *MatrixResult) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: matrix of %d names", m.File, len(m.Names))
	if len(m.Names) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(m.Names, ", "))
	}
	switch {
	case m.Sampled:
		fmt.Fprintf(&b, ": %d sampled of 2^%d combinations", len(m.Combos), len(m.Names))
	case len(m.Combos) == 1:
		b.WriteString(": 1 combination")
	default:
		fmt.Fprintf(&b, ": all %d combinations", len(m.Combos))
	}
	if n := len(m.Failed); n > 0 {
		fmt.Fprintf(&b, ", %d with errors", n)
	}
	if n := len(m.Skipped); n > 0 {
		fmt.Fprintf(&b, " (%d with syntax errors, where the rules do not run)", n)
	}
	return b.String()
}

// combinations returns the combinations of in as lists of names on.
func (m *MatrixResult) combinations(in []int) [][]string {
	out := make([][]string, len(in))
	for k, i := range in {
		out[k] = m.On(m.Combos[i])
	}
	return out
}

// WriteMatrixText prints matrix runs for people: each run's summary line,
// then its findings as WriteText does, each followed by the combinations
// it appears in.
func WriteMatrixText(w io.Writer, runs []*MatrixResult) error {
	var b strings.Builder
	for _, m := range runs {
		b.WriteString(m.Summary() + "\n")
		for _, f := range m.Findings {
			if err := diag.WriteText(&b, diag.List{f.Diagnostic}, m.Sources); err != nil {
				return err
			}
			b.WriteString("  combinations: " + m.describe(f.In) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonMatrixFinding is a JSON finding with the combinations it appears in
// and, when some names pick exactly those, the names ("A on, B off").
type jsonMatrixFinding struct {
	jsonFinding
	Combinations [][]string `json:"combinations"`
	When         string     `json:"when,omitempty"`
}

// WriteMatrixJSON prints the findings of matrix runs as one JSON array:
// lint's fields plus "combinations", a list of combinations, each the
// list of the names it defines.
func WriteMatrixJSON(w io.Writer, runs []*MatrixResult, release string) error {
	out := []jsonMatrixFinding{}
	for _, m := range runs {
		for _, f := range m.Findings {
			out = append(out, jsonMatrixFinding{jsonFinding: jsonOf(f.Diagnostic, release),
				Combinations: m.combinations(f.In), When: m.when(f.In)})
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	b = nameList().ReplaceAllFunc(b, compact)
	_, err = w.Write(append(b, '\n'))
	return err
}

// nameList matches a JSON array of names spread over lines by indenting: a
// combination, which reads better on one line.
var nameList = lazyRegexp(`\[\n\s*"\w+"(?:,\n\s*"\w+")*\n\s*\]`)

func compact(list []byte) []byte {
	var b bytes.Buffer
	if json.Compact(&b, list) != nil {
		return list
	}
	return bytes.ReplaceAll(b.Bytes(), []byte(`","`), []byte(`", "`))
}

// WriteMatrixSARIF prints matrix runs as one SARIF log, as WriteSARIF
// does. Each result's properties hold "combinations" (and "when"); the
// run's properties hold "matrix", one entry per file: the names varied,
// how many combinations ran, whether they were a sample, and how many have
// errors.
func WriteMatrixSARIF(w io.Writer, runs []*MatrixResult, rules []*Rule, version string) error {
	var l diag.List
	var props []map[string]any
	var files []map[string]any
	for _, m := range runs {
		files = append(files, map[string]any{"file": m.File, "names": append([]string{}, m.Names...),
			"combinations": len(m.Combos), "sampled": m.Sampled, "failed": len(m.Failed)})
		for _, f := range m.Findings {
			l = append(l, f.Diagnostic)
			p := map[string]any{"combinations": m.combinations(f.In)}
			if when := m.when(f.In); when != "" {
				p["when"] = when
			}
			props = append(props, p)
		}
	}
	return writeSARIF(w, l, rules, version, map[string]any{"matrix": files}, func(i int) map[string]any { return props[i] })
}
