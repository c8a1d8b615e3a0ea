package jsondoc

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JanssonError is a parse error as jansson reports it: the line and
// column (1-based, counting characters) of the last character read and a
// text such as "'[' or '{' expected near 'not'".
type JanssonError struct {
	Line, Col int
	Text      string
}

func (e *JanssonError) Error() string {
	return fmt.Sprintf("json error at line %d, col %d: %s", e.Line, e.Col, e.Text)
}

// janssonMaxDepth is jansson's JSON_PARSER_MAX_DEPTH.
const janssonMaxDepth = 2048

// ParseJansson reads s the way Kamailio's jansson module calls
// json_loads (flags JSON_REJECT_DUPLICATES): the document must be one
// object or array followed only by white space; duplicate keys, \u0000,
// raw control characters in strings, invalid UTF-8, unpaired surrogates,
// integers beyond int64 and reals beyond float64 are errors. The text
// ends at its first NUL byte, as a C string does.
func ParseJansson(s string) (*Node, error) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	p := &jparser{s: s, line: 1}
	if !utf8.ValidString(s) {
		return nil, p.utf8Error()
	}
	p.next()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok != '[' && p.tok != '{' {
		return nil, p.fail("'[' or '{' expected")
	}
	n := p.value(1)
	if p.err != nil {
		return nil, p.err
	}
	p.next()
	if p.err == nil && p.tok != tokEOF {
		p.fail("end of file expected")
	}
	if p.err != nil {
		return nil, p.err
	}
	return n, nil
}

// Token kinds of the jansson lexer besides the punctuation bytes.
const (
	tokEOF     = -1
	tokInvalid = -2
	tokString  = -3
	tokInt     = -4
	tokReal    = -5
	tokTrue    = -6
	tokFalse   = -7
	tokNull    = -8
)

type jparser struct {
	s         string
	pos       int // next byte to read
	line, col int // of the last character read
	tok       int
	text      string // the token's source text ("near '...'")
	str       string
	ival      int64
	rval      float64
	err       *JanssonError
}

func (p *jparser) fail(msg string) *JanssonError {
	if p.err != nil {
		return p.err
	}
	switch {
	case p.text == "":
		msg += " near end of file"
	case len(p.text) <= 20:
		msg += " near '" + p.text + "'"
	}
	p.err = &JanssonError{Line: p.line, Col: p.col, Text: msg}
	return p.err
}

// utf8Error reports the first byte that is not valid UTF-8.
func (p *jparser) utf8Error() error {
	line, col := 1, 0
	for i := 0; i < len(p.s); {
		r, size := utf8.DecodeRuneInString(p.s[i:])
		if r == utf8.RuneError && size <= 1 {
			return &JanssonError{Line: line, Col: col, Text: fmt.Sprintf("unable to decode byte 0x%x", p.s[i])}
		}
		if r == '\n' {
			line, col = line+1, 0
		} else {
			col++
		}
		i += size
	}
	return errors.New("invalid UTF-8")
}

// get reads one character (a whole UTF-8 sequence), -1 at the end.
func (p *jparser) get() rune {
	if p.pos >= len(p.s) {
		return -1
	}
	r, size := utf8.DecodeRuneInString(p.s[p.pos:])
	p.pos += size
	if r == '\n' {
		p.line, p.col = p.line+1, 0
	} else {
		p.col++
	}
	return r
}

// unget steps back over r, which get just returned.
func (p *jparser) unget(r rune) {
	if r < 0 {
		return
	}
	p.pos -= utf8.RuneLen(r)
	if r == '\n' {
		p.line-- // the column before the newline is not kept
	} else {
		p.col--
	}
}

// next scans the next token.
func (p *jparser) next() {
	c := p.get()
	for c == ' ' || c == '\t' || c == '\n' || c == '\r' {
		c = p.get()
	}
	start := p.pos
	if c >= 0 {
		start -= utf8.RuneLen(c)
	}
	p.text = ""
	switch {
	case c < 0:
		p.tok = tokEOF
	case c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',':
		p.tok = int(c)
		p.text = string(c)
	case c == '"':
		p.scanString(start)
	case c == '-' || (c >= '0' && c <= '9'):
		p.scanNumber(start, c)
	case isAlpha(c):
		for c = p.get(); isAlpha(c); c = p.get() {
		}
		p.unget(c)
		p.text = p.s[start:p.pos]
		switch p.text {
		case "true":
			p.tok = tokTrue
		case "false":
			p.tok = tokFalse
		case "null":
			p.tok = tokNull
		default:
			p.tok = tokInvalid
		}
	default:
		p.tok = tokInvalid
		p.text = string(c)
	}
}

func isAlpha(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c rune) bool { return c >= '0' && c <= '9' }

// scanString lexes a string as jansson does: first the raw token up to
// the closing quote (control characters and malformed escapes are errors
// there), then the escapes are decoded, so Unicode errors name the whole
// token.
func (p *jparser) scanString(start int) {
	p.tok = tokInvalid
	for {
		c := p.get()
		p.text = p.s[start:p.pos]
		switch {
		case c < 0:
			p.fail("premature end of input")
			return
		case c <= 0x1f:
			p.unget(c)
			p.text = p.s[start:p.pos]
			if c == '\n' {
				p.fail("unexpected newline")
			} else {
				p.fail(fmt.Sprintf("control character 0x%x", c))
			}
			return
		case c == '"':
			s, ok := p.decodeString(p.s[start+1 : p.pos-1])
			if ok {
				p.tok, p.str = tokString, s
			}
			return
		case c != '\\':
			continue
		}
		c = p.get()
		p.text = p.s[start:p.pos]
		switch c {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			for i := 0; i < 4; i++ {
				c = p.get()
				p.text = p.s[start:p.pos]
				if hexVal(c) < 0 {
					p.fail("invalid escape")
					return
				}
			}
		default:
			p.fail("invalid escape")
			return
		}
	}
}

func hexVal(c rune) rune {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return -1
}

// hex4 reads the four hex digits at the start of s (checked by the lexer).
func hex4(s string) rune {
	var v rune
	for i := 0; i < 4; i++ {
		v = v<<4 | hexVal(rune(s[i]))
	}
	return v
}

// decodeString decodes the escapes of a lexed string body, joining
// surrogate pairs; \u0000 and unpaired surrogates are errors.
func (p *jparser) decodeString(raw string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
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
			v := hex4(raw[i+1:])
			i += 4
			switch {
			case v >= 0xdc00 && v <= 0xdfff:
				p.fail(fmt.Sprintf("invalid Unicode '\\u%04X'", v))
				return "", false
			case v >= 0xd800 && v <= 0xdbff:
				if !strings.HasPrefix(raw[i+1:], `\u`) {
					p.fail(fmt.Sprintf("invalid Unicode '\\u%04X'", v))
					return "", false
				}
				lo := hex4(raw[i+3:])
				i += 6
				if lo < 0xdc00 || lo > 0xdfff {
					p.fail(fmt.Sprintf("invalid Unicode '\\u%04X\\u%04X'", v, lo))
					return "", false
				}
				v = (v-0xd800)<<10 + (lo - 0xdc00) + 0x10000
			case v == 0:
				p.fail("\\u0000 is not allowed without JSON_ALLOW_NUL")
				return "", false
			}
			b.WriteRune(v)
		default: // '"', '\\', '/'
			b.WriteByte(raw[i])
		}
	}
	return b.String(), true
}

func (p *jparser) scanNumber(start int, c rune) {
	p.tok = tokInvalid
	done := func(c rune) string {
		p.unget(c)
		p.text = p.s[start:p.pos]
		return p.text
	}
	if c == '-' {
		c = p.get()
	}
	switch {
	case c == '0':
		if c = p.get(); isDigit(c) {
			done(c)
			return
		}
	case isDigit(c):
		for c = p.get(); isDigit(c); c = p.get() {
		}
	default:
		done(c)
		return
	}
	if c != '.' && c != 'e' && c != 'E' {
		text := done(c)
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			if n < 0 {
				p.fail("too big negative integer")
			} else {
				p.fail("too big integer")
			}
			return
		}
		p.tok, p.ival = tokInt, n
		return
	}
	if c == '.' {
		if c = p.get(); !isDigit(c) {
			done(c)
			return
		}
		for c = p.get(); isDigit(c); c = p.get() {
		}
	}
	if c == 'e' || c == 'E' {
		c = p.get()
		if c == '+' || c == '-' {
			c = p.get()
		}
		if !isDigit(c) {
			done(c)
			return
		}
		for c = p.get(); isDigit(c); c = p.get() {
		}
	}
	text := done(c)
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && math.IsInf(f, 0) {
		p.fail("real number overflow")
		return
	}
	p.tok, p.rval = tokReal, f
}

// value parses the value whose first token has been scanned; the
// top-level value has depth 1.
func (p *jparser) value(depth int) *Node {
	if depth > janssonMaxDepth {
		p.fail("maximum parsing depth reached")
		return nil
	}
	switch p.tok {
	case tokString:
		return &Node{Kind: String, Str: p.str}
	case tokInt:
		return &Node{Kind: Int, Int: p.ival, Str: strconv.FormatInt(p.ival, 10)}
	case tokReal:
		return &Node{Kind: Real, Real: p.rval, Str: p.text}
	case tokTrue:
		return &Node{Kind: True}
	case tokFalse:
		return &Node{Kind: False}
	case tokNull:
		return &Node{Kind: Null}
	case '{':
		return p.object(depth)
	case '[':
		return p.array(depth)
	case tokInvalid:
		p.fail("invalid token")
	default:
		p.fail("unexpected token")
	}
	return nil
}

func (p *jparser) object(depth int) *Node {
	n := &Node{Kind: Object}
	p.next()
	if p.tok == '}' {
		return n
	}
	for p.err == nil {
		if p.tok != tokString {
			p.fail("string or '}' expected")
			return nil
		}
		key := p.str
		if v, _ := n.Field(key); v != nil {
			p.fail("duplicate object key")
			return nil
		}
		p.next()
		if p.tok != ':' {
			p.fail("':' expected")
			return nil
		}
		p.next()
		v := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		n.Keys = append(n.Keys, key)
		n.Vals = append(n.Vals, v)
		p.next()
		if p.tok != ',' {
			break
		}
		p.next()
	}
	if p.err == nil && p.tok != '}' {
		p.fail("'}' expected")
	}
	if p.err != nil {
		return nil
	}
	return n
}

func (p *jparser) array(depth int) *Node {
	n := &Node{Kind: Array}
	p.next()
	if p.tok == ']' {
		return n
	}
	for p.err == nil {
		v := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		n.Vals = append(n.Vals, v)
		p.next()
		if p.tok != ',' {
			break
		}
		p.next()
	}
	if p.err == nil && p.tok != ']' {
		p.fail("']' expected")
	}
	if p.err != nil {
		return nil
	}
	return n
}
