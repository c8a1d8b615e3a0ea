package check

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/preproc"
)

var wantRE = regexp.MustCompile(`### (KC\d{4})`)

// TestFindings checks the chunks of testdata/findings.cfg: every line
// marked "### CODE" gets a diagnostic with that code on that line, and no
// chunk gets any other warning or error.
func TestFindings(t *testing.T) {
	src, err := os.ReadFile("testdata/findings.cfg")
	if err != nil {
		t.Fatal(err)
	}
	for i, chunk := range strings.Split(string(src), "\n---\n") {
		want := map[string]bool{}
		for n, line := range strings.Split(chunk, "\n") {
			if m := wantRE.FindStringSubmatch(line); m != nil {
				want[strconv.Itoa(n+1)+" "+m[1]] = true
			}
		}
		name := "chunk" + strconv.Itoa(i) + ".cfg"
		_, diags, _ := AnalyzeSource(name, []byte(chunk), preproc.Options{}, nil)
		got := map[string]bool{}
		for _, d := range diags {
			got[strconv.Itoa(d.Subject.Start.Line)+" "+d.Code] = true
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: want %s, got %v", name, k, diags)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("%s: unexpected %s: %v", name, k, diags)
			}
		}
	}
}
