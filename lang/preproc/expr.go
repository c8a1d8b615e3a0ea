package preproc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// exprVal is a value of the #!ifexp / #!defexp expression language:
// a number or a string.
type exprVal struct {
	isStr bool
	n     int64
	s     string
}

func (v exprVal) truth() bool {
	if v.isStr {
		return v.s != ""
	}
	return v.n != 0
}

func (v exprVal) String() string {
	if v.isStr {
		return v.s
	}
	return strconv.FormatInt(v.n, 10)
}

func (v exprVal) num() int64 {
	if !v.isStr {
		return v.n
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(v.s), 0, 64)
	return n
}

// exprParser evaluates while it parses (precedence climbing). Names are
// defines: an undefined name is 0, a define without a value is 1, and a
// define's value is a string with enclosing quotes removed.
type exprParser struct {
	p     *pp
	s     string
	i     int
	depth int
}

var errExprDepth = errors.New("expression nested too deeply")

func (p *pp) evalExpr(s string) (v exprVal, err error) {
	e := &exprParser{p: p, s: s}
	v, err = e.binary(0)
	if err != nil {
		return exprVal{}, err
	}
	e.blanks()
	if e.i < len(e.s) {
		return exprVal{}, fmt.Errorf("unexpected %q in expression", e.s[e.i:])
	}
	return v, nil
}

func (e *exprParser) blanks() {
	for e.i < len(e.s) && (isBlank(e.s[e.i]) || e.s[e.i] == '\n') {
		e.i++
	}
}

var exprOps = [][]string{
	{"||"},
	{"&&"},
	{"==", "!="},
	{"<=", ">=", "<", ">"},
	{"+", "-"},
	{"*", "/", "%"},
}

func (e *exprParser) op(level int) string {
	e.blanks()
	for _, o := range exprOps[level] {
		if strings.HasPrefix(e.s[e.i:], o) {
			// "<" must not take the first byte of "<=" etc.; the lists are
			// ordered longest first.
			return o
		}
	}
	return ""
}

func (e *exprParser) binary(level int) (exprVal, error) {
	if level == len(exprOps) {
		return e.unary()
	}
	l, err := e.binary(level + 1)
	if err != nil {
		return l, err
	}
	for {
		o := e.op(level)
		if o == "" {
			return l, nil
		}
		e.i += len(o)
		r, err := e.binary(level + 1)
		if err != nil {
			return r, err
		}
		l, err = apply(o, l, r)
		if err != nil {
			return l, err
		}
	}
}

func b2v(b bool) exprVal {
	if b {
		return exprVal{n: 1}
	}
	return exprVal{}
}

func apply(o string, l, r exprVal) (exprVal, error) {
	switch o {
	case "||":
		return b2v(l.truth() || r.truth()), nil
	case "&&":
		return b2v(l.truth() && r.truth()), nil
	}
	if l.isStr && r.isStr || (l.isStr || r.isStr) && o == "+" {
		switch o {
		case "+":
			return exprVal{isStr: true, s: l.String() + r.String()}, nil
		case "==":
			return b2v(l.s == r.s), nil
		case "!=":
			return b2v(l.s != r.s), nil
		case "<":
			return b2v(l.s < r.s), nil
		case ">":
			return b2v(l.s > r.s), nil
		case "<=":
			return b2v(l.s <= r.s), nil
		case ">=":
			return b2v(l.s >= r.s), nil
		}
		return exprVal{}, fmt.Errorf("operator %s does not apply to strings", o)
	}
	a, b := l.num(), r.num()
	switch o {
	case "==":
		return b2v(a == b), nil
	case "!=":
		return b2v(a != b), nil
	case "<":
		return b2v(a < b), nil
	case ">":
		return b2v(a > b), nil
	case "<=":
		return b2v(a <= b), nil
	case ">=":
		return b2v(a >= b), nil
	case "+":
		return exprVal{n: a + b}, nil
	case "-":
		return exprVal{n: a - b}, nil
	case "*":
		return exprVal{n: a * b}, nil
	case "/", "%":
		if b == 0 {
			return exprVal{}, errors.New("division by zero")
		}
		if o == "/" {
			return exprVal{n: a / b}, nil
		}
		return exprVal{n: a % b}, nil
	}
	return exprVal{}, fmt.Errorf("unknown operator %s", o)
}

func (e *exprParser) unary() (exprVal, error) {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > 200 {
		return exprVal{}, errExprDepth
	}
	e.blanks()
	if e.i >= len(e.s) {
		return exprVal{}, errors.New("unexpected end of expression")
	}
	c := e.s[e.i]
	switch {
	case c == '!':
		e.i++
		v, err := e.unary()
		return b2v(!v.truth()), err
	case c == '-':
		e.i++
		v, err := e.unary()
		return exprVal{n: -v.num()}, err
	case c == '(':
		e.i++
		v, err := e.binary(0)
		if err != nil {
			return v, err
		}
		e.blanks()
		if e.i >= len(e.s) || e.s[e.i] != ')' {
			return v, errors.New("missing ')'")
		}
		e.i++
		return v, nil
	case c == '"' || c == '\'':
		j := strings.IndexByte(e.s[e.i+1:], c)
		if j < 0 {
			return exprVal{}, errors.New("unterminated string")
		}
		v := exprVal{isStr: true, s: e.s[e.i+1 : e.i+1+j]}
		e.i += j + 2
		return v, nil
	case isDigit(c):
		j := e.i
		for j < len(e.s) && isAlnum(e.s[j]) {
			j++
		}
		n, err := strconv.ParseInt(e.s[e.i:j], 0, 64)
		if err != nil {
			return exprVal{}, fmt.Errorf("bad number %q", e.s[e.i:j])
		}
		e.i = j
		return exprVal{n: n}, nil
	case isLetter(c):
		j := e.i
		for j < len(e.s) && isAlnum(e.s[j]) {
			j++
		}
		name := e.s[e.i:j]
		e.i = j
		d, ok := e.p.defs[name]
		switch {
		case !ok:
			return exprVal{}, nil
		case d.value == "":
			return exprVal{n: 1}, nil
		}
		v := strings.TrimSpace(d.value)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			return exprVal{isStr: true, s: v[1 : len(v)-1]}, nil
		}
		if n, err := strconv.ParseInt(v, 0, 64); err == nil {
			return exprVal{n: n}, nil
		}
		return exprVal{isStr: true, s: d.value}, nil
	}
	return exprVal{}, fmt.Errorf("unexpected %q in expression", string(c))
}
