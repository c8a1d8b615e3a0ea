package jsondoc

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// jsoncMaxDepth is json-c's JSON_TOKENER_DEFAULT_DEPTH: values nest at
// most this deep.
const jsoncMaxDepth = 32

// ErrJSONC is returned by ParseJSONC for text json-c's tokener refuses.
var ErrJSONC = errors.New("json-c: invalid JSON")

// ParseJSONC reads s the way Kamailio's json module calls
// json_tokener_parse (json-c 0.16, not strict): any value may be the
// document; text after it is ignored (but a '/' that starts no comment
// is an error); /* */ and // comments may stand wherever white space
// may; strings may be single-quoted and hold raw control bytes; true,
// false, null, NaN and Infinity are read without regard to case; numbers
// may have leading zeros, a trailing '.', or a dangling exponent
// ("1e+" reads as 1); a trailing ',' in an array or object is allowed;
// a repeated key keeps its first position and its last value. A document
// that is just null reads as a Null node (json-c returns no object then).
// The text ends at its first NUL byte, as a C string does.
func ParseJSONC(s string) (*Node, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	p := &cparser{s: s}
	if !p.ws() {
		return nil, ErrJSONC
	}
	n := p.value(0)
	if n == nil {
		return nil, ErrJSONC
	}
	// After the document only a '/' that opens no comment matters.
	if !p.ws() {
		return nil, ErrJSONC
	}
	return n, nil
}

type cparser struct {
	s   string
	pos int
}

// peek returns the next byte, 0 at the end (json-c reads the NUL).
func (p *cparser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// ws skips white space and comments; it is false for a '/' that starts
// no comment. An unterminated comment ends the text.
func (p *cparser) ws() bool {
	for {
		switch p.peek() {
		case ' ', '\t', '\n', '\r':
			p.pos++
			continue
		case '/':
		default:
			return true
		}
		p.pos++
		switch p.peek() {
		case '*':
			end := strings.Index(p.s[p.pos+1:], "*/")
			if end < 0 {
				p.pos = len(p.s)
				return true
			}
			p.pos += 1 + end + 2
		case '/':
			end := strings.IndexByte(p.s[p.pos:], '\n')
			if end < 0 {
				p.pos = len(p.s)
				return true
			}
			p.pos += end
		default:
			return false
		}
	}
}

// word matches w without regard to case at the current position.
func (p *cparser) word(w string) bool {
	if len(p.s)-p.pos >= len(w) && strings.EqualFold(p.s[p.pos:p.pos+len(w)], w) {
		p.pos += len(w)
		return true
	}
	return false
}

// value parses one value at nesting depth (0 for the document); nil is
// an error.
func (p *cparser) value(depth int) *Node {
	switch c := p.peek(); c {
	case '{':
		p.pos++
		return p.object(depth)
	case '[':
		p.pos++
		return p.array(depth)
	case '"', '\'':
		p.pos++
		s, ok := p.str(c)
		if !ok {
			return nil
		}
		return &Node{Kind: String, Str: s}
	case 'n', 'N':
		switch {
		case p.word("null"):
			return &Node{Kind: Null}
		case p.word("nan"):
			return &Node{Kind: Real, Real: math.NaN(), Str: "NaN"}
		}
	case 't', 'T':
		if p.word("true") {
			return &Node{Kind: True}
		}
	case 'f', 'F':
		if p.word("false") {
			return &Node{Kind: False}
		}
	case 'i', 'I':
		if p.word("infinity") {
			return &Node{Kind: Real, Real: math.Inf(1), Str: "Infinity"}
		}
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number(depth)
		}
	}
	return nil
}

// str reads a string up to the closing quote q.
func (p *cparser) str(q byte) (string, bool) {
	var b strings.Builder
	high := rune(0) // a high surrogate waiting for its pair
	flushHigh := func() {
		if high != 0 {
			b.WriteString("\uFFFD")
			high = 0
		}
	}
	for {
		if p.pos >= len(p.s) {
			return "", false
		}
		c := p.s[p.pos]
		p.pos++
		if high != 0 && c != '\\' {
			flushHigh()
		}
		if c == q {
			return b.String(), true
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		e := p.peek()
		p.pos++
		if high != 0 && e != 'u' {
			flushHigh()
		}
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if p.pos+4 > len(p.s) {
				return "", false
			}
			v, err := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
			if err != nil {
				return "", false
			}
			p.pos += 4
			r := rune(v)
			if high != 0 {
				if r >= 0xdc00 && r <= 0xdfff {
					r = (high-0xd800)<<10 + (r - 0xdc00) + 0x10000
					high = 0
					b.WriteRune(r)
					continue
				}
				flushHigh()
			}
			switch {
			case r >= 0xd800 && r <= 0xdbff:
				high = r
			case r >= 0xdc00 && r <= 0xdfff:
				b.WriteString("\uFFFD")
			case r == 0:
				b.WriteByte(0)
			default:
				b.WriteRune(r)
			}
		default:
			return "", false
		}
	}
}

// number reads a number as json-c's tokener does.
func (p *cparser) number(depth int) *Node {
	start := p.pos
	isDouble, isExp := false, false
	negOK, posOK := true, false
	for {
		c := p.peek()
		ok := c >= '0' && c <= '9' || !isExp && (c == 'e' || c == 'E') ||
			negOK && c == '-' || posOK && c == '+' || !isDouble && c == '.'
		if !ok {
			break
		}
		negOK, posOK = false, false
		switch c {
		case '.':
			isDouble, negOK, posOK = true, true, true
		case 'e', 'E':
			isExp, isDouble, negOK, posOK = true, true, true, true
		}
		p.pos++
	}
	text := p.s[start:p.pos]
	c := p.peek()
	if depth > 0 && (c == 0 || !strings.ContainsRune(",]}/Ii \t\n\r", rune(c))) {
		return nil
	}
	if text == "-" && (c == 'i' || c == 'I') {
		if p.word("infinity") {
			return &Node{Kind: Real, Real: math.Inf(-1), Str: "-Infinity"}
		}
		return nil
	}
	if isDouble {
		text = strings.TrimRight(text, "eE+-")
		if text == "" {
			text = p.s[start : start+1]
		}
	}
	switch {
	case !isDouble && strings.HasPrefix(text, "-"):
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil
		}
		return &Node{Kind: Int, Int: n, Str: strconv.FormatInt(n, 10)}
	case !isDouble:
		u, err := strconv.ParseUint(text, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil
		}
		if u > math.MaxInt64 {
			return &Node{Kind: Int, Uint: true, Str: strconv.FormatUint(u, 10)}
		}
		return &Node{Kind: Int, Int: int64(u), Str: strconv.FormatUint(u, 10)}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil
	}
	return &Node{Kind: Real, Real: f, Str: text}
}

func (p *cparser) array(depth int) *Node {
	n := &Node{Kind: Array}
	for {
		if !p.ws() {
			return nil
		}
		if p.peek() == ']' {
			p.pos++
			return n
		}
		if depth >= jsoncMaxDepth-1 {
			return nil
		}
		v := p.value(depth + 1)
		if v == nil {
			return nil
		}
		n.Vals = append(n.Vals, v)
		if !p.ws() {
			return nil
		}
		switch p.peek() {
		case ']':
			p.pos++
			return n
		case ',':
			p.pos++
		default:
			return nil
		}
	}
}

func (p *cparser) object(depth int) *Node {
	n := &Node{Kind: Object}
	for {
		if !p.ws() {
			return nil
		}
		q := p.peek()
		if q == '}' {
			p.pos++
			return n
		}
		if q != '"' && q != '\'' {
			return nil
		}
		p.pos++
		key, ok := p.str(q)
		if !ok {
			return nil
		}
		// json-c keeps the key as a C string.
		if i := strings.IndexByte(key, 0); i >= 0 {
			key = key[:i]
		}
		if !p.ws() || p.peek() != ':' {
			return nil
		}
		p.pos++
		if !p.ws() {
			return nil
		}
		if depth >= jsoncMaxDepth-1 {
			return nil
		}
		v := p.value(depth + 1)
		if v == nil {
			return nil
		}
		n.Set(key, v)
		if !p.ws() {
			return nil
		}
		switch p.peek() {
		case '}':
			p.pos++
			return n
		case ',':
			p.pos++
		default:
			return nil
		}
	}
}
