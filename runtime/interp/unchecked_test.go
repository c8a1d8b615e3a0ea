package interp

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// onceFile holds the rules the interpreter used to apply on its own, each
// with the configs that show it; lang/check's TestOnce checks that check
// reports them.
const onceFile = "../../lang/check/testdata/once.cfg"

// TestUnchecked compiles every chunk of onceFile without lang/check, as a
// program calling Compile directly would, and expects what its
// "# unchecked:" line says: KC2214 (each error is "not checked", with what
// was found as detail), KC2213 (not implemented) or ok. Chunks the parser
// refuses ("syntax") never reach the interpreter.
func TestUnchecked(t *testing.T) {
	src, err := os.ReadFile(onceFile)
	if err != nil {
		t.Fatal(err)
	}
	for i, chunk := range strings.Split(string(src), "\n---\n") {
		t.Run("chunk"+strconv.Itoa(i), func(t *testing.T) {
			want := ""
			for _, line := range strings.Split(chunk, "\n") {
				if v, ok := strings.CutPrefix(line, "# unchecked: "); ok {
					want = v
				}
			}
			switch want {
			case "":
				t.Fatalf("no \"# unchecked:\" line:\n%s", chunk)
			case "syntax":
				return
			}
			_, dl := compileTest(t, chunk, nil)
			var errs diag.List
			for _, d := range dl {
				if d.Severity == diag.Error {
					errs = append(errs, d)
				}
			}
			if want == "ok" {
				if len(errs) > 0 {
					t.Errorf("want no error, got %v\n%s", errs, chunk)
				}
				return
			}
			if len(errs) == 0 {
				t.Errorf("want %s, compiled clean:\n%s", want, chunk)
			}
			for _, d := range errs {
				if d.Code != want {
					t.Errorf("want %s, got %v\n%s", want, d, chunk)
				}
				if d.Code == CodeUnchecked && d.Detail == "" {
					t.Errorf("%v has no detail", d)
				}
			}
		})
	}
}

// TestUncheckedOperator hands Compile an operator no parser produces; the
// checker reports it (KC2031), the interpreter only guards against it.
func TestUncheckedOperator(t *testing.T) {
	cfg := parseCfg(t, "request_route {\n\t$var(x) = 7 mod 2;\n\t$var(y) = -1;\n}\n")
	body := cfg.Items[0].(*ast.Route).Body.Stmts
	body[0].(*ast.Assign).RHS.(*ast.Binary).Op = "%"
	body[1].(*ast.Assign).RHS = &ast.Unary{Op: "+", X: &ast.IntLit{Value: 1}}
	prog, dl := Compile(cfg, &Env{Table: testTable(t)})
	if prog != nil || len(dl) != 2 {
		t.Fatalf("want two errors, got %v", dl)
	}
	for _, d := range dl {
		if d.Code != CodeUnchecked || !strings.Contains(d.Detail, "unknown operator") {
			t.Errorf("got %v (%s)", d, d.Detail)
		}
	}
}

// TestPVRefusedByModule checks that a pseudo-variable check resolves and
// its class refuses (here $var without a name) is the module's refusal,
// KC2204, not an unchecked tree; an unknown class is.
func TestPVRefusedByModule(t *testing.T) {
	for src, want := range map[string]string{
		"request_route {\n\t$var = 1;\n}\n":           CodeFixup,
		"request_route {\n\t$var(x) = $nope(y);\n}\n": CodeUnchecked,
	} {
		_, dl := compileTest(t, src, nil)
		if len(dl) != 1 || dl[0].Code != want {
			t.Errorf("%q: got %v, want one %s", src, dl, want)
		}
	}
}
