package parser

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
)

// expectRe finds the expectations written at the end of a line.
var expectRe = regexp.MustCompile("### `([^`]*)`")

// TestErrors runs the chunks of testdata/errors.cfg: every expected error
// must be reported on its line with a matching message, and no other
// parser error may be reported.
func TestErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.cfg")
	if err != nil {
		t.Fatal(err)
	}
	line0 := 0
	for _, chunk := range strings.Split(string(data), "\n---\n") {
		checkChunk(t, line0, chunk)
		line0 += strings.Count(chunk, "\n") + 2
	}
}

func checkChunk(t *testing.T, line0 int, chunk string) {
	t.Helper()
	type want struct {
		line int
		re   *regexp.Regexp
	}
	var wants []want
	for i, l := range strings.Split(chunk, "\n") {
		for _, m := range expectRe.FindAllStringSubmatch(l, -1) {
			wants = append(wants, want{i + 1, regexp.MustCompile(m[1])})
		}
	}
	res := preproc.Process("errors.cfg", []byte(chunk), preproc.Options{})
	_, got := Parse(res)
	got = append(append(diag.List{}, res.Diags...), got...)
	used := make([]bool, len(got))
	for _, w := range wants {
		found := false
		for i, d := range got {
			if !used[i] && d.Subject.Start.Line == w.line && w.re.MatchString(d.Summary) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("errors.cfg:%d: no error matching %q; got:%s", line0+w.line, w.re, list(got))
		}
	}
	for i, d := range got {
		if !used[i] && d.Severity == diag.Error {
			t.Errorf("errors.cfg:%d: unexpected error: %s [%s]", line0+d.Subject.Start.Line, d.Summary, d.Code)
		}
	}
}

func list(l diag.List) string {
	var b strings.Builder
	for _, d := range l {
		b.WriteString("\n\t" + d.Error())
	}
	return b.String()
}
