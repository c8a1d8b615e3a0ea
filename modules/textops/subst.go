package textops

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/ere"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// subst is a compiled sed-like `/re/replacement/flags` expression, as
// Kamailio's subst_parser reads it: the first character separates the
// parts (a backslash escapes it in the expression); the flags are i (case
// insensitive), g (every match) and s (dot and anchors cross line ends:
// without it the expression is compiled with REG_NEWLINE). The
// replacement holds \0 to \9 (groups), \u (the Request-URI), \n \r \t \\
// \$, any other escaped character as itself, and pseudo-variables.
type subst struct {
	re     *regexp.Regexp
	repl   []replPart
	global bool
}

// replPart is one piece of a replacement: literal text, a group (\N), the
// Request-URI (\u) or a pseudo-variable.
type replPart struct {
	lit   string
	group int // -1 when not a group
	uri   bool
	pv    *pv.Ref
}

// errEmptyMatch is subst_run's failure on a match of no characters.
var errEmptyMatch = errors.New("matched string is empty")

// parseSubst compiles expr; h compiles the pseudo-variables of the
// replacement (nil refuses them).
func parseSubst(h module.Host, expr string) (*subst, error) {
	if len(expr) < 3 {
		return nil, fmt.Errorf("expression is too short: %s", expr)
	}
	sep := expr[0]
	if sep == '\\' {
		return nil, fmt.Errorf("invalid separator char <%c> in %s", sep, expr)
	}
	p := 1
	for ; p < len(expr); p++ {
		if expr[p] == sep && expr[p-1] != '\\' {
			break
		}
	}
	if p >= len(expr) {
		return nil, fmt.Errorf("no separator found: %s", expr)
	}
	reText := expr[1:p]
	if len(expr) < p+2 {
		return nil, errors.New("string too short")
	}
	s := &subst{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			s.repl = append(s.repl, replPart{lit: lit.String(), group: -1})
			lit.Reset()
		}
	}
	i := p + 1
	closed := false
	for ; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			i++
			e := expr[i]
			switch {
			case e == 'n':
				lit.WriteByte('\n')
			case e == 'r':
				lit.WriteByte('\r')
			case e == 't':
				lit.WriteByte('\t')
			case e == 'u':
				flush()
				s.repl = append(s.repl, replPart{uri: true, group: -1})
			case e >= '0' && e <= '9':
				flush()
				s.repl = append(s.repl, replPart{group: int(e - '0')})
			default:
				lit.WriteByte(e)
			}
		case c == '$':
			f, _ := pvsyntax.ParseFormat(expr[i:], diag.Range{})
			if h == nil || len(f.Parts) == 0 || f.Parts[0].PV == nil {
				return nil, fmt.Errorf("bad specifier in replace part %s", expr[p:])
			}
			text := f.Parts[0].PV.Text
			r, err := h.CompilePV(text, diag.Range{})
			if err != nil {
				return nil, fmt.Errorf("bad specifier in replace part %s", expr[p:])
			}
			flush()
			s.repl = append(s.repl, replPart{pv: r, group: -1})
			i += len(text) - 1
		case c == sep:
			closed = true
		default:
			lit.WriteByte(c)
		}
		if closed {
			break
		}
	}
	if !closed {
		return nil, fmt.Errorf("missing separator: %s", expr[p:])
	}
	flush()
	newline := true
	icase := false
	for _, f := range expr[i+1:] {
		switch f {
		case 'i':
			icase = true
		case 's':
			newline = false
		case 'g':
			s.global = true
		default:
			return nil, fmt.Errorf("unknown flag %c in %s", f, expr)
		}
	}
	re, err := compileRE(reText, icase, newline)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %s in %s", reText, expr)
	}
	s.re = re
	return s, nil
}

// compileRE compiles a POSIX extended regular expression as regcomp does
// with REG_EXTENDED, and REG_ICASE and REG_NEWLINE as asked. Matches are
// leftmost-longest, as POSIX's.
func compileRE(pat string, icase, newline bool) (*regexp.Regexp, error) {
	t, err := ere.Translate(pat, icase)
	if err != nil {
		return nil, err
	}
	if newline {
		t = "(?m)" + t
	} else {
		t = "(?s)" + t
	}
	re, err := regexp.Compile(t)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}

// match is one replacement subst found: Len bytes at At of the input are
// replaced by Text.
type match struct {
	at, n int
	text  string
}

// run finds the matches in input (the first, or all with the g flag) and
// builds each replacement. A match of no characters is an error, as in
// Kamailio.
func (s *subst) run(c *event.Context, m *sipmsg.Msg, input string) ([]match, error) {
	var locs [][]int
	if s.global {
		locs = s.re.FindAllStringSubmatchIndex(input, -1)
	} else if l := s.re.FindStringSubmatchIndex(input); l != nil {
		locs = [][]int{l}
	}
	out := make([]match, 0, len(locs))
	for _, l := range locs {
		if l[0] == l[1] {
			return nil, errEmptyMatch
		}
		out = append(out, match{at: l[0], n: l[1] - l[0], text: s.build(c, m, input, l)})
	}
	return out, nil
}

func (s *subst) build(c *event.Context, m *sipmsg.Msg, input string, loc []int) string {
	var b strings.Builder
	for _, p := range s.repl {
		switch {
		case p.group >= 0:
			if 2*p.group+1 < len(loc) && loc[2*p.group] >= 0 {
				b.WriteString(input[loc[2*p.group]:loc[2*p.group+1]])
			}
		case p.uri:
			if m != nil && m.IsRequest() {
				b.WriteString(m.RequestURI())
			}
		case p.pv != nil:
			if v := p.pv.Get(c); !v.IsNull() {
				b.WriteString(v.String())
			}
		default:
			b.WriteString(p.lit)
		}
	}
	return b.String()
}

// apply returns input with the matches replaced; ok is false when nothing
// matched.
func (s *subst) apply(c *event.Context, m *sipmsg.Msg, input string) (string, bool, error) {
	ms, err := s.run(c, m, input)
	if err != nil || len(ms) == 0 {
		return input, false, err
	}
	var b strings.Builder
	pos := 0
	for _, x := range ms {
		b.WriteString(input[pos:x.at])
		b.WriteString(x.text)
		pos = x.at + x.n
	}
	b.WriteString(input[pos:])
	return b.String(), true, nil
}
