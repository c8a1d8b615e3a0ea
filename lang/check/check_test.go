package check

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/preproc"
)

var wantRE = regexp.MustCompile(`### (KC\d{4})`)

// TestFindings checks the chunks of testdata/findings.cfg: every line
// marked "### CODE" gets a diagnostic with that code on that line, and no
// chunk gets any other warning or error.
func TestFindings(t *testing.T) { checkChunks(t, "testdata/findings.cfg") }

// TestOnce checks the chunks of testdata/once.cfg as TestFindings does:
// the rules runtime/interp used to apply on its own, with the configs that
// show each and Kamailio's verdicts. runtime/interp's TestUnchecked
// compiles the same chunks without this check.
func TestOnce(t *testing.T) { checkChunks(t, "testdata/once.cfg") }

func checkChunks(t *testing.T, file string) {
	t.Helper()
	src, err := os.ReadFile(file)
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

// TestUnknownOperator hands the checker operators no parser produces, as a
// program building its own tree could: each is KC2031.
func TestUnknownOperator(t *testing.T) {
	src := "loadmodule \"pv.so\"\nrequest_route {\n\t$var(x) = 7 mod 2;\n\t$var(y) = -$var(x);\n}\n"
	cfg, diags, _ := AnalyzeSource("op.cfg", []byte(src), preproc.Options{}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	body := cfg.Items[1].(*ast.Route).Body.Stmts
	body[0].(*ast.Assign).RHS.(*ast.Binary).Op = "%"
	body[1].(*ast.Assign).RHS.(*ast.Unary).Op = "+"
	var got []string
	for _, d := range Check(cfg, Options{}) {
		got = append(got, strconv.Itoa(d.Subject.Start.Line)+" "+d.Code)
	}
	if want := []string{"3 " + CodeUnknownOp, "4 " + CodeUnknownOp}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
}
