package cfgutils

import (
	"strconv"

	"github.com/kamgo/kamgo/runtime/module"
)

// argText is an argument's text as a Kamailio fixup receives it: a string
// literal's value, or the digits of an integer literal (numbers reach
// fixups as strings). ok is false for anything else.
func argText(a *module.Arg) (string, bool) {
	if s, ok := a.Literal(); ok {
		return s, true
	}
	if n, ok := a.IntLiteral(); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// str2sint is Kamailio's str2sint: an optional sign and decimal digits,
// nothing else ("" is 0); out-of-range values fail.
func str2sint(s string) (int64, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	if n > 1<<31-1 {
		return 0, false
	}
	return n, true
}
