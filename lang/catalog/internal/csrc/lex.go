// Package csrc reads the export tables of Kamailio's modules from their C
// source: the script functions (cmd_export_t), module parameters
// (param_export_t), pseudo-variable classes (pv_export_t) and
// transformation classes (tr_export_t) each module declares, and the name
// its module_exports gives it.
//
// It is not a C compiler. These tables are regular (braces, strings,
// identifiers, integer expressions of macros joined by '|'), so a small
// tokenizer, a preprocessor that only follows #define, #if and quoted
// #include, and a reader for brace initializers are enough. Every shape
// the reader does not know is reported with its file and line, never
// guessed.
package csrc

import (
	"fmt"
	"strings"
)

// kind is the class of a token.
type kind uint8

const (
	tIdent kind = iota
	tNumber
	tString    // text is the decoded literal, without quotes
	tChar      // text is the literal as written, quotes included
	tPunct     // operators and separators
	tDirective // text is the whole logical line after '#', comments removed
)

// token is one C token. Line is 1-based.
type token struct {
	kind kind
	text string
	line int
	// cond is the innermost preprocessor condition the reader could not
	// decide around this token, or "" when every enclosing condition is
	// known to hold.
	cond string
}

func (t token) is(k kind, text string) bool { return t.kind == k && t.text == text }

func (t token) String() string {
	if t.kind == tString {
		return fmt.Sprintf("%q", t.text)
	}
	return t.text
}

// puncts lists the multi-character operators, longest first.
var puncts = []string{"<<=", ">>=", "...", "<<", ">>", "||", "&&", "==", "!=", "<=", ">=", "->", "##", "++", "--", "+=", "-=", "*=", "/=", "|=", "&=", "^=", "%="}

// lex splits C source into tokens. Comments disappear; a directive becomes
// one token holding its logical line (continuations joined).
func lex(src string) ([]token, error) { return lexMode(src, true) }

// lexLine splits the text of one directive (a macro body, a condition):
// there '#' is the stringizing operator.
func lexLine(src string) ([]token, error) { return lexMode(src, false) }

func lexMode(src string, directives bool) ([]token, error) {
	var out []token
	line := 1
	bol := true // only blanks since the start of the line
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			bol = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			line++
			i += 2
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated comment", line)
			}
			line += strings.Count(src[i:i+2+end], "\n")
			i += end + 4
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				if src[i] == '\\' && i+1 < len(src) && src[i+1] == '\n' {
					line++
					i++
				}
				i++
			}
			continue
		case c == '#' && bol && directives:
			text, n, nl, err := directive(src[i+1:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", line, err)
			}
			out = append(out, token{kind: tDirective, text: text, line: line})
			line += nl
			i += 1 + n
			continue
		}
		bol = false
		switch {
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentChar(src[j]) {
				j++
			}
			out = append(out, token{kind: tIdent, text: src[i:j], line: line})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i + 1
			for j < len(src) && (isIdentChar(src[j]) || src[j] == '.') {
				j++
			}
			out = append(out, token{kind: tNumber, text: src[i:j], line: line})
			i = j
		case c == '"':
			s, n, err := stringLit(src[i:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", line, err)
			}
			out = append(out, token{kind: tString, text: s, line: line})
			i += n
		case c == '\'':
			j := i + 1
			for j < len(src) && src[j] != '\'' && src[j] != '\n' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) || src[j] != '\'' {
				return nil, fmt.Errorf("line %d: unterminated character literal", line)
			}
			out = append(out, token{kind: tChar, text: src[i : j+1], line: line})
			i = j + 1
		default:
			p := string(c)
			for _, q := range puncts {
				if strings.HasPrefix(src[i:], q) {
					p = q
					break
				}
			}
			out = append(out, token{kind: tPunct, text: p, line: line})
			i += len(p)
		}
	}
	return out, nil
}

// directive reads a preprocessor line starting after its '#'. It returns
// the line's text without comments and with continuations joined, the
// bytes consumed (up to, not including, the final newline) and the number
// of newlines inside it.
func directive(s string) (text string, n, newlines int, err error) {
	var b strings.Builder
	i := 0
	for i < len(s) && s[i] != '\n' {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '\n':
			b.WriteByte(' ')
			newlines++
			i += 2
		case s[i] == '\\' && i+2 < len(s) && s[i+1] == '\r' && s[i+2] == '\n':
			b.WriteByte(' ')
			newlines++
			i += 3
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return "", 0, 0, fmt.Errorf("unterminated comment")
			}
			newlines += strings.Count(s[i:i+2+end], "\n")
			b.WriteByte(' ')
			i += end + 4
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case s[i] == '"' || s[i] == '\'':
			q := s[i]
			j := i + 1
			for j < len(s) && s[j] != q && s[j] != '\n' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j < len(s) && s[j] == q {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return strings.TrimSpace(b.String()), i, newlines, nil
}

// stringLit decodes the C string literal at the start of s (which starts
// with '"'), returning its value and length in bytes.
func stringLit(s string) (string, int, error) {
	var b strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch c {
		case '"':
			return b.String(), i + 1, nil
		case '\n':
			return "", 0, fmt.Errorf("newline in string literal")
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated string literal")
			}
			e := s[i+1]
			i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '"', '\'', '?':
				b.WriteByte(e)
			case 'a':
				b.WriteByte(7)
			case 'b':
				b.WriteByte(8)
			case 'f':
				b.WriteByte(12)
			case 'v':
				b.WriteByte(11)
			case 'e':
				b.WriteByte(27)
			case '\n':
				// line continuation inside a literal
			case 'x':
				v, n := 0, 0
				for i < len(s) && n < 2 && hexVal(s[i]) >= 0 {
					v = v*16 + hexVal(s[i])
					i++
					n++
				}
				b.WriteByte(byte(v))
			default:
				if e < '0' || e > '7' {
					b.WriteByte(e) // an unknown escape stands for the character
					continue
				}
				v, n := int(e-'0'), 1
				for i < len(s) && n < 3 && s[i] >= '0' && s[i] <= '7' {
					v = v*8 + int(s[i]-'0')
					i++
					n++
				}
				b.WriteByte(byte(v))
			}
			continue
		}
		b.WriteByte(c)
		i++
	}
	return "", 0, fmt.Errorf("unterminated string literal")
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
