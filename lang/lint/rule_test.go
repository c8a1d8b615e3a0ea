package lint

import (
	"regexp"
	"testing"
)

// TestShapes holds idShape and nameShape to the patterns they stand for.
func TestShapes(t *testing.T) {
	id := regexp.MustCompile(`^KL[1-9]\d{3}$`)
	for _, s := range []string{"KL1001", "KL9999", "KL0001", "KL100", "KL10001", "kl1001", "KC1001", "KL1a01", "", "KL", "KL1001 "} {
		if got, want := idShape(s), id.MatchString(s); got != want {
			t.Errorf("idShape(%q) = %v, want %v", s, got, want)
		}
	}
	name := regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	for _, s := range []string{"a", "unused-route", "a1-b2-c3", "a-1", "-a", "a-", "a--b", "A", "1a", "a_b", "a-b-", "", "ab-Cd", "é"} {
		if got, want := nameShape(s), name.MatchString(s); got != want {
			t.Errorf("nameShape(%q) = %v, want %v", s, got, want)
		}
	}
}
