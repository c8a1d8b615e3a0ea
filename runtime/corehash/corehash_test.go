package corehash

import "testing"

// TestSum pins values Kamailio 5.6.3 printed: pv's {s.corehash} and
// {s.corehash,16} of "abc" (modules/pv/testdata/trans.txt, s-corehash) and
// cfgutils' core_hash() (modules/cfgutils/testdata/cfgutils.txt,
// core-hash: core_hash(s1, s2, n) returns the slot of size 1<<n plus one).
func TestSum(t *testing.T) {
	for _, tt := range []struct {
		s1, s2 string
		size   uint32
		want   uint32
	}{
		{"abc", "", 0, 7167810},
		{"abc", "", 16, 2},
		{"abc", "", 2, 0},           // core_hash("abc", "", "0") = 1
		{"abc", "", 1 << 16, 24386}, // core_hash("abc", "", "16") = 24387
		{"alice", "bob", 1, 0},      // core_hash("alice", "bob", "1024") = 1: 1<<(1024&31) is 1
	} {
		if got := Sum(tt.s1, tt.s2, tt.size); got != tt.want {
			t.Errorf("Sum(%q, %q, %d) = %d, want %d", tt.s1, tt.s2, tt.size, got, tt.want)
		}
	}
}
