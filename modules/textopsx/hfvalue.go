package textopsx

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The header value functions read the message text as Kamailio's do:
// a header's body is what follows the colon and its white space, to the
// end of the field without the line end and trailing white space
// (continuation lines included); a body is a list of values separated by
// commas outside double quotes. Offsets are in msg.Buf.

// field is one header with its body.
type field struct {
	h          *sipmsg.Header
	body, end  int // the body is Buf[body:end]
	start, len int // the whole field, name to line end
}

// bodyOf returns the field of h.
func bodyOf(msg *sipmsg.Msg, h *sipmsg.Header) field {
	f := field{h: h, start: h.Start, len: h.End - h.Start}
	text := msg.Buf[h.Start:h.End]
	i := strings.IndexByte(text, ':')
	if i < 0 {
		f.body, f.end = h.End, h.End
		return f
	}
	i++
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	j := len(text)
	for j > i && isSpace(text[j-1]) {
		j--
	}
	f.body, f.end = h.Start+i, h.Start+j
	return f
}

// fieldsNamed returns the headers named canon (sipmsg.CanonName), in
// order.
func fieldsNamed(msg *sipmsg.Msg, canon string) []field {
	var out []field
	for i := range msg.Headers {
		if msg.Headers[i].Is(canon) {
			out = append(out, bodyOf(msg, &msg.Headers[i]))
		}
	}
	return out
}

// hval is one value of a header's list: the value without the white space
// around it (at, end), and the span a removal takes (lumpAt, lumpEnd):
// from the end of the previous comma to after its own comma.
type hval struct {
	f               *field
	at, end         int
	lumpAt, lumpEnd int
}

// values splits the body of f into its values. A body ending in a comma
// has no empty last value; an empty body has one empty value.
func values(buf string, f *field) []hval {
	var out []hval
	p := f.body
	for {
		v := hval{f: f, lumpAt: p}
		for p < f.end && isSpace(buf[p]) {
			p++
		}
		v.at = p
		quoted := false
		for p < f.end && (buf[p] != ',' || quoted) {
			if buf[p] == '"' && (!quoted || buf[p-1] != '\\') {
				quoted = !quoted
			}
			p++
		}
		v.end = p
		for v.end > v.at && isSpace(buf[v.end-1]) {
			v.end--
		}
		if p < f.end {
			p++
		}
		v.lumpEnd = p
		out = append(out, v)
		if p >= f.end {
			return out
		}
	}
}

// forDelete widens the span of the last value of a list of several to
// take the comma before it.
func (v hval) forDelete() hval {
	if v.lumpEnd == v.f.end && v.lumpAt > v.f.body {
		v.lumpAt--
	}
	return v
}

// findIdx finds the value (byValue) or the header (the *2 functions) e's
// index names, counting over every header of that name; ok is false
// when there is none.
func findIdx(msg *sipmsg.Msg, e *hexpr, byValue bool) (v hval, ok bool) {
	fs := fieldsNamed(msg, e.canon)
	var all []hval
	for i := range fs {
		f := &fs[i]
		if byValue {
			all = append(all, values(msg.Buf, f)...)
		} else {
			all = append(all, hval{f: f, at: f.body, end: f.end, lumpAt: f.body, lumpEnd: f.end})
		}
	}
	switch {
	case e.idx > 0 && e.idx <= len(all):
		return all[e.idx-1], true
	case e.idx < 0 && -e.idx <= len(all) && -e.idx <= maxNegIdx:
		return all[len(all)+e.idx], true
	}
	return hval{}, false
}

// paramSpan is where a parameter is: upd from the end of its name to the
// end of its value (what an assignment replaces), del from before its
// delimiter to the end of its value (what a removal takes). When the
// parameter is absent del.at is where a new one goes.
type paramSpan struct {
	updAt, updEnd int
	delAt, delEnd int
}

// skipToParams returns where the parameters of a name-addr or addr-spec
// value Buf[at:end] start: after the display name and the address (a
// '<...>' one, or one up to the first ';' or space).
func skipToParams(buf string, at, end int) int {
	i := at
	for i < end && buf[i] != ';' {
		quoted := false
		for ; i < end; i++ {
			c := buf[i]
			if !quoted {
				if c == '"' {
					quoted = true
				} else if c == '<' || c == ';' || isSpace(c) {
					break
				}
			} else if c == '"' && buf[i-1] != '\\' {
				quoted = false
			}
		}
		for i < end && isSpace(buf[i]) {
			i++
		}
		if i < end && buf[i] == '<' {
			quoted = false
			for ; i < end; i++ {
				c := buf[i]
				if !quoted {
					if c == '"' {
						quoted = true
					} else if c == '>' {
						break
					}
				} else if c == '"' && buf[i-1] != '\\' {
					quoted = false
				}
			}
		}
	}
	return i
}

// paramValueEnd scans a parameter value at i: a quoted string (to after
// its closing quote) or text up to white space or a stop byte.
func paramValueEnd(buf string, i, end int, stop byte) int {
	if i < end && buf[i] == '"' {
		for i++; i < end; i++ {
			if buf[i] == '"' {
				return i + 1
			}
		}
		return i
	}
	for i < end && !isSpace(buf[i]) && buf[i] != stop {
		i++
	}
	return i
}

// findParam finds the parameter name (case-insensitive) among the
// ';'-separated parameters in Buf[at:end].
func findParam(buf string, at, end int, name string) (paramSpan, bool) {
	var sp paramSpan
	i := at
	for {
		sp.delAt = i
		for i < end && isSpace(buf[i]) {
			i++
		}
		if i >= end || buf[i] != ';' {
			sp.delEnd = sp.delAt
			return sp, false
		}
		i++
		for i < end && isSpace(buf[i]) {
			i++
		}
		j := i
		for i < end && !isSpace(buf[i]) && buf[i] != '=' && buf[i] != ';' {
			i++
		}
		found := strings.EqualFold(buf[j:i], name)
		sp.updAt = i
		for i < end && isSpace(buf[i]) {
			i++
		}
		if i < end && buf[i] == '=' {
			i++
			for i < end && isSpace(buf[i]) {
				i++
			}
			i = paramValueEnd(buf, i, end, ';')
		}
		if found {
			sp.delEnd, sp.updEnd = i, i
			return sp, true
		}
	}
}

// findParam2 finds the parameter name among the name=value pairs of an
// Authorization style body Buf[at:end] (`scheme a=1, b="2"`). delim is
// what a new parameter is written after: nothing in an empty body, a
// space after a lone scheme, a comma after a pair.
func findParam2(buf string, at, end int, name string) (sp paramSpan, delim string, ok bool) {
	i := at
	for i < end {
		sp.delAt = i
		for i < end && isSpace(buf[i]) {
			i++
		}
		comma := i < end && buf[i] == ','
		if comma {
			i++
		}
		for i < end && isSpace(buf[i]) {
			i++
		}
		if i < end && isNameByte(buf[i]) {
			j := i
			if delim == "" {
				delim = " "
			}
			for i < end && isNameByte(buf[i]) {
				i++
			}
			k := i
			for i < end && isSpace(buf[i]) {
				i++
			}
			sp.updAt = i
			if i < end && buf[i] == '=' {
				delim = ","
				i++
				found := strings.EqualFold(buf[j:k], name)
				for i < end && isSpace(buf[i]) {
					i++
				}
				i = paramValueEnd(buf, i, end, ',')
				if found {
					sp.updEnd, sp.delEnd = i, i
					for i < end && isSpace(buf[i]) {
						i++
					}
					if !comma && i < end && buf[i] == ',' {
						sp.delEnd = i + 1
					}
					return sp, delim, true
				}
			}
			for i < end && isSpace(buf[i]) {
				i++
			}
		} else {
			for i < end && buf[i] == ',' {
				i++
			}
			if i == sp.delAt {
				// A byte that is no name, comma or white space: Kamailio's
				// scan loops on it for ever; kamgo steps over it.
				i++
			}
		}
	}
	sp.delAt, sp.delEnd = i, i
	return sp, delim, false
}
