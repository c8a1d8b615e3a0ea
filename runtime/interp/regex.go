package interp

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
)

// Kamailio compiles `=~` patterns with POSIX regcomp(REG_EXTENDED|REG_NOSUB|
// REG_ICASE) and switch `case /"re":` patterns with REG_EXTENDED|REG_NOSUB
// (case-sensitive). Go's regexp is RE2. With REG_NOSUB only "does it match"
// matters, so leftmost-longest versus leftmost-first makes no difference.
// translateERE rewrites what differs in syntax:
//
//   - inside a bracket expression a backslash is literal in POSIX ([\d]
//     is '\' or 'd'); it is escaped for Go;
//   - outside brackets glibc knows \w \W \s \S \b \B \< \> \` \' and
//     treats any other escaped letter or digit as the letter itself
//     ("\d" matches "d", observed on 5.6.3); \< and \> become \b,
//     \` and \' become \A and \z;
//   - back-references (\1) and [=x=] / [.x.] are not supported: an error.
func translateERE(pat string, icase bool) (string, error) {
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

// compileERE compiles a POSIX extended regular expression.
func compileERE(pat string, icase bool) (*regexp.Regexp, error) {
	t, err := translateERE(pat, icase)
	if err != nil {
		return nil, err
	}
	return regexp.Compile(t)
}

// reCache remembers the last pattern compiled at one call site whose
// pattern is not constant, so a pattern that rarely changes is compiled
// once instead of per event.
type reCache struct {
	last atomic.Pointer[reEntry]
}

type reEntry struct {
	pat string
	re  *regexp.Regexp
	err error
}

func (rc *reCache) get(pat string, icase bool) (*regexp.Regexp, error) {
	if e := rc.last.Load(); e != nil && e.pat == pat {
		return e.re, e.err
	}
	re, err := compileERE(pat, icase)
	rc.last.Store(&reEntry{pat: pat, re: re, err: err})
	return re, err
}
