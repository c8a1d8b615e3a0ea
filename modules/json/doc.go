package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// node is a parsed JSON value that keeps object keys in document order
// (jansson preserves insertion order when it dumps) and numbers as
// written.
type node struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 't' true, 'f' false, 'z' null
	str  string
	keys []string
	vals []*node
}

func parse(s string) (*node, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	n, err := parseValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return n, nil
}

func parseValue(d *json.Decoder, depth int) (*node, error) {
	if depth > 512 {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{kind: 'a'}
		if t == '{' {
			n.kind = 'o'
		}
		for d.More() {
			if n.kind == 'o' {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				n.keys = append(n.keys, key)
			}
			v, err := parseValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		return n, nil
	case string:
		return &node{kind: 's', str: t}, nil
	case json.Number:
		return &node{kind: 'n', str: t.String()}, nil
	case bool:
		if t {
			return &node{kind: 't'}, nil
		}
		return &node{kind: 'f'}, nil
	}
	return &node{kind: 'z'}, nil
}

func (n *node) field(k string) (*node, int) {
	for i, key := range n.keys {
		if key == k {
			return n.vals[i], i
		}
	}
	return nil, -1
}

// isInt reports whether a number is written as an integer.
func (n *node) isInt() bool { return n.kind == 'n' && !strings.ContainsAny(n.str, ".eE") }

// realText prints a real as jansson does (%.17g, keeping a ".0").
func realText(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	out := strconv.FormatFloat(f, 'g', 17, 64)
	if g := strconv.FormatFloat(f, 'g', -1, 64); len(g) < len(out) {
		if v, _ := strconv.ParseFloat(g, 64); v == f {
			out = g
		}
	}
	if !strings.ContainsAny(out, ".eEn") {
		out += ".0"
	}
	return out
}

func (n *node) write(b *bytes.Buffer) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			n.vals[i].write(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, v := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			v.write(b)
		}
		b.WriteByte(']')
	case 's':
		writeString(b, n.str)
	case 'n':
		if n.isInt() {
			b.WriteString(n.str)
		} else {
			b.WriteString(realText(n.str))
		}
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	// encoding/json escapes <, > and & for HTML; JSON does not need it.
	enc = bytes.ReplaceAll(enc, []byte(`\u003c`), []byte("<"))
	enc = bytes.ReplaceAll(enc, []byte(`\u003e`), []byte(">"))
	enc = bytes.ReplaceAll(enc, []byte(`\u0026`), []byte("&"))
	b.Write(enc)
}

// spaced dumps n the way json-c's default (spaced) printer does:
// `{ "a": 1, "b": [ 1, 2 ] }`, with '/' escaped.
func (n *node) spaced() string {
	var b bytes.Buffer
	n.writeSpaced(&b)
	return b.String()
}

func (n *node) writeSpaced(b *bytes.Buffer) {
	switch n.kind {
	case 'o':
		b.WriteString("{ ")
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeCString(b, k)
			b.WriteString(": ")
			n.vals[i].writeSpaced(b)
		}
		b.WriteString("}")
		if len(n.keys) > 0 {
			// json-c puts a space before the closing brace of a non-empty object.
			b.Truncate(b.Len() - 1)
			b.WriteString(" }")
		}
	case 'a':
		b.WriteString("[ ")
		for i, v := range n.vals {
			if i > 0 {
				b.WriteString(", ")
			}
			v.writeSpaced(b)
		}
		if len(n.vals) > 0 {
			b.WriteString(" ]")
		} else {
			b.WriteString("]")
		}
	case 's':
		writeCString(b, n.str)
	case 'n':
		b.WriteString(n.str)
	default:
		n.write(b)
	}
}

func writeCString(b *bytes.Buffer, s string) {
	var t bytes.Buffer
	writeString(&t, s)
	b.Write(bytes.ReplaceAll(t.Bytes(), []byte("/"), []byte(`\/`)))
}
