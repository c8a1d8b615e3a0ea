package ere

import "testing"

// TestCompile covers what glibc's regcomp accepts and Go's syntax reads
// differently, and what kamgo refuses (spec/deviations.md).
func TestCompile(t *testing.T) {
	cases := []struct {
		pat   string
		icase bool
		match []string
		miss  []string
		bad   bool
	}{
		{pat: `^abc$`, icase: true, match: []string{"ABC", "abc"}, miss: []string{"abcd"}},
		{pat: `^abc$`, match: []string{"abc"}, miss: []string{"ABC"}},
		// An escaped letter that is no class is the letter (5.6.3).
		{pat: `^\d$`, match: []string{"d"}, miss: []string{"1"}},
		{pat: `^\y$`, match: []string{"y"}},
		// Inside brackets a backslash is itself.
		{pat: `^[\d]$`, match: []string{`\`, "d"}, miss: []string{"1"}},
		{pat: `\<ab\>`, match: []string{"x ab y"}, miss: []string{"xab"}},
		{pat: "\\`a", match: []string{"ab"}, miss: []string{"ba"}},
		{pat: `b\'`, match: []string{"ab"}, miss: []string{"ba"}},
		{pat: `^[]a]$`, match: []string{"]", "a"}},
		{pat: `^[^]a]$`, match: []string{"b"}, miss: []string{"]"}},
		{pat: `^[[:digit:]]+$`, match: []string{"42"}, miss: []string{"x"}},
		{pat: `\.`, match: []string{"."}, miss: []string{"x"}},
		{pat: `a(`, bad: true},
		{pat: `a\`, bad: true},
		{pat: `[a`, bad: true},
		{pat: `[[:alpha:]`, bad: true},
		{pat: `[[:alpha]]`, bad: true},
		{pat: `(a)\1`, bad: true},
		{pat: `[[=a=]]`, bad: true},
		{pat: `[[.a.]]`, bad: true},
	}
	for _, c := range cases {
		re, err := Compile(c.pat, c.icase)
		if c.bad {
			if err == nil {
				t.Errorf("%q compiles, want an error", c.pat)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.pat, err)
			continue
		}
		for _, s := range c.match {
			if !re.MatchString(s) {
				t.Errorf("%q does not match %q", c.pat, s)
			}
		}
		for _, s := range c.miss {
			if re.MatchString(s) {
				t.Errorf("%q matches %q", c.pat, s)
			}
		}
	}
}
