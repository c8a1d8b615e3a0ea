package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestCodesDisjoint checks that no diagnostic code is defined by two
// packages and that every code has the KCnnnn shape and a title.
func TestCodesDisjoint(t *testing.T) {
	shape := regexp.MustCompile(`^KC\d{4}$`)
	seen := map[string]string{}
	for _, table := range codeTables() {
		for code, title := range table {
			if !shape.MatchString(code) || title == "" {
				t.Errorf("bad code %q (%q)", code, title)
			}
			if prev, dup := seen[code]; dup && prev != title {
				t.Errorf("%s is both %q and %q", code, prev, title)
			}
			seen[code] = title
		}
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"explain", "kc2001"}, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "unknown function") {
		t.Errorf("explain KC2001: exit %d, %q %q", code, out.String(), errOut.String())
	}
}
