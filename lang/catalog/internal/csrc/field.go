package csrc

import (
	"fmt"
	"strings"
)

// The readers of one initializer field. Each accepts the shapes the
// export tables use and reports anything else.

// str reads a char* field: string literals (adjacent ones concatenated,
// maybe parenthesized, maybe from macros). null is true for 0 or NULL, the
// name that ends a table.
func (u *unit) str(e *elem) (s string, null bool, err error) {
	if e == nil {
		return "", true, nil
	}
	if e.braced {
		return "", false, fmt.Errorf("braces where a string is expected")
	}
	toks, err := u.expand(e.toks, e.at)
	if err != nil {
		return "", false, err
	}
	toks = stripCasts(toks)
	if isZero(toks) {
		return "", true, nil
	}
	var b strings.Builder
	for _, t := range toks {
		switch {
		case t.kind == tString:
			b.WriteString(t.text)
		case t.kind == tPunct && (t.text == "(" || t.text == ")"):
		default:
			return "", false, fmt.Errorf("%s where a string is expected", spell(toks))
		}
	}
	return b.String(), false, nil
}

// strField reads a str field ({"name", len}, STR_STATIC_INIT("name"),
// str_init("name")): the string and whether it is the null entry.
func (u *unit) strField(e *elem) (string, bool, error) {
	if e == nil {
		return "", true, nil
	}
	if !e.braced {
		toks, err := u.expand(e.toks, e.at)
		if err == nil && isZero(stripCasts(toks)) {
			return "", true, nil
		}
		return "", false, fmt.Errorf("%s where a str is expected", spell(e.toks))
	}
	s, null, err := u.str(e.field(0))
	if err != nil || null {
		return s, null, err
	}
	if n := e.field(1); n != nil && !n.braced {
		if l, err := u.evalInt(n.toks, n.at); err == nil && l != int64(len(s)) {
			return "", false, fmt.Errorf("str %q given length %d", s, l)
		}
	}
	return s, false, nil
}

// integer reads an integer field; a missing field is 0.
func (u *unit) integer(e *elem) (int64, error) {
	if e == nil {
		return 0, nil
	}
	if e.braced {
		return 0, fmt.Errorf("braces where a number is expected")
	}
	return u.evalInt(e.toks, e.at)
}

// pointer reads a pointer field and reports whether it is set: a name
// that is no macro is a function or object, hence not NULL.
func (u *unit) pointer(e *elem) (bool, error) {
	if e == nil {
		return false, nil
	}
	if e.braced {
		return false, fmt.Errorf("braces where a pointer is expected")
	}
	toks, err := u.expand(e.toks, e.at)
	if err != nil {
		return false, err
	}
	toks = stripCasts(toks)
	if isZero(toks) {
		return false, nil
	}
	if len(toks) == 1 && toks[0].kind == tIdent || len(toks) == 2 && toks[0].is(tPunct, "&") && toks[1].kind == tIdent {
		return true, nil
	}
	return false, fmt.Errorf("%s where a pointer is expected", spell(toks))
}

// ident reads a field naming a table: the name, or "" for 0 or NULL.
func (u *unit) ident(e *elem) (string, error) {
	if e == nil {
		return "", nil
	}
	if e.braced {
		return "", fmt.Errorf("braces where a table name is expected")
	}
	toks, err := u.expand(e.toks, e.at)
	if err != nil {
		return "", err
	}
	toks = stripCasts(toks)
	if isZero(toks) {
		return "", nil
	}
	if len(toks) == 1 && toks[0].kind == tIdent {
		return toks[0].text, nil
	}
	if len(toks) == 2 && toks[0].is(tPunct, "&") && toks[1].kind == tIdent {
		return toks[1].text, nil
	}
	return "", fmt.Errorf("%s where a table name is expected", spell(toks))
}

// stripCasts removes leading casts such as (cmd_function) or (void*) and
// the parentheses around a lone operand.
func stripCasts(toks []token) []token {
	for {
		switch {
		case len(toks) >= 3 && toks[0].is(tPunct, "(") && toks[len(toks)-1].is(tPunct, ")") && balanced(toks[1:len(toks)-1]):
			toks = toks[1 : len(toks)-1]
		case len(toks) >= 3 && toks[0].is(tPunct, "("):
			end := castEnd(toks)
			if end < 0 {
				return toks
			}
			toks = toks[end:]
		default:
			return toks
		}
	}
}

// castEnd returns the index after a cast "(type [*]...)" at toks[0], or -1.
func castEnd(toks []token) int {
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tIdent, t.is(tPunct, "*"):
		case t.is(tPunct, ")"):
			if i == 1 || i+1 >= len(toks) {
				return -1
			}
			return i + 1
		default:
			return -1
		}
	}
	return -1
}

// balanced reports whether parentheses in toks pair up with none closing
// below depth zero.
func balanced(toks []token) bool {
	d := 0
	for _, t := range toks {
		switch {
		case t.is(tPunct, "("):
			d++
		case t.is(tPunct, ")"):
			d--
			if d < 0 {
				return false
			}
		}
	}
	return d == 0
}

func isZero(toks []token) bool {
	return len(toks) == 1 && (toks[0].is(tNumber, "0") || toks[0].is(tIdent, "NULL"))
}
