package sipmsg

import "strings"

// SplitList splits a header value that holds a comma-separated list
// (Contact, Route, Record-Route, Via) into its elements, trimmed. Commas
// inside double quotes or angle brackets do not split; empty elements are
// dropped.
func SplitList(s string) []string {
	var out []string
	for at := 0; at <= len(s); {
		a, b, next := nextListElem(s, at)
		if e := strings.TrimSpace(s[a:b]); e != "" {
			out = append(out, e)
		}
		at = next
	}
	return out
}

// ListSpans is SplitList as offsets in s: the start and end of each
// element, white space (line folds included) trimmed.
func ListSpans(s string) [][2]int {
	var out [][2]int
	for at := 0; at <= len(s); {
		a, b, next := nextListElem(s, at)
		if a < b {
			out = append(out, [2]int{a, b})
		}
		at = next
	}
	return out
}

// nextListElem finds the list element starting at at: its span a..b with
// ASCII white space trimmed, and where the next one starts (past the
// comma, or len(s)+1 after the last).
func nextListElem(s string, at int) (a, b, next int) {
	inq, angle := false, 0
	i := at
scan:
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' && (i == 0 || s[i-1] != '\\'):
			inq = !inq
		case inq:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == ',' && angle == 0:
			break scan
		}
	}
	a, b = at, i
	for a < b && isListSpace(s[a]) {
		a++
	}
	for b > a && isListSpace(s[b-1]) {
		b--
	}
	return a, b, i + 1
}

func isListSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// Bodies returns the list elements of every header named name, in order.
func (m *Msg) Bodies(name string) []string {
	var out []string
	for _, v := range m.HeaderValues(name) {
		out = append(out, SplitList(v)...)
	}
	return out
}

// param finds the parameter name in params, a list of parameters
// separated by ';' (Via, URI and name-addr parameters; names compare
// without case): its value without surrounding white space ("" when it
// has no '='), and where it is in params, from its name to the end of its
// value.
func param(params, name string) (val string, start, end int, ok bool) {
	for at := 0; at <= len(params); {
		p := params[at:]
		if i := strings.IndexByte(p, ';'); i >= 0 {
			p = p[:i]
		}
		n, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v), at, at + len(strings.TrimRight(p, " \t")), true
		}
		at += len(p) + 1
	}
	return "", 0, 0, false
}
