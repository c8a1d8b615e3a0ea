// Package pvtest owns test support shared by kamgo's script-side modules
// (pv, xlog, cfgutils, jansson, json): a small pseudo-variable and format
// parser for building references in tests, a module.Host backed by a
// pv.Table, and the case files recorded from the real Kamailio.
package pvtest

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
)

// ParsePV parses one pseudo-variable written as text: $ci, $var(x),
// $(avp(x)[-1]), $(var(x){s.substr,1,$var(n)}{s.len}). It knows only what
// tests need; the configuration parser owns the full syntax.
func ParsePV(text string) (*ast.PVar, error) {
	p, n, err := parsePV(text)
	if err != nil {
		return nil, err
	}
	if n != len(text) {
		return nil, fmt.Errorf("trailing text after %q", text[:n])
	}
	return p, nil
}

// parsePV parses a pseudo-variable at the start of s and returns how many
// bytes it used.
func parsePV(s string) (*ast.PVar, int, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, 0, fmt.Errorf("%q: not a pseudo-variable", s)
	}
	i := 1
	paren := false
	if i < len(s) && s[i] == '(' {
		paren = true
		i++
	}
	start := i
	for i < len(s) && (isAlnum(s[i]) || s[i] == '_') {
		i++
	}
	p := &ast.PVar{Class: s[start:i]}
	if p.Class == "" {
		return nil, 0, fmt.Errorf("%q: missing class name", s)
	}
	if i < len(s) && s[i] == '(' {
		end, err := closing(s, i, '(', ')')
		if err != nil {
			return nil, 0, err
		}
		p.Name = &ast.PVName{Text: s[i+1 : end]}
		i = end + 1
	}
	if paren {
		if i < len(s) && s[i] == '[' {
			end, err := closing(s, i, '[', ']')
			if err != nil {
				return nil, 0, err
			}
			idx := s[i+1 : end]
			p.Index = &ast.PVIndex{}
			switch {
			case idx == "*":
				p.Index.All = true
			case strings.HasPrefix(idx, "$"):
				q, err := ParsePV(idx)
				if err != nil {
					return nil, 0, err
				}
				p.Index.PV = q
			default:
				if _, err := fmt.Sscanf(idx, "%d", &p.Index.N); err != nil {
					return nil, 0, fmt.Errorf("bad index %q", idx)
				}
			}
			i = end + 1
		}
		for i < len(s) && s[i] == '{' {
			end, err := closing(s, i, '{', '}')
			if err != nil {
				return nil, 0, err
			}
			tr, err := ParseTrans(s[i+1 : end])
			if err != nil {
				return nil, 0, err
			}
			p.Trans = append(p.Trans, tr)
			i = end + 1
		}
		if i >= len(s) || s[i] != ')' {
			return nil, 0, fmt.Errorf("%q: missing ')'", s)
		}
		i++
	}
	p.Text = s[:i]
	return p, i, nil
}

// ParseTrans parses the inside of one transformation: "s.substr,1,$var(n)".
func ParseTrans(s string) (*ast.Trans, error) {
	parts, err := splitParams(s)
	if err != nil {
		return nil, err
	}
	head := parts[0]
	dot := strings.IndexByte(head, '.')
	if dot <= 0 {
		return nil, fmt.Errorf("bad transformation %q", s)
	}
	tr := &ast.Trans{Class: head[:dot], Op: head[dot+1:]}
	for _, p := range parts[1:] {
		if strings.HasPrefix(p, "$") {
			q, err := ParsePV(p)
			if err != nil {
				return nil, err
			}
			tr.Params = append(tr.Params, &ast.TransParam{Text: p, PV: q})
			continue
		}
		tr.Params = append(tr.Params, &ast.TransParam{Text: p})
	}
	return tr, nil
}

// splitParams splits at commas outside parentheses; "\," is a literal comma.
func splitParams(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
			continue
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String()), nil
}

// closing returns the index of the bracket closing the one at s[i].
func closing(s string, i int, open, close byte) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, fmt.Errorf("%q: unbalanced %c", s, open)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ParseFormat splits a format string into literal text and
// pseudo-variables. A '$' that does not start a reference stays literal.
func ParseFormat(s string) (*ast.Format, error) {
	f := &ast.Format{}
	var lit strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '$' && i+1 < len(s) && (s[i+1] == '(' || isAlnum(s[i+1]) || s[i+1] == '_') {
			p, n, err := parsePV(s[i:])
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				f.Parts = append(f.Parts, ast.FormatPart{Lit: lit.String()})
				lit.Reset()
			}
			f.Parts = append(f.Parts, ast.FormatPart{PV: p})
			i += n
			continue
		}
		lit.WriteByte(s[i])
		i++
	}
	if lit.Len() > 0 {
		f.Parts = append(f.Parts, ast.FormatPart{Lit: lit.String()})
	}
	return f, nil
}
