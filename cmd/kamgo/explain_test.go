package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/catalog"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// owners are the packages that report diagnostic codes.
var owners = []string{"lang/preproc", "lang/pvsyntax", "lang/parser", "lang/check", "runtime/server", "runtime/interp"}

// TestCodesDisjoint checks that every declared code has the KCnnnn shape,
// a title and an ID inside its package's range, so that no two packages
// can declare the same ID (a second declaration of an ID panics at start).
func TestCodesDisjoint(t *testing.T) {
	byOwner := map[string]int{}
	seen := map[string]bool{}
	for _, c := range diag.Codes() {
		if err := diag.InRange(c.Owner, c.ID); err != nil {
			t.Error(err)
		}
		if c.Title == "" {
			t.Errorf("%s has no title", c.ID)
		}
		if seen[c.ID] {
			t.Errorf("%s listed twice", c.ID)
		}
		seen[c.ID] = true
		byOwner[c.Owner]++
	}
	for _, o := range owners {
		if byOwner[o] == 0 {
			t.Errorf("%s declares no codes", o)
		}
	}
}

// TestCodesUsedAreDeclared checks that every code written in the sources
// ("KCnnnn" in a non-test Go file) is declared. lang/diag is left out: its
// IDs are the bounds of the ranges it allocates.
func TestCodesUsedAreDeclared(t *testing.T) {
	lit := regexp.MustCompile(`"(KC\d{4})"`)
	skip := filepath.Join("..", "..", "lang", "diag")
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "../.." || d.Name() == "testdata" || path == skip) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			if _, ok := diag.Lookup(m[1]); !ok {
				t.Errorf("%s: code %s is not declared", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCodesExplained checks that every code has an explanation and an
// example.
func TestCodesExplained(t *testing.T) {
	for _, owner := range owners {
		t.Run(strings.ReplaceAll(owner, "/", "_"), func(t *testing.T) {
			for _, c := range diag.Codes() {
				if c.Owner != owner {
					continue
				}
				if strings.TrimSpace(c.Explain) == "" || strings.TrimSpace(c.Example) == "" {
					t.Errorf("%s (%s) lacks an explanation or an example", c.ID, c.Title)
				}
			}
		})
	}
}

// exampleNotRun lists the codes whose example is not a config kamgo check
// can be run on, and why.
var exampleNotRun = map[string]string{
	"KC0002": "a NUL byte cannot be shown in the text",
	"KC0007": "a command line: the input must be 16 MiB",
	"KC0008": "a command line: the file does not exist",
	"KC0009": "a command line: it takes 200 errors",
	"KC0104": "abridged: it takes 513 defines",
	"KC0106": "abridged: it takes 65 nested defines",
	"KC0107": "a command line: -A",
	"KC0123": "abridged: it takes 513 nested #!ifdef",
	"KC0161": "it takes eleven files",
	"KC0512": "abridged: it takes 201 levels",
	"KC0524": "abridged: it takes 51 errors",
	"KC2107": "a reload: two configs, one after the other",
	"KC2109": "it takes a module kamgo does not ship: those it ships never clash",
	"KC2110": "the hosts resolve when the SIP sockets open, not when the configuration loads (runtime/server's tests show it)",
	"KC2214": "Go code: a program that skips check (runtime/interp's tests show it)",
}

// exampleReportedAs maps a code to the one kamgo check reports for the same
// mistake in its example. A retired code of the runtime packages needs an
// entry: the code that reports its mistake now.
var exampleReportedAs = map[string]string{
	"KC0403": check.CodeFormat, // format strings of module functions
	"KC0515": "KC0528",         // the parser stops at the first character that cannot be in a name
	"KC2031": "KC0509",         // the parser refuses an operator the language lacks before check sees it
	"KC2102": check.CodeModparamUnknown,
	"KC2103": check.CodeModparamType,
	"KC2104": check.CodeModparamNoModule,
	"KC2201": check.CodeUnknownFunc,
	"KC2202": check.CodeUndefinedRoute,
	"KC2203": check.CodeArity,
	"KC2205": check.CodeUnknownPV,
	"KC2206": check.CodeTypeMismatch,
	"KC2207": check.CodeRegex,
	"KC2208": check.CodeFlag,
	"KC2209": check.CodeReadOnlyPV,
	"KC2210": "KC2213", // what kamgo does not run, found when it loads
	"KC2211": check.CodeDuplicateRoute,
	"KC2212": check.CodeReturnType,
}

// exampleFiles are the files an example may include, besides itself.
var exampleFiles = map[string]string{
	"routes.cfg": "route[FROM_ROUTES_CFG] {\n\texit;\n}\n",
}

// exampleOptions are the preprocessor options an example needs.
var exampleOptions = map[string]preproc.Options{
	"KC0110": {Version: [3]int{5, 7, 0}},
	"KC0111": {Version: [3]int{5, 7, 0}},
}

// TestCodeExamples runs kamgo check on the example of every code of the
// lang packages: the example must get its code, and its fix no diagnostic
// at all. A reserved code must not be reported by its example (when a check
// comes to report it, Reserved goes).
func TestCodeExamples(t *testing.T) {
	for _, c := range diag.Codes() {
		if !strings.HasPrefix(c.Owner, "lang/") {
			continue
		}
		if why, ok := exampleNotRun[c.ID]; ok {
			if why == "" {
				t.Errorf("%s: no reason", c.ID)
			}
			continue
		}
		got := exampleCodes(c.ID, c.Example)
		want := c.ID
		if w, ok := exampleReportedAs[c.ID]; ok {
			want = w
		}
		switch {
		case c.Reserved && got[want]:
			t.Errorf("%s is reserved but its example gets it: drop Reserved", c.ID)
		case !c.Reserved && !got[want]:
			t.Errorf("%s: the example gets %v, not %s:\n%s", c.ID, sortedKeys(got), want, c.Example)
		}
		if c.Fix != "" {
			if got := exampleCodes(c.ID, c.Fix); len(got) > 0 {
				t.Errorf("%s: the fix gets %v:\n%s", c.ID, sortedKeys(got), c.Fix)
			}
		}
	}
}

// exampleCodes checks text as the file kamailio.cfg in an empty
// environment, where includes find only kamailio.cfg itself and
// exampleFiles, and returns the codes reported.
func exampleCodes(id, text string) map[string]bool {
	_, diags := exampleCheck(id, text)
	return codeSet(diags)
}

func codeSet(diags diag.List) map[string]bool {
	got := map[string]bool{}
	for _, d := range diags {
		got[d.Code] = true
	}
	return got
}

// exampleCheck is kamgo check on an example (see exampleCodes).
func exampleCheck(id, text string) (*ast.Config, diag.List) {
	opts := exampleOptions[id]
	opts.Env = func(string) (string, bool) { return "", false }
	opts.ReadFile = func(path string) ([]byte, error) {
		if filepath.Base(path) == "kamailio.cfg" {
			return []byte(text), nil
		}
		if f, ok := exampleFiles[filepath.Base(path)]; ok {
			return []byte(f), nil
		}
		return nil, fs.ErrNotExist
	}
	cfg, diags, _ := check.AnalyzeSource("kamailio.cfg", []byte(text), opts, exampleCatalog(text))
	return cfg, diags
}

// exampleCatalog is the catalog an example is checked against: the
// release its first line names ("# kamgo check --kamailio 5.6"), or the
// one the differential tests use.
func exampleCatalog(text string) *catalog.Catalog {
	first, _, _ := strings.Cut(text, "\n")
	if rel, ok := strings.CutPrefix(first, "# kamgo check --kamailio "); ok {
		if cat, err := module.CatalogFor(strings.TrimSpace(rel)); err == nil {
			return cat
		}
	}
	return module.Catalog()
}

// TestRuntimeCodeExamples loads the examples of the runtime packages' codes
// as kamgo run does. The example of a retired code gets the code that
// reports its mistake now (exampleReportedAs): from kamgo check, or, when
// check passes it, from the load. The example of a code in use passes
// kamgo check and gets the code when it is loaded; its fix loads clean.
func TestRuntimeCodeExamples(t *testing.T) {
	for _, c := range diag.Codes() {
		if !strings.HasPrefix(c.Owner, "runtime/") {
			continue
		}
		if _, ok := exampleNotRun[c.ID]; ok {
			continue
		}
		if c.Reserved {
			want, ok := exampleReportedAs[c.ID]
			if !ok {
				t.Errorf("%s is retired: exampleReportedAs must name the code that replaced it", c.ID)
				continue
			}
			got := exampleCodes(c.ID, c.Example)
			if len(got) == 0 {
				got = loadCodes(t, c.ID, c.Example)
			}
			if !got[want] {
				t.Errorf("%s: the example gets %v, not %s:\n%s", c.ID, sortedKeys(got), want, c.Example)
			}
			continue
		}
		if got := loadCodes(t, c.ID, c.Example); !got[c.ID] {
			t.Errorf("%s: loading the example gets %v:\n%s", c.ID, sortedKeys(got), c.Example)
		}
		if c.Fix != "" {
			if got := loadCodes(t, c.ID, c.Fix); len(got) > 0 {
				t.Errorf("%s: loading the fix gets %v:\n%s", c.ID, sortedKeys(got), c.Fix)
			}
		}
	}
}

// loadCodes checks text, which must be clean, then loads it as kamgo run
// does (without starting anything) and returns the codes of the load.
func loadCodes(t *testing.T, id, text string) map[string]bool {
	t.Helper()
	cfg, diags := exampleCheck(id, text)
	if diags.HasErrors() {
		t.Errorf("%s: kamgo check refuses the example: %v", id, diags)
		return nil
	}
	srv, ld := server.Load(cfg, server.Options{})
	if srv != nil {
		_ = srv.Stop(context.Background())
	}
	return codeSet(ld)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestExplain checks the command: the list, one code in full, and an
// unknown code.
func TestExplain(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"explain"}, &out, &errOut); code != exitOK ||
		!strings.Contains(out.String(), "KC2001  unknown function\n") || !strings.Contains(out.String(), "KC0501  missing ';'\n") {
		t.Errorf("explain: exit %d, %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run([]string{"explain", "kc2001"}, &out, &errOut); code != exitOK {
		t.Errorf("explain KC2001: exit %d, %q", code, errOut.String())
	}
	for _, want := range []string{"KC2001: unknown function\n", "\nExample:\n\n    loadmodule \"evapi.so\"\n", "        evapi_rely(", "\nFix:\n\n", "        evapi_relay("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain KC2001 lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"explain", "KC9999"}, &out, &errOut); code != exitFound || !strings.Contains(errOut.String(), "KC9999") {
		t.Errorf("explain KC9999: exit %d, %q", code, errOut.String())
	}
}
