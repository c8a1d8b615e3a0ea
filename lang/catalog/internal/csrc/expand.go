package csrc

import (
	"fmt"
	"strings"
)

// expand replaces the macros in toks as they stand at active-token index
// at, as the C preprocessor would (object-like and function-like macros,
// # and ##), until no macro is left. A macro whose existence depends on an
// undecided condition is an error: its value is not known.
func (u *unit) expand(toks []token, at int) ([]token, error) {
	return u.expandHidden(toks, at, map[string]bool{}, 0)
}

const maxExpandDepth = 64

func (u *unit) expandHidden(toks []token, at int, hidden map[string]bool, depth int) ([]token, error) {
	if depth > maxExpandDepth {
		return nil, fmt.Errorf("macro expansion too deep")
	}
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tIdent || hidden[t.text] {
			out = append(out, t)
			continue
		}
		m := u.lookup(t.text, at)
		if m == nil {
			out = append(out, t)
			continue
		}
		if m.undecided != "" {
			return nil, fmt.Errorf("macro %s is defined under %s, which the reader cannot decide", m.name, m.undecided)
		}
		var body []token
		if m.fn {
			if i+1 >= len(toks) || !toks[i+1].is(tPunct, "(") {
				out = append(out, t) // a function-like macro's name alone
				continue
			}
			args, end, err := splitArgs(toks, i+1)
			if err != nil {
				return nil, fmt.Errorf("macro %s: %v", m.name, err)
			}
			if body, err = u.substitute(m, args, at, hidden, depth); err != nil {
				return nil, err
			}
			i = end
		} else {
			body = m.body
		}
		hidden[m.name] = true
		exp, err := u.expandHidden(withLine(body, t.line), at, hidden, depth+1)
		delete(hidden, m.name)
		if err != nil {
			return nil, err
		}
		out = append(out, exp...)
	}
	return out, nil
}

func withLine(toks []token, line int) []token {
	out := make([]token, len(toks))
	for i, t := range toks {
		t.line = line
		out[i] = t
	}
	return out
}

// splitArgs reads the parenthesized, comma-separated arguments starting at
// toks[open] == "(" and returns them with the index of the closing ")".
func splitArgs(toks []token, open int) ([][]token, int, error) {
	var args [][]token
	var cur []token
	depth := 0
	for i := open + 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tPunct {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					if t.text != ")" {
						return nil, 0, fmt.Errorf("unbalanced %s in arguments", t.text)
					}
					if len(cur) > 0 || len(args) > 0 {
						args = append(args, cur)
					}
					return args, i, nil
				}
				depth--
			case ",":
				if depth == 0 {
					args = append(args, cur)
					cur = nil
					continue
				}
			}
		}
		cur = append(cur, t)
	}
	return nil, 0, fmt.Errorf("unterminated argument list")
}

// substitute puts the arguments into a function-like macro's body.
func (u *unit) substitute(m *macro, args [][]token, at int, hidden map[string]bool, depth int) ([]token, error) {
	if m.variadic && len(args) >= len(m.params) {
		last := len(m.params) - 1
		var va []token
		for k, a := range args[last:] {
			if k > 0 {
				va = append(va, token{kind: tPunct, text: ","})
			}
			va = append(va, a...)
		}
		args = append(args[:last:last], va)
	}
	if len(args) != len(m.params) && !(len(m.params) == 0 && len(args) == 1 && len(args[0]) == 0) {
		return nil, fmt.Errorf("macro %s takes %d arguments, given %d", m.name, len(m.params), len(args))
	}
	param := func(t token) int {
		if t.kind != tIdent {
			return -1
		}
		for k, p := range m.params {
			if p == t.text {
				return k
			}
		}
		return -1
	}
	var out []token
	b := m.body
	for i := 0; i < len(b); i++ {
		t := b[i]
		switch {
		case t.is(tPunct, "#") && i+1 < len(b) && param(b[i+1]) >= 0:
			out = append(out, token{kind: tString, text: spell(args[param(b[i+1])]), line: t.line})
			i++
		case i+1 < len(b) && b[i+1].is(tPunct, "##"), t.is(tPunct, "##"):
			// Operands of ## are pasted unexpanded.
			if t.is(tPunct, "##") {
				if len(out) == 0 || i+1 >= len(b) {
					return nil, fmt.Errorf("macro %s: ## at an edge", m.name)
				}
				right := []token{b[i+1]}
				if k := param(b[i+1]); k >= 0 {
					right = args[k]
				}
				i++
				if len(right) == 0 {
					continue
				}
				left := out[len(out)-1]
				pasted, err := lexLine(left.String() + right[0].String())
				if err != nil || len(pasted) != 1 {
					return nil, fmt.Errorf("macro %s: cannot paste %s and %s", m.name, left, right[0])
				}
				out = append(append(out[:len(out)-1], pasted[0]), right[1:]...)
				continue
			}
			if k := param(t); k >= 0 {
				out = append(out, args[k]...)
			} else {
				out = append(out, t)
			}
		default:
			if k := param(t); k >= 0 {
				a, err := u.expandHidden(args[k], at, hidden, depth+1)
				if err != nil {
					return nil, err
				}
				out = append(out, a...)
			} else {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// spell writes tokens back as source text, for the # operator.
func spell(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.String()
	}
	return strings.Join(parts, " ")
}
