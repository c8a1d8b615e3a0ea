// Package pvsyntax owns the inner syntax of pseudo-variables and of format
// strings: `$var(x)`, `$(hdr(Via)[0])`, `$(ru{uri.user}{s.len})`, and
// strings such as "from $fU to $(ru{uri.host})\n" that module functions
// expand. The parser uses it for pseudo-variable tokens; the checker and the
// runtime use the same code for string arguments, so all three agree.
package pvsyntax

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
)

// AttrClass is the class given to SER-style attributes ($f.did, %name),
// which Kamailio's core accepts as AVP references.
const AttrClass = "attr"

// maxDepth bounds nesting of pseudo-variables inside names, indexes and
// transformation parameters, so hostile input cannot exhaust the stack.
const maxDepth = 32

// ParsePV parses the full text of one pseudo-variable (as the scanner cut
// it, starting with '$'). r is the range of text in the source. On error it
// returns a diagnostic and a best-effort node (never nil).
func ParsePV(text string, r diag.Range) (*ast.PVar, *diag.Diagnostic) {
	p := &parser{src: text, rng: r}
	pv := p.pv(0)
	if p.err == nil && p.pos != len(text) {
		p.fail(CodeBadPV, p.pos, "unexpected %q after pseudo-variable %s", text[p.pos:], text[:p.pos])
	}
	if pv == nil {
		pv = &ast.PVar{Text: text, Class: className(text), Rng: r}
	}
	pv.Rng = r
	return pv, p.err
}

// className guesses the class of malformed text, for error recovery.
func className(text string) string {
	t := strings.TrimLeft(text, "$(")
	i := 0
	for i < len(t) && isNameChar(t[i]) {
		i++
	}
	return t[:i]
}

// ParseFormat parses a format string into literal parts and
// pseudo-variables. "$$" is a literal '$'; a '$' that starts no
// pseudo-variable is an error, as in Kamailio (it is kept as literal text in
// the returned format). r is the range of the string literal that holds s; positions of
// pseudo-variables inside it are approximated from byte offsets.
func ParseFormat(s string, r diag.Range) (*ast.Format, diag.List) {
	f := &ast.Format{Rng: r}
	var diags diag.List
	var lit strings.Builder
	i := 0
	for i < len(s) {
		c := s[i]
		if c != '$' {
			lit.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			lit.WriteByte('$')
			i += 2
			continue
		}
		if i+1 >= len(s) || !startsPV(s[i+1]) {
			diags = append(diags, &diag.Diagnostic{Severity: diag.Error, Code: CodeLoneDollar,
				Subject: sub(r, 1+i, 2+i), Summary: "'$' starts no pseudo-variable",
				Detail: "write $$ for a literal dollar sign"})
			lit.WriteByte(c)
			i++
			continue
		}
		p := &parser{src: s, pos: i, rng: r, base: 1}
		pv := p.pv(0)
		if p.err != nil || pv == nil {
			if p.err != nil {
				diags = append(diags, p.err)
			}
			lit.WriteByte(c)
			i++
			continue
		}
		if lit.Len() > 0 {
			f.Parts = append(f.Parts, ast.FormatPart{Lit: lit.String()})
			lit.Reset()
		}
		pv.Text = s[i:p.pos]
		pv.Rng = sub(r, 1+i, 1+p.pos)
		f.Parts = append(f.Parts, ast.FormatPart{PV: pv})
		i = p.pos
	}
	if lit.Len() > 0 {
		f.Parts = append(f.Parts, ast.FormatPart{Lit: lit.String()})
	}
	return f, diags
}

func startsPV(c byte) bool { return c == '(' || c == '?' || isNameChar(c) }

func isNameChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// sub returns the part of r from byte offset a to b, assuming r's text is
// on one line (pseudo-variables cannot span lines).
func sub(r diag.Range, a, b int) diag.Range {
	out := r
	if !r.Start.IsValid() {
		return out
	}
	out.Start.Col += a
	out.Start.Offset += a
	out.End = r.Start
	out.End.Col += b
	out.End.Offset += b
	return out
}

type parser struct {
	src  string
	pos  int
	rng  diag.Range
	base int // offset of src[0] from rng.Start (1 inside a quoted string)
	err  *diag.Diagnostic
}

func (p *parser) fail(code string, at int, format string, args ...any) {
	if p.err != nil {
		return
	}
	d := &diag.Diagnostic{Severity: diag.Error, Code: code, Subject: sub(p.rng, p.base+at, p.base+at+1)}
	d.Summary = fmt.Sprintf(format, args...)
	p.err = d
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// pv parses one pseudo-variable at p.pos (which holds '$').
func (p *parser) pv(depth int) *ast.PVar {
	start := p.pos
	if depth > maxDepth {
		p.fail(CodeBadPV, start, "pseudo-variables nested too deeply")
		return nil
	}
	if p.peek() == '%' && depth == 0 {
		// SER-style attribute: %name or %name.part
		p.pos++
		s := p.pos
		for p.pos < len(p.src) && (isNameChar(p.src[p.pos]) || p.src[p.pos] == '.') {
			p.pos++
		}
		if p.pos == s {
			p.fail(CodeBadPV, start, "expected an attribute name after '%%'")
			return nil
		}
		return &ast.PVar{Class: AttrClass, Name: &ast.PVName{Text: p.src[s:p.pos]}, Text: p.src[start:p.pos],
			Rng: sub(p.rng, p.base+start, p.base+p.pos)}
	}
	if p.peek() != '$' {
		p.fail(CodeBadPV, start, "pseudo-variable must start with '$'")
		return nil
	}
	p.pos++
	out := &ast.PVar{}
	switch c := p.peek(); {
	case c == '?':
		p.pos++
		out.Class = "rc"
	case c == '(':
		p.pos++
		if !p.inner(out, depth, true) {
			return nil
		}
		if p.peek() != ')' {
			p.fail(CodeBadPV, p.pos, "missing ')' to close $(")
			return nil
		}
		p.pos++
	case isNameChar(c):
		if !p.inner(out, depth, false) {
			return nil
		}
	default:
		p.fail(CodeBadPV, p.pos, "expected a pseudo-variable name after '$'")
		return nil
	}
	if out.Class == "retcode" {
		out.Class = "rc"
	}
	out.Text = p.src[start:p.pos]
	out.Rng = sub(p.rng, p.base+start, p.base+p.pos)
	return out
}

// inner parses class, optional (name), and — in the $(...) form — an
// optional [index] and transformations.
func (p *parser) inner(out *ast.PVar, depth int, full bool) bool {
	s := p.pos
	for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == s {
		p.fail(CodeBadPV, p.pos, "expected a pseudo-variable class name")
		return false
	}
	out.Class = p.src[s:p.pos]
	if !full && p.peek() == '.' && p.pos+1 < len(p.src) && isNameChar(p.src[p.pos+1]) {
		// SER-style attribute: $f.did, $t.uid, $tu.name
		p.pos++
		n := p.pos
		for p.pos < len(p.src) && (isNameChar(p.src[p.pos]) || p.src[p.pos] == '.') {
			p.pos++
		}
		out.Name = &ast.PVName{Text: out.Class + "." + p.src[n:p.pos]}
		out.Class = AttrClass
		return true
	}
	if p.peek() == '(' {
		end := p.balanced(p.pos, '(', ')')
		if end < 0 {
			p.fail(CodeBadPV, p.pos, "unbalanced '(' in pseudo-variable name")
			return false
		}
		text := p.src[p.pos+1 : end]
		out.Name = &ast.PVName{Text: text}
		if strings.Contains(text, "$") {
			f, diags := ParseFormat(text, sub(p.rng, p.base+p.pos, p.base+end))
			if len(diags) == 0 && !f.IsConst() {
				out.Name.Dyn = f
			}
		}
		p.pos = end + 1
	}
	if !full {
		return true
	}
	if p.peek() == '[' {
		end := p.balanced(p.pos, '[', ']')
		if end < 0 {
			p.fail(CodeBadIndex, p.pos, "unbalanced '[' in pseudo-variable index")
			return false
		}
		idx := &ast.PVIndex{Rng: sub(p.rng, p.base+p.pos, p.base+end+1)}
		text := strings.TrimSpace(p.src[p.pos+1 : end])
		switch {
		case text == "*":
			idx.All = true
		case strings.HasPrefix(text, "$"):
			q := &parser{src: text, rng: p.rng, base: p.base + p.pos + 1}
			idx.PV = q.pv(depth + 1)
			if q.err != nil || q.pos != len(text) {
				p.fail(CodeBadIndex, p.pos, "bad index %q", text)
				return false
			}
		default:
			n, err := strconv.Atoi(text)
			if err != nil {
				p.fail(CodeBadIndex, p.pos, "bad index %q: want a number, * or a pseudo-variable", text)
				return false
			}
			idx.N = n
		}
		out.Index = idx
		p.pos = end + 1
	}
	for p.peek() == '{' {
		end := p.balanced(p.pos, '{', '}')
		if end < 0 {
			p.fail(CodeBadTrans, p.pos, "unbalanced '{' in transformation")
			return false
		}
		tr := p.trans(p.pos+1, end, depth)
		if tr == nil {
			return false
		}
		out.Trans = append(out.Trans, tr)
		p.pos = end + 1
	}
	return true
}

// balanced returns the index of the bracket closing the one at i, counting
// nesting of the same bracket kind, or -1.
func (p *parser) balanced(i int, open, close byte) int {
	depth := 0
	for j := i; j < len(p.src); j++ {
		switch p.src[j] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		case '\n':
			return -1
		}
	}
	return -1
}

// trans parses the body of `{class.op,params}` in src[a:b].
func (p *parser) trans(a, b, depth int) *ast.Trans {
	body := p.src[a:b]
	tr := &ast.Trans{Rng: sub(p.rng, p.base+a-1, p.base+b+1)}
	head := body
	rest := ""
	hasParams := false
	if i := strings.IndexByte(body, ','); i >= 0 {
		head, rest, hasParams = body[:i], body[i+1:], true
	}
	dot := strings.IndexByte(head, '.')
	if dot <= 0 || dot == len(head)-1 {
		p.fail(CodeBadTrans, a, "transformation %q needs the form {class.name}", "{"+body+"}")
		return nil
	}
	tr.Class, tr.Op = strings.TrimSpace(head[:dot]), strings.TrimSpace(head[dot+1:])
	if !hasParams {
		return tr
	}
	var raw []string
	if tr.Class == "re" || (tr.Class == "s" && (tr.Op == "select" || tr.Op == "replace" || tr.Op == "timeformat")) {
		raw = splitKeepTail(rest, tr)
	} else {
		raw = splitParams(rest)
	}
	off := a + len(head) + 1
	for _, t := range raw {
		tp := &ast.TransParam{Text: t}
		if strings.HasPrefix(t, "$") && len(t) > 1 && startsPV(t[1]) {
			q := &parser{src: t, rng: p.rng, base: p.base + off}
			if pv := q.pv(depth + 1); q.err == nil && q.pos == len(t) {
				tp.PV = pv
			}
		}
		tr.Params = append(tr.Params, tp)
		off += len(t) + 1
	}
	return tr
}

// splitParams splits transformation parameters on commas that are not
// inside parentheses or braces (so $(var(a){s.len}) stays whole).
func splitParams(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// splitKeepTail handles transformations whose last parameter may itself be
// a comma: {s.select,1,,} takes ',' as the separator, {re.subst,/a,b/x/}
// takes the whole rest as one expression.
func splitKeepTail(s string, tr *ast.Trans) []string {
	if tr.Class == "re" {
		return []string{s}
	}
	want := 2 // select: index, separator; replace: old, new; timeformat: one
	if tr.Op == "timeformat" {
		return []string{s}
	}
	parts := splitParams(s)
	if len(parts) <= want {
		return parts
	}
	// A separator or replacement that is a comma: rejoin the tail.
	head := parts[:want-1]
	return append(head, strings.Join(parts[want-1:], ","))
}
