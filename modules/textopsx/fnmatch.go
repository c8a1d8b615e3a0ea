package textopsx

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

func (m *Module) compileFnmatch(h module.Host, args []*module.Arg) (module.Call, error) {
	fs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if fnmatch(fs[1](c), fs[0](c)) {
			return 1
		}
		return -1
	}, nil
}

// fnmatch reports whether s matches the shell pattern pat as glibc's
// fnmatch does without flags: '*' is any text ('/' and a leading '.'
// included), '?' one byte, [...] a set (ranges, [:class:], '!' or '^'
// negating, a ']' first taken literally; a '[' without its ']' is
// literal), and a backslash makes the next byte literal. The flags
// argument of fnmatch() changes nothing: Kamailio 5.6.3 as Debian builds
// it has no FNM_CASEFOLD, so "i" does not fold case.
func fnmatch(pat, s string) bool {
	// Backtracking over the last '*' is enough: a later '*' can only
	// need the text an earlier one gave up.
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(pat) {
			switch c := pat[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				pi++
				si++
				continue
			case '[':
				if n, ok, closed := matchSet(pat, pi, s[si]); closed {
					if ok {
						pi, si = n, si+1
						continue
					}
				} else if s[si] == '[' {
					pi, si = pi+1, si+1
					continue
				}
			case '\\':
				lit := byte('\\')
				next := pi + 1
				if next < len(pat) {
					lit, next = pat[next], next+1
				}
				if s[si] == lit {
					pi, si = next, si+1
					continue
				}
			default:
				if s[si] == c {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		pi, si = starP+1, starS
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

// matchSet matches c against the bracket expression at pat[i] ('[');
// next is the index after its ']'. closed is false when the expression
// has no ']': the '[' is then a literal.
func matchSet(pat string, i int, c byte) (next int, ok, closed bool) {
	i++
	neg := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		neg = true
		i++
	}
	hit := false
	first := true
	for i < len(pat) {
		b := pat[i]
		if b == ']' && !first {
			return i + 1, hit != neg, true
		}
		first = false
		if b == '[' && i+1 < len(pat) && pat[i+1] == ':' {
			if end := indexFrom(pat, i+2, ":]"); end >= 0 {
				if inClass(pat[i+2:end], c) {
					hit = true
				}
				i = end + 2
				continue
			}
		}
		if b == '\\' && i+1 < len(pat) {
			i++
			b = pat[i]
		}
		lo, hi := b, b
		if i+2 < len(pat) && pat[i+1] == '-' && pat[i+2] != ']' {
			hi = pat[i+2]
			if hi == '\\' && i+3 < len(pat) {
				hi = pat[i+3]
				i++
			}
			i += 2
		}
		if lo <= c && c <= hi {
			hit = true
		}
		i++
	}
	return 0, false, false
}

func indexFrom(s string, from int, sub string) int {
	for j := from; j+len(sub) <= len(s); j++ {
		if s[j:j+len(sub)] == sub {
			return j
		}
	}
	return -1
}

// inClass reports whether c is in the POSIX character class name (C
// locale).
func inClass(name string, c byte) bool {
	upper := c >= 'A' && c <= 'Z'
	lower := c >= 'a' && c <= 'z'
	digit := c >= '0' && c <= '9'
	switch name {
	case "alpha":
		return upper || lower
	case "digit":
		return digit
	case "alnum":
		return upper || lower || digit
	case "upper":
		return upper
	case "lower":
		return lower
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r')
	case "blank":
		return c == ' ' || c == '\t'
	case "punct":
		return c > ' ' && c < 0x7f && !upper && !lower && !digit
	case "print":
		return c >= ' ' && c < 0x7f
	case "graph":
		return c > ' ' && c < 0x7f
	case "cntrl":
		return c < ' ' || c == 0x7f
	case "xdigit":
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
	}
	return false
}
