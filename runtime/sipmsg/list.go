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
