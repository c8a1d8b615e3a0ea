package preproc

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kamgo/kamgo/lang/diag"
)

// substRule is one #!subst "/regex/replacement/flags" rule. Kamailio applies
// every rule, in order, to each later string and pseudo-variable token.
type substRule struct {
	re     *regexp.Regexp
	repl   string // in regexp.Expand syntax
	global bool
}

// parseSubst splits a sed-like expression: the first character is the
// separator, which a backslash escapes inside the parts.
func parseSubst(expr string) (re, repl, flags string, err error) {
	if len(expr) < 4 {
		return "", "", "", fmt.Errorf("expression %q is too short", expr)
	}
	sep := expr[0]
	if sep == '\\' || isAlnum(sep) {
		return "", "", "", fmt.Errorf("invalid separator %q", sep)
	}
	var parts []string
	begin := 1
	for i := 1; i < len(expr) && len(parts) < 2; i++ {
		if expr[i] == sep && expr[i-1] != '\\' {
			parts = append(parts, expr[begin:i])
			begin = i + 1
		}
	}
	if len(parts) < 2 {
		return "", "", "", fmt.Errorf("separator %q not found after the %s", sep, map[int]string{0: "regular expression", 1: "replacement"}[len(parts)])
	}
	esc := `\` + string(sep)
	return strings.ReplaceAll(parts[0], esc, string(sep)), strings.ReplaceAll(parts[1], esc, string(sep)), expr[begin:], nil
}

func compileSubst(expr string) (substRule, []string, error) {
	reText, repl, flags, err := parseSubst(expr)
	if err != nil {
		return substRule{}, nil, err
	}
	var r substRule
	prefix := ""
	for _, c := range flags {
		switch c {
		case 'g':
			r.global = true
		case 'i':
			prefix = "(?i)"
		case 's':
		default:
			return substRule{}, nil, fmt.Errorf("unknown flag %q", c)
		}
	}
	r.re, err = regexp.Compile(prefix + reText)
	if err != nil {
		return substRule{}, nil, fmt.Errorf("bad regular expression %q: %v", reText, err)
	}
	// Replacement: \0-\9 are groups, other escapes stand for the character.
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\' && i+1 < len(repl) && isDigit(repl[i+1]):
			fmt.Fprintf(&b, "${%c}", repl[i+1])
			i++
		case c == '\\' && i+1 < len(repl):
			i++
			switch repl[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(repl[i])
			}
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	r.repl = b.String()
	return r, []string{reText, repl}, nil
}

// apply returns s with the rule applied, or s unchanged when it does not
// match.
func (r *substRule) apply(s string) string {
	if r.global {
		return r.re.ReplaceAllString(s, r.repl)
	}
	m := r.re.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	out := r.re.ExpandString(nil, r.repl, s, m)
	return s[:m[0]] + string(out) + s[m[1]:]
}

// substRun applies every subst rule to a string or pvar token's text.
func (p *pp) substRun(s string) string {
	for i := range p.substs {
		if s == "" {
			break
		}
		s = p.substs[i].apply(s)
	}
	return s
}

// flushSubst consumes the finished String at p.substIdx as the argument of
// the pending #!subst, #!substdef or #!substdefs. The directive and its
// string are dropped from the token stream: the rule is applied here.
func (p *pp) flushSubst() {
	i := p.substIdx
	dir := p.substDir
	p.substIdx, p.substDir = -1, ""
	if i < 0 || i >= len(p.toks) {
		return
	}
	t := p.toks[i]
	p.toks = append(p.toks[:i], p.toks[i+1:]...)
	r := t.Range()
	rule, parts, err := compileSubst(t.Text)
	if err != nil {
		code := "KC0141"
		if dir != "#!subst" {
			code = "KC0142"
		}
		p.errorAt(code, r, "%s: %v", dir, err)
		return
	}
	p.substs = append(p.substs, rule)
	if dir == "#!subst" {
		return
	}
	name, value := parts[0], parts[1]
	if !validName(name) {
		p.errorAt("KC0142", r, "%s: %q is not a valid define name", dir, name)
		return
	}
	if dir == "#!substdefs" {
		value = `"` + value + `"`
	}
	if old, exists := p.defs[name]; exists {
		d := p.errorAt("KC0103", r, "%s is already defined", name)
		if old.at.Start.IsValid() {
			d.Related = append(d.Related, diagRelated(old))
		}
		return
	}
	p.setDefine(name, value, r)
}

func diagRelated(d *define) diag.Related {
	return diag.Related{Message: "first defined here", Range: d.at}
}
