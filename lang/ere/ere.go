// Package ere reads POSIX extended regular expressions as Kamailio 5.6.3
// compiles them (glibc regcomp with REG_EXTENDED) and turns them into Go
// regexps. It is the one place that decides whether a constant pattern of
// the configuration language compiles: lang/check refuses the patterns it
// cannot translate, and runtime/interp compiles the same translation.
//
// Kamailio compiles `=~` patterns with REG_EXTENDED|REG_NOSUB|REG_ICASE
// and switch `case /"re":` patterns with REG_EXTENDED|REG_NOSUB (case
// sensitive). With REG_NOSUB only "does it match" matters, so POSIX's
// leftmost-longest and RE2's leftmost-first cannot be told apart. What
// differs is syntax:
//
//   - inside a bracket expression a backslash is literal in POSIX ([\d]
//     is '\' or 'd'); it is escaped for Go;
//   - outside brackets glibc knows \w \W \s \S \b \B \< \> \` \' and
//     reads any other escaped letter or digit as the letter itself
//     ("\d" matches "d", observed on 5.6.3); \< and \> become \b, \` and
//     \' become \A and \z;
//   - back-references (\1) and [=x=] / [.x.] have no RE2 equivalent: they
//     are refused (spec/deviations.md).
package ere

import (
	"fmt"
	"regexp"
	"strings"
)

// Compile compiles a POSIX extended regular expression, case-insensitive
// when icase is set.
func Compile(pat string, icase bool) (*regexp.Regexp, error) {
	t, err := Translate(pat, icase)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(t)
}

// Translate rewrites a POSIX extended regular expression in Go's syntax.
func Translate(pat string, icase bool) (string, error) {
	var b strings.Builder
	if icase {
		b.WriteString("(?i)")
	}
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '\\':
			if i+1 >= len(pat) {
				return "", fmt.Errorf("trailing backslash")
			}
			i++
			e := pat[i]
			switch {
			case strings.IndexByte("wWsSbB", e) >= 0:
				b.WriteByte('\\')
				b.WriteByte(e)
			case e == '<' || e == '>':
				b.WriteString(`\b`)
			case e == '`':
				b.WriteString(`\A`)
			case e == '\'':
				b.WriteString(`\z`)
			case e >= '1' && e <= '9':
				return "", fmt.Errorf("back-reference \\%c is not supported", e)
			case isAlnum(e):
				b.WriteByte(e)
			default:
				b.WriteString(regexp.QuoteMeta(string(e)))
			}
		case '[':
			j, err := bracket(pat, i, &b)
			if err != nil {
				return "", err
			}
			i = j
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// bracket copies the bracket expression starting at pat[i] == '[' and
// returns the index of its closing ']'.
func bracket(pat string, i int, b *strings.Builder) (int, error) {
	b.WriteByte('[')
	j := i + 1
	if j < len(pat) && pat[j] == '^' {
		b.WriteByte('^')
		j++
	}
	if j < len(pat) && pat[j] == ']' {
		b.WriteString(`\]`)
		j++
	}
	for ; j < len(pat); j++ {
		c := pat[j]
		switch {
		case c == ']':
			b.WriteByte(']')
			return j, nil
		case c == '[' && j+1 < len(pat) && (pat[j+1] == ':' || pat[j+1] == '=' || pat[j+1] == '.'):
			kind := pat[j+1]
			end := strings.Index(pat[j+2:], string(kind)+"]")
			if end < 0 {
				return 0, fmt.Errorf("unterminated [%c in bracket expression", kind)
			}
			if kind != ':' {
				return 0, fmt.Errorf("[%c%c] in bracket expressions is not supported", kind, kind)
			}
			b.WriteString(pat[j : j+2+end+2])
			j += 2 + end + 1
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return 0, fmt.Errorf("brackets ([ ]) not balanced")
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
