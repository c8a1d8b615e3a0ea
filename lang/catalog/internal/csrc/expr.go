package csrc

import (
	"fmt"
	"strconv"
	"strings"
)

// value is an integer whose value may be unknown (in #if, a name neither
// the source nor the build defines).
type value struct {
	n     int64
	known bool
}

// evaluator reads a C integer expression: the operators of the language
// (no assignment or comma), casts to integer types, sizeof of an integer
// type or a string literal, numbers and character literals.
type evaluator struct {
	toks []token
	pos  int
	// ident gives the value of a name left after macro expansion.
	ident func(name string) (value, error)
}

// evalInt evaluates an expression from a table (a flag set, an argument
// count) at active-token index at. Every name must be a macro.
func (u *unit) evalInt(toks []token, at int) (int64, error) {
	exp, err := u.expand(toks, at)
	if err != nil {
		return 0, err
	}
	e := &evaluator{toks: exp, ident: func(name string) (value, error) {
		return value{}, fmt.Errorf("%s is not a macro the reader knows", name)
	}}
	v, err := e.parse()
	if err != nil {
		return 0, err
	}
	return v.n, nil
}

// evalIf evaluates the condition of #if or #elif at active-token index at.
func (u *unit) evalIf(toks []token, at int) tri {
	// defined X and defined(X) are decided before expansion.
	var pre []token
	for i := 0; i < len(toks); i++ {
		if !toks[i].is(tIdent, "defined") {
			pre = append(pre, toks[i])
			continue
		}
		j := i + 1
		paren := j < len(toks) && toks[j].is(tPunct, "(")
		if paren {
			j++
		}
		if j >= len(toks) || toks[j].kind != tIdent {
			return triUnknown
		}
		name := toks[j].text
		if paren {
			j++
			if j >= len(toks) || !toks[j].is(tPunct, ")") {
				return triUnknown
			}
		}
		i = j
		switch u.defined(name, at) {
		case triTrue:
			pre = append(pre, token{kind: tNumber, text: "1"})
		case triFalse:
			pre = append(pre, token{kind: tNumber, text: "0"})
		default:
			pre = append(pre, token{kind: tIdent, text: "__undecided__"})
		}
	}
	exp, err := u.expand(pre, at)
	if err != nil {
		return triUnknown
	}
	e := &evaluator{toks: exp, ident: func(name string) (value, error) {
		if u.defined(name, at) == triFalse {
			return value{0, true}, nil // an undefined name is 0 in #if
		}
		return value{}, nil
	}}
	v, err := e.parse()
	switch {
	case err != nil || !v.known:
		return triUnknown
	case v.n != 0:
		return triTrue
	}
	return triFalse
}

func (e *evaluator) parse() (value, error) {
	v, err := e.ternary()
	if err != nil {
		return value{}, err
	}
	if e.pos != len(e.toks) {
		return value{}, fmt.Errorf("unexpected %s in expression", e.toks[e.pos])
	}
	return v, nil
}

func (e *evaluator) peek(text string) bool {
	return e.pos < len(e.toks) && e.toks[e.pos].kind == tPunct && e.toks[e.pos].text == text
}

func (e *evaluator) ternary() (value, error) {
	c, err := e.binary(0)
	if err != nil || !e.peek("?") {
		return c, err
	}
	e.pos++
	a, err := e.ternary()
	if err != nil {
		return value{}, err
	}
	if !e.peek(":") {
		return value{}, fmt.Errorf("missing : in conditional expression")
	}
	e.pos++
	b, err := e.ternary()
	if err != nil {
		return value{}, err
	}
	switch {
	case !c.known:
		return value{}, nil
	case c.n != 0:
		return a, nil
	}
	return b, nil
}

// levels lists binary operators from the loosest binding.
var levels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", ">", "<=", ">="},
	{"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (e *evaluator) binary(level int) (value, error) {
	if level == len(levels) {
		return e.unary()
	}
	l, err := e.binary(level + 1)
	if err != nil {
		return value{}, err
	}
	for {
		op := ""
		for _, o := range levels[level] {
			if e.peek(o) {
				op = o
			}
		}
		if op == "" {
			return l, nil
		}
		e.pos++
		r, err := e.binary(level + 1)
		if err != nil {
			return value{}, err
		}
		if l, err = apply(op, l, r); err != nil {
			return value{}, err
		}
	}
}

func apply(op string, l, r value) (value, error) {
	switch op {
	case "||":
		if l.known && l.n != 0 || r.known && r.n != 0 {
			return value{1, true}, nil
		}
	case "&&":
		if l.known && l.n == 0 || r.known && r.n == 0 {
			return value{0, true}, nil
		}
	}
	if !l.known || !r.known {
		return value{}, nil
	}
	a, b := l.n, r.n
	n := int64(0)
	switch op {
	case "||", "&&":
		n = b2i(a != 0 && b != 0 || op == "||" && (a != 0 || b != 0))
	case "|":
		n = a | b
	case "^":
		n = a ^ b
	case "&":
		n = a & b
	case "==":
		n = b2i(a == b)
	case "!=":
		n = b2i(a != b)
	case "<":
		n = b2i(a < b)
	case ">":
		n = b2i(a > b)
	case "<=":
		n = b2i(a <= b)
	case ">=":
		n = b2i(a >= b)
	case "<<":
		n = a << uint(b)
	case ">>":
		n = a >> uint(b)
	case "+":
		n = a + b
	case "-":
		n = a - b
	case "*":
		n = a * b
	case "/", "%":
		if b == 0 {
			return value{}, fmt.Errorf("division by zero")
		}
		if op == "/" {
			n = a / b
		} else {
			n = a % b
		}
	}
	return value{n, true}, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// intTypes are the type names a cast or sizeof may use, with their size on
// the 64-bit Linux targets Kamailio is built for.
var intTypes = map[string]int64{
	"char": 1, "short": 2, "int": 4, "unsigned": 4, "signed": 4, "long": 8,
	"int8_t": 1, "uint8_t": 1, "int16_t": 2, "uint16_t": 2, "int32_t": 4,
	"uint32_t": 4, "int64_t": 8, "uint64_t": 8, "size_t": 8, "modparam_t": 4,
}

// typeName reads a parenthesized integer type name at e.pos (after "(")
// and returns its size, or ok false when the tokens are not one.
func (e *evaluator) typeName() (size int64, n int, ok bool) {
	size = 0
	i := e.pos
	for i < len(e.toks) && e.toks[i].kind == tIdent {
		s, isType := intTypes[e.toks[i].text]
		if !isType {
			return 0, 0, false
		}
		if s > size || e.toks[i].text == "long" {
			size = max(size, s)
		}
		i++
	}
	if i == e.pos || i >= len(e.toks) || !e.toks[i].is(tPunct, ")") {
		return 0, 0, false
	}
	return size, i + 1 - e.pos, true
}

func (e *evaluator) unary() (value, error) {
	if e.pos >= len(e.toks) {
		return value{}, fmt.Errorf("expression ends early")
	}
	t := e.toks[e.pos]
	switch {
	case t.kind == tPunct && (t.text == "-" || t.text == "+" || t.text == "!" || t.text == "~"):
		e.pos++
		v, err := e.unary()
		if err != nil || !v.known {
			return v, err
		}
		switch t.text {
		case "-":
			v.n = -v.n
		case "!":
			v.n = b2i(v.n == 0)
		case "~":
			v.n = ^v.n
		}
		return v, nil
	case t.is(tPunct, "("):
		e.pos++
		if _, n, ok := e.typeName(); ok {
			e.pos += n // a cast: the value keeps its bits
			return e.unary()
		}
		v, err := e.ternary()
		if err != nil {
			return value{}, err
		}
		if !e.peek(")") {
			return value{}, fmt.Errorf("missing )")
		}
		e.pos++
		return v, nil
	case t.is(tIdent, "sizeof"):
		e.pos++
		if !e.peek("(") {
			return value{}, fmt.Errorf("sizeof without parentheses")
		}
		e.pos++
		if size, n, ok := e.typeName(); ok {
			e.pos += n
			return value{size, true}, nil
		}
		if e.pos+1 < len(e.toks) && e.toks[e.pos].kind == tString && e.toks[e.pos+1].is(tPunct, ")") {
			s := e.toks[e.pos].text
			e.pos += 2
			return value{int64(len(s)) + 1, true}, nil
		}
		return value{}, fmt.Errorf("sizeof of something other than an integer type or a string")
	case t.kind == tNumber:
		e.pos++
		n, err := parseNumber(t.text)
		return value{n, err == nil}, err
	case t.kind == tChar:
		e.pos++
		s, _, err := stringLit("\"" + strings.Trim(t.text, "'") + "\"")
		if err != nil || len(s) != 1 {
			return value{}, fmt.Errorf("character literal %s", t.text)
		}
		return value{int64(s[0]), true}, nil
	case t.kind == tIdent:
		e.pos++
		if e.peek("(") {
			return value{}, fmt.Errorf("call of %s in an expression", t.text)
		}
		return e.ident(t.text)
	}
	return value{}, fmt.Errorf("unexpected %s in expression", t)
}

// parseNumber reads a C integer constant (decimal, hex or octal, with
// U and L suffixes).
func parseNumber(s string) (int64, error) {
	t := strings.TrimRight(strings.ToLower(s), "ul")
	n, err := strconv.ParseUint(t, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("number %s", s)
	}
	return int64(n), nil
}
