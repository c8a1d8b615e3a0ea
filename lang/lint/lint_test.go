package lint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
)

// wantRe finds an expectation: "# want KL1001 "regexp"" at the end of the
// line it is about, or "# want:next ..." alone on the line before (for
// lines such as #!define, where a comment would change the line).
var (
	wantRe = regexp.MustCompile(`#\s*want(:next)?\s+(.*)$`)
	itemRe = regexp.MustCompile(`^\s*(K[LC]\d{4})\s+"((?:[^"\\]|\\.)*)"`)
)

type want struct {
	line int
	code string
	re   *regexp.Regexp
	used bool
}

// parseWants reads the expectations of a test config.
func parseWants(t *testing.T, name string, src []byte) []*want {
	var out []*want
	for i, line := range strings.Split(string(src), "\n") {
		m := wantRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		target := i + 1
		if m[1] != "" {
			target = i + 2
		}
		rest := m[2]
		for strings.TrimSpace(rest) != "" {
			it := itemRe.FindStringSubmatch(rest)
			if it == nil {
				t.Fatalf("%s:%d: bad want %q", name, i+1, rest)
			}
			// The pattern is a regular expression as written, with \"
			// for a quote.
			pat := strings.ReplaceAll(it[2], `\"`, `"`)
			out = append(out, &want{line: target, code: it[1], re: regexp.MustCompile(pat)})
			rest = rest[len(it[0]):]
		}
	}
	return out
}

// allRules runs every rule.
func allRules(t *testing.T) *Config {
	c := &Config{Checks: []string{"all"}}
	if err := c.compile(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRules runs the rule each testdata/KLnnnn*.cfg is named after on it
// (and the suppression tests with every rule), and compares the findings
// with the want comments: every want matched by one finding with its code
// on its line whose summary matches, and no other finding (check's
// warnings included).
func TestRules(t *testing.T) {
	files, err := filepath.Glob("testdata/*.cfg")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test configs: %v", err)
	}
	covered := map[string]bool{}
	for _, file := range files {
		conf := allRules(t)
		if base := filepath.Base(file); strings.HasPrefix(base, "KL") {
			c, err := (&Config{}).With([]string{"none", base[:6]})
			if err != nil {
				t.Fatal(err)
			}
			conf = c
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wants := parseWants(t, file, src)
		res := File(file, Options{Config: conf})
		if res.Skipped {
			t.Errorf("%s: rules skipped: %v", file, res.Diags)
			continue
		}
		for _, d := range res.Diags {
			matched := false
			for _, w := range wants {
				if !w.used && w.line == d.Subject.Start.Line && w.code == d.Code && w.re.MatchString(d.Summary+" "+d.Detail) {
					w.used, matched = true, true
					covered[d.Code] = true
					break
				}
			}
			if !matched {
				t.Errorf("%s: unexpected %s", file, describe(d))
			}
		}
		for _, w := range wants {
			if !w.used {
				t.Errorf("%s:%d: no %s finding matching %q", file, w.line, w.code, w.re)
			}
		}
	}
	for _, r := range Rules() {
		if !covered[r.ID] && r.ID != "KL3004" && r.ID != "KL5004" {
			t.Errorf("%s (%s) has no positive case in testdata", r.ID, r.Name)
		}
	}
}

func describe(d *diag.Diagnostic) string {
	return fmt.Sprintf("%s: %s: %s [%s] %s", d.Subject, d.Severity, d.Summary, d.Code, d.Detail)
}

// TestExamples checks that every rule's Bad example gets one of its
// findings and its Good example none.
func TestExamples(t *testing.T) {
	conf := allRules(t)
	for _, r := range Rules() {
		count := func(text string) (int, diag.List) {
			res := Source(r.ID+".cfg", []byte(text), Options{Config: conf})
			n := 0
			for _, d := range res.Diags {
				if d.Code == r.ID {
					n++
				}
			}
			return n, res.Diags
		}
		if n, l := count(r.Bad); n == 0 && r.ID != "KL3004" && r.ID != "KL5004" {
			t.Errorf("%s: the bad example gets no finding: %v", r.ID, l)
		}
		if n, l := count(r.Good); n != 0 {
			t.Errorf("%s: the good example gets %d findings: %v", r.ID, n, l)
		}
	}
}

// TestRegistry checks the rule set: at least 40 rules, every family
// several, IDs in order of their families.
func TestRegistry(t *testing.T) {
	rules := Rules()
	if len(rules) < 40 {
		t.Errorf("%d rules, want at least 40", len(rules))
	}
	per := map[byte]int{}
	for _, r := range rules {
		per[r.ID[2]]++
		if r2, ok := Lookup(r.Name); !ok || r2 != r {
			t.Errorf("%s: lookup by name %q fails", r.ID, r.Name)
		}
		if !strings.HasPrefix(r.URI(), DocsBase) {
			t.Errorf("%s: bad URI %s", r.ID, r.URI())
		}
	}
	for _, f := range Families {
		if per[f.Digit] < 2 {
			t.Errorf("family %c (%s) has %d rules", f.Digit, f.Name, per[f.Digit])
		}
	}
	ids := make([]string, 0, len(rules))
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("Rules() not sorted: %v", ids)
	}
}

var update = flag.Bool("update", false, "rewrite RULES.md")

// TestRulesDoc checks that RULES.md is the documentation the registry
// renders (go test -run TestRulesDoc -update rewrites it).
func TestRulesDoc(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, Rules()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("RULES.md", b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("RULES.md")
	if err != nil || !bytes.Equal(want, b.Bytes()) {
		t.Errorf("RULES.md is out of date: go test ./lang/lint -run TestRulesDoc -update")
	}
}
