package jansson

import (
	"fmt"
	"math"
	"strings"

	"github.com/kamgo/kamgo/modules/internal/jsondoc"
)

// Paths address a value inside a document: keys separated by '.', array
// indexes in brackets ("a.b[0].c", "[1][0]", "" for the whole document).
// The rules are those of the json_path code Kamailio's jansson module
// carries: an index is read as C's strtol with base 0 ("0x1" and "010"
// are 1 and 8, "" is 0) and a negative one addresses nothing; a key may
// follow an index only after a '.'; a trailing '.' is ignored when
// reading.

const (
	pathDelims = ".["
	indexClose = "]"
)

// pathScanner walks a path the way json_path_get and json_path_set do:
// tokens end at one of the expected delimiters, which switch between
// ".[" (after a key) and "]" (inside brackets).
type pathScanner struct {
	path   string
	peek   int // next unread position, -1 once the path is used up
	token  int // start of the pending token, -1 for none
	expect string
	delim  byte
}

func newPathScanner(path string) *pathScanner {
	s := &pathScanner{path: path, expect: pathDelims}
	if strings.HasPrefix(path, "[") {
		s.expect, s.token = indexClose, 1
	}
	return s
}

// more reports whether unread path remains.
func (s *pathScanner) more() bool { return s.peek >= 0 && s.peek < len(s.path) }

// cut finds the next delimiter. It returns the token it ends (from
// s.token) and found=false when no delimiter is left; then the token
// runs to the end of the path.
func (s *pathScanner) cut() (tok string, found bool, last int) {
	last = s.peek
	i := strings.IndexAny(s.path[last:], s.expect)
	if i < 0 {
		if s.token >= 0 {
			tok = s.path[s.token:]
		}
		s.peek = -1
		return tok, false, last
	}
	end := last + i
	s.delim = s.path[end]
	if s.token >= 0 {
		tok = s.path[s.token:end]
	}
	s.peek = end + 1
	return tok, true, last
}

// pathGet returns the value at path under root, or nil.
func pathGet(root *jsondoc.Node, path string) *jsondoc.Node {
	s := newPathScanner(path)
	cur := root
	for s.more() && cur != nil {
		hadToken := s.token >= 0
		tok, found, last := s.cut()
		if found && !hadToken && s.peek-1 != last {
			return nil // text between ']' and the next delimiter
		}
		if !found && (s.expect != pathDelims || !hadToken) {
			return nil
		}
		if s.expect == pathDelims {
			if hadToken {
				cur, _ = cur.Field(tok)
			}
			s.expect = pathDelims
			if found && s.delim == '[' {
				s.expect = indexClose
			}
			s.token = s.peek
			continue
		}
		idx, ok := strtolIndex(tok)
		if !ok {
			return nil
		}
		cur = cur.Index(idx)
		s.token, s.expect = -1, pathDelims
	}
	return cur
}

// pathSet stores v at path under root (json_path_set). Missing objects
// on the way are created when a '.' follows their key; a missing array
// is an error. With appendMode the value is appended to the array at
// path, or merged into the object at path when v is an object; a path
// ending in an index replaces that element in both modes.
func pathSet(root *jsondoc.Node, path string, v *jsondoc.Node, appendMode bool) error {
	s := newPathScanner(path)
	cur := root
	var parent *jsondoc.Node
	savedIndex := -1
	for s.more() {
		hadToken := s.token >= 0
		tok, found, last := s.cut()
		if found {
			if !hadToken && s.peek-1 != last {
				return fmt.Errorf("unexpected trailing chars in JSON path at pos %d", last)
			}
		} else {
			if s.expect == pathDelims {
				break // the last key stays pending for after the loop
			}
			return fmt.Errorf("missing ']' at pos %d", len(path))
		}
		if s.expect == pathDelims {
			if hadToken {
				if tok == "" {
					return fmt.Errorf("empty token at pos %d", s.peek)
				}
				parent = cur
				cur, _ = parent.Field(tok)
				if cur == nil {
					if parent.Kind != jsondoc.Object {
						return fmt.Errorf("object expected at pos %d", s.peek)
					}
					if s.delim != '.' {
						return fmt.Errorf("new array is not allowed at pos %d", s.peek)
					}
					cur = &jsondoc.Node{Kind: jsondoc.Object}
					parent.Set(tok, cur)
				}
			}
			s.expect = pathDelims
			if s.delim == '[' {
				s.expect = indexClose
			}
			s.token = s.peek
			continue
		}
		parent = cur
		if parent.Kind != jsondoc.Array {
			return fmt.Errorf("array expected at pos %d", s.peek)
		}
		idx, ok := strtolIndex(tok)
		if !ok {
			return fmt.Errorf("invalid array index at pos %d", s.peek)
		}
		cur = parent.Index(idx)
		if cur == nil {
			return fmt.Errorf("array index out of bound at pos %d", s.peek)
		}
		savedIndex = int(idx)
		s.token, s.expect = -1, pathDelims
	}
	var tok string
	hasToken := s.token >= 0
	if hasToken {
		tok = path[s.token:]
	}
	switch {
	case hasToken && appendMode:
		target := cur
		if tok != "" {
			target, _ = cur.Field(tok)
		}
		switch {
		case target != nil && target.Kind == jsondoc.Array:
			target.Vals = append(target.Vals, v)
		case target != nil && target.Kind == jsondoc.Object && v.Kind == jsondoc.Object:
			target.Update(v)
		default:
			return fmt.Errorf("JSON array or object expected at pos %d", len(path))
		}
	case hasToken && tok != "":
		if cur.Kind != jsondoc.Object {
			return fmt.Errorf("JSON object expected at pos %d", len(path))
		}
		cur.Set(tok, v)
	case savedIndex >= 0 && parent != nil && parent.Kind == jsondoc.Array:
		parent.Vals[savedIndex] = v
	default:
		return fmt.Errorf("invalid JSON path at pos %d", len(path))
	}
	return nil
}

// strtolIndex reads an array index as json_path does: strtol with base
// 0, the whole token consumed, and the result taken as a size_t (so a
// negative index is out of range).
func strtolIndex(tok string) (uint64, bool) {
	n, rest := strtol0(tok)
	if rest != "" {
		return 0, false
	}
	return uint64(n), true
}

// strtol0 is C's strtol(s, &end, 0): leading white space, a sign, then a
// hex ("0x"), octal (leading 0) or decimal number, saturating at the
// int64 range. rest is the unread text; with no digits it is all of s.
func strtol0(s string) (int64, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	switch {
	case i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && hexDigit(s[i+2]) >= 0:
		base, i = 16, i+2
	case i < len(s) && s[i] == '0':
		base = 8
	}
	start := i
	var v uint64
	over := false
	for ; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/base {
			over = true
		}
		v = v*base + uint64(d)
	}
	if i == start {
		return 0, s
	}
	switch {
	case neg && (over || v > 1<<63):
		return math.MinInt64, s[i:]
	case neg:
		return -int64(v), s[i:]
	case over || v > math.MaxInt64:
		return math.MaxInt64, s[i:]
	}
	return int64(v), s[i:]
}

func hexDigit(c byte) int {
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
