package csrc

import (
	"fmt"
)

// elem is one element of a brace initializer: a list (braces) or a scalar
// (the tokens up to the next top-level comma).
type elem struct {
	list   []*elem
	braced bool
	toks   []token
	line   int
	at     int // active-token index of the element's first token
}

// parseInit reads the brace initializer starting at u.toks[open] == "{"
// and returns it with the index after its closing brace. Elements that
// are macros expanding to braces or to several elements are expanded.
func (u *unit) parseInit(open int) (*elem, int, error) {
	e, end, err := parseBraces(u.toks, open, open)
	if err != nil {
		return nil, 0, err
	}
	u.expandElems(e, 0)
	return e, end, nil
}

// parseBraces reads toks[open] == "{" to its closing brace; base is the
// active-token index of toks[0].
func parseBraces(toks []token, open, base int) (*elem, int, error) {
	e := &elem{braced: true, line: toks[open].line, at: base + open}
	i := open + 1
	for {
		if i >= len(toks) {
			return nil, 0, fmt.Errorf("line %d: unterminated initializer", e.line)
		}
		if toks[i].is(tPunct, "}") {
			return e, i + 1, nil
		}
		var el *elem
		if toks[i].is(tPunct, "{") {
			sub, end, err := parseBraces(toks, i, base)
			if err != nil {
				return nil, 0, err
			}
			el, i = sub, end
		} else {
			start := i
			depth := 0
		scalar:
			for ; i < len(toks); i++ {
				t := toks[i]
				if t.kind != tPunct {
					continue
				}
				switch t.text {
				case "(", "[", "{":
					depth++
				case ")", "]":
					depth--
				case "}":
					if depth == 0 {
						break scalar
					}
					depth--
				case ",":
					if depth == 0 {
						break scalar
					}
				}
			}
			el = &elem{toks: toks[start:i], line: toks[start].line, at: base + start}
		}
		e.list = append(e.list, el)
		if i < len(toks) && toks[i].is(tPunct, ",") {
			i++
		}
	}
}

// expandElems replaces scalar elements whose macros expand to braces or to
// several elements (STR_STATIC_INIT("x"), a macro for a whole entry) by
// what they expand to. Scalars that do not expand are kept as written.
func (u *unit) expandElems(e *elem, depth int) {
	if depth > 8 {
		return
	}
	var out []*elem
	for _, el := range e.list {
		if el.braced {
			u.expandElems(el, depth+1)
			out = append(out, el)
			continue
		}
		exp, err := u.expand(el.toks, el.at)
		if err != nil || !structural(exp) {
			out = append(out, el)
			continue
		}
		// Reparse the expansion as the elements of a list.
		wrapped := append(append([]token{{kind: tPunct, text: "{", line: el.line}}, exp...), token{kind: tPunct, text: "}", line: el.line})
		sub, end, err := parseBraces(wrapped, 0, el.at)
		if err != nil || end != len(wrapped) {
			out = append(out, el)
			continue
		}
		for _, s := range sub.list {
			s.at = el.at // expanded tokens have no position of their own
		}
		u.expandElems(sub, depth+1)
		out = append(out, sub.list...)
	}
	e.list = out
}

// structural reports whether tokens contain a top-level brace or comma.
func structural(toks []token) bool {
	depth := 0
	for _, t := range toks {
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "{":
			return true
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

// cond returns the undecided condition around any token of the element.
func (e *elem) cond() string {
	if !e.braced {
		for _, t := range e.toks {
			if t.cond != "" {
				return t.cond
			}
		}
		return ""
	}
	for _, s := range e.list {
		if c := s.cond(); c != "" {
			return c
		}
	}
	return ""
}

// field returns the i-th element, or nil when the initializer leaves it
// out (C then sets it to zero).
func (e *elem) field(i int) *elem {
	if i < len(e.list) {
		return e.list[i]
	}
	return nil
}
