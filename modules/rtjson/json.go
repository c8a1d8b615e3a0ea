package rtjson

import (
	"math"
	"strings"
)

// Kamailio reads routing documents with its core JSON reader (srjson, a
// cJSON descendant), which is more lenient than RFC 8259 and whose
// leniency decides which documents rtjson accepts. jnode and parseDoc
// reproduce the reader's rules:
//
//   - the text ends at its first NUL byte (the reader works on C strings);
//   - only the first value counts: anything after it is ignored;
//   - white space is any byte up to 0x20;
//   - a string may run unterminated to the end of the text; an escape
//     other than the known ones stands for the escaped byte; \u0000 and
//     lone low surrogates are dropped;
//   - numbers are read digit by digit into a double: "-" alone is 0, a
//     leading "0" is skipped ("012" is 12), "1." stops before the dot;
//   - object members keep their order; lookups compare names without ASCII
//     case and take the first match.

// jkind is the type of a node.
type jkind uint8

const (
	jNull jkind = iota
	jFalse
	jTrue
	jNumber
	jString
	jArray
	jObject
)

// jnode is one value of a document. Members of an object carry their name.
type jnode struct {
	kind  jkind
	num   float64
	str   string
	name  string
	items []*jnode // array items or object members, in document order
}

// maxDepth bounds nesting: a deeper document is refused as invalid, so that
// no document can exhaust the stack (Kamailio's reader has no bound).
const maxDepth = 1000

// parseDoc reads the first JSON value of text; ok is false when the text
// does not start with one.
func parseDoc(text string) (n *jnode, ok bool) {
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	p := &jparser{s: text}
	n = &jnode{}
	if !p.value(n, p.skip(0), 0) {
		return nil, false
	}
	return n, true
}

type jparser struct {
	s   string
	end int // where the last value read ended
}

// skip returns the first position at or after i that is not white space.
func (p *jparser) skip(i int) int {
	for i < len(p.s) && p.s[i] <= ' ' {
		i++
	}
	return i
}

// value reads the value at i into n; p.end is set after it.
func (p *jparser) value(n *jnode, i, depth int) bool {
	s := p.s[i:]
	switch {
	case strings.HasPrefix(s, "null"):
		n.kind, p.end = jNull, i+4
	case strings.HasPrefix(s, "false"):
		n.kind, p.end = jFalse, i+5
	case strings.HasPrefix(s, "true"):
		n.kind, n.num, p.end = jTrue, 1, i+4
	case s == "":
		return false
	case s[0] == '"':
		n.kind = jString
		n.str, p.end = p.str(i)
	case s[0] == '-' || (s[0] >= '0' && s[0] <= '9'):
		n.kind = jNumber
		n.num, p.end = p.number(i)
	case s[0] == '[' || s[0] == '{':
		if depth >= maxDepth {
			return false
		}
		return p.list(n, i, depth+1)
	default:
		return false
	}
	return true
}

// list reads an array or an object at i.
func (p *jparser) list(n *jnode, i, depth int) bool {
	obj := p.s[i] == '{'
	closer := byte(']')
	n.kind = jArray
	if obj {
		n.kind, closer = jObject, '}'
	}
	i = p.skip(i + 1)
	if i < len(p.s) && p.s[i] == closer {
		p.end = i + 1
		return true
	}
	for {
		it := &jnode{}
		if obj {
			if i >= len(p.s) || p.s[i] != '"' {
				return false
			}
			it.name, i = p.str(i)
			i = p.skip(i)
			if i >= len(p.s) || p.s[i] != ':' {
				return false
			}
			i = p.skip(i + 1)
		}
		if !p.value(it, i, depth) {
			return false
		}
		n.items = append(n.items, it)
		i = p.skip(p.end)
		if i >= len(p.s) || p.s[i] != ',' {
			break
		}
		i = p.skip(i + 1)
	}
	if i < len(p.s) && p.s[i] == closer {
		p.end = i + 1
		return true
	}
	return false
}

// str reads the string whose opening quote is at i and returns it and the
// position after its closing quote (or the end of the text).
func (p *jparser) str(i int) (string, int) {
	var b strings.Builder
	i++
	for i < len(p.s) && p.s[i] != '"' {
		c := p.s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i >= len(p.s) {
			break
		}
		switch e := p.s[i]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			var r rune
			r, i = p.unicode(i)
			if r >= 0 {
				b.WriteRune(r)
			}
		default:
			b.WriteByte(e)
		}
		i++
	}
	if i < len(p.s) {
		i++
	}
	return b.String(), i
}

// unicode reads the \uXXXX escape whose 'u' is at i, with the low half of
// a surrogate pair after it, and returns the code point (-1 for none) and
// the position of the escape's last byte.
func (p *jparser) unicode(i int) (rune, int) {
	uc := hex4(p.s[i+1:])
	i = min(i+4, len(p.s)-1)
	if (uc >= 0xDC00 && uc <= 0xDFFF) || uc == 0 {
		return -1, i
	}
	if uc >= 0xD800 && uc <= 0xDBFF {
		if i+2 >= len(p.s) || p.s[i+1] != '\\' || p.s[i+2] != 'u' {
			return -1, i
		}
		uc2 := hex4(p.s[i+3:])
		i = min(i+6, len(p.s)-1)
		if uc2 < 0xDC00 || uc2 > 0xDFFF {
			return -1, i
		}
		uc = 0x10000 | ((uc & 0x3FF) << 10) | (uc2 & 0x3FF)
	}
	return rune(uc), i
}

// hex4 reads up to four hex digits (0 when there are none).
func hex4(s string) uint32 {
	var v uint32
	for k := 0; k < 4 && k < len(s); k++ {
		c := s[k]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return v
		}
		v = v<<4 | uint32(d)
	}
	return v
}

// number reads the number at i and returns it and the position after it.
func (p *jparser) number(i int) (float64, int) {
	s := p.s
	n, sign, scale := 0.0, 1.0, 0
	sub, subSign := 0, 1
	digit := func(k int) bool { return k < len(s) && s[k] >= '0' && s[k] <= '9' }
	if i < len(s) && s[i] == '-' {
		sign = -1
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	}
	if i < len(s) && s[i] >= '1' && s[i] <= '9' {
		for digit(i) {
			n = n*10 + float64(s[i]-'0')
			i++
		}
	}
	if i+1 < len(s) && s[i] == '.' && digit(i+1) {
		i++
		for digit(i) {
			n = n*10 + float64(s[i]-'0')
			scale--
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && s[i] == '+' {
			i++
		} else if i < len(s) && s[i] == '-' {
			subSign = -1
			i++
		}
		for digit(i) {
			// Saturate instead of wrapping: any exponent this large
			// already makes the value 0 or infinite.
			if sub < 1<<20 {
				sub = sub*10 + int(s[i]-'0')
			}
			i++
		}
	}
	return sign * n * math.Pow(10, float64(scale+sub*subSign)), i
}

// member returns the first member of object n named name, compared without
// ASCII case; nil when n is not an object or has no such member.
func (n *jnode) member(name string) *jnode {
	if n == nil || n.kind != jObject {
		return nil
	}
	for _, it := range n.items {
		if asciiFold(it.name, name) {
			return it
		}
	}
	return nil
}

// asciiFold reports whether a and b are equal without ASCII case
// (strings.EqualFold also folds non-ASCII letters, which the reader does
// not).
func asciiFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// text returns the value of a string node; ok is false for any other node.
func (n *jnode) text() (string, bool) {
	if n == nil || n.kind != jString {
		return "", false
	}
	return n.str, true
}

// uint returns a number node's value as the C cast to unsigned int gives
// it for the values that matter (0 to 2^32-1; a fraction is cut); ok is
// false for any other node.
func (n *jnode) uint() (uint32, bool) {
	if n == nil || n.kind != jNumber {
		return 0, false
	}
	f := n.num
	switch {
	case math.IsNaN(f) || f <= -1 || f >= 1<<32:
		// Out of range: undefined in C; x86 gives the low 32 bits of the
		// 64-bit conversion, which is what this does for |f| < 2^63.
		if math.IsNaN(f) || math.Abs(f) >= 1<<63 {
			return 0, true
		}
		return uint32(int64(f)), true
	}
	return uint32(f), true
}
