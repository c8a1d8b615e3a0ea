package sipmsg

import "strings"

// SplitList splits a header value that holds a comma-separated list
// (Contact, Route, Record-Route, Via) into its elements, trimmed. Commas
// inside double quotes or angle brackets do not split; empty elements are
// dropped.
func SplitList(s string) []string {
	var out []string
	start, inq, angle := 0, false, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch c := s[i]; {
			case c == '"' && (i == 0 || s[i-1] != '\\'):
				inq = !inq
				continue
			case inq:
				continue
			case c == '<':
				angle++
				continue
			case c == '>' && angle > 0:
				angle--
				continue
			case c != ',' || angle > 0:
				continue
			}
		}
		if e := strings.TrimSpace(s[start:i]); e != "" {
			out = append(out, e)
		}
		start = i + 1
	}
	return out
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
