// Package jsondoc owns the JSON document model shared by the jansson and json
// modules: parsing that keeps object keys in document order and numbers as
// written, path lookup ("a.b[0].c"), and the two printers Kamailio's modules
// use (jansson's compact form and json-c's spaced form).
package jsondoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Node is a parsed JSON value that keeps object keys in document order
// (jansson preserves insertion order when it dumps) and numbers as
// written.
type Node struct {
	Kind byte // 'o' object, 'a' array, 's' string, 'n' number, 't' true, 'f' false, 'z' null
	Str  string
	Keys []string
	Vals []*Node
}

// Parse parses one JSON value; trailing data is an error.
func Parse(s string) (*Node, error) {
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

func parseValue(d *json.Decoder, depth int) (*Node, error) {
	if depth > 512 {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &Node{Kind: 'a'}
		if t == '{' {
			n.Kind = 'o'
		}
		for d.More() {
			if n.Kind == 'o' {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				key, _ := k.(string)
				n.Keys = append(n.Keys, key)
			}
			v, err := parseValue(d, depth+1)
			if err != nil {
				return nil, err
			}
			n.Vals = append(n.Vals, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, err
		}
		return n, nil
	case string:
		return &Node{Kind: 's', Str: t}, nil
	case json.Number:
		return &Node{Kind: 'n', Str: t.String()}, nil
	case bool:
		if t {
			return &Node{Kind: 't'}, nil
		}
		return &Node{Kind: 'f'}, nil
	}
	return &Node{Kind: 'z'}, nil
}

// Field returns the value of key k in an object and its position, or nil, -1.
func (n *Node) Field(k string) (*Node, int) {
	for i, key := range n.Keys {
		if key == k {
			return n.Vals[i], i
		}
	}
	return nil, -1
}

// Set replaces the value of key k in an object, or appends the key.
func (n *Node) Set(k string, v *Node) {
	if _, i := n.Field(k); i >= 0 {
		n.Vals[i] = v
		return
	}
	n.Keys = append(n.Keys, k)
	n.Vals = append(n.Vals, v)
}

// IsInt reports whether a number is written as an integer.
func (n *Node) IsInt() bool { return n.Kind == 'n' && !strings.ContainsAny(n.Str, ".eE") }

// RealText prints a real as jansson does (%.17g, keeping a ".0").
func RealText(s string) string {
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

// Compact dumps n the way jansson's JSON_COMPACT does.
func (n *Node) Compact() string {
	var b bytes.Buffer
	n.Write(&b)
	return b.String()
}

// Write appends n in jansson's compact form.
func (n *Node) Write(b *bytes.Buffer) {
	switch n.Kind {
	case 'o':
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			WriteString(b, k)
			b.WriteByte(':')
			n.Vals[i].Write(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		for i, v := range n.Vals {
			if i > 0 {
				b.WriteByte(',')
			}
			v.Write(b)
		}
		b.WriteByte(']')
	case 's':
		WriteString(b, n.Str)
	case 'n':
		if n.IsInt() {
			b.WriteString(n.Str)
		} else {
			b.WriteString(RealText(n.Str))
		}
	case 't':
		b.WriteString("true")
	case 'f':
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

// WriteString appends s as a JSON string literal.
func WriteString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	// encoding/json escapes <, > and & for HTML; JSON does not need it.
	enc = bytes.ReplaceAll(enc, []byte(`\u003c`), []byte("<"))
	enc = bytes.ReplaceAll(enc, []byte(`\u003e`), []byte(">"))
	enc = bytes.ReplaceAll(enc, []byte(`\u0026`), []byte("&"))
	b.Write(enc)
}

// Step is one path element: an object key or an array index.
type Step struct {
	Key   string
	Index int
	IsIdx bool
}

// ParsePath parses "a.b[0].c" (an empty path is the root).
func ParsePath(p string) ([]Step, error) {
	var out []Step
	for i := 0; i < len(p); {
		switch p[i] {
		case '.':
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, errors.New("missing ']' in path")
			}
			n, err := strconv.Atoi(p[i+1 : i+end])
			if err != nil {
				return nil, errors.New("bad array index in path")
			}
			out = append(out, Step{Index: n, IsIdx: true})
			i += end + 1
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			out = append(out, Step{Key: p[i:j]})
			i = j
		}
	}
	return out, nil
}

// Lookup follows path from n; a negative index counts from the end.
func Lookup(n *Node, path []Step) *Node {
	for _, s := range path {
		switch {
		case s.IsIdx && n.Kind == 'a':
			i := s.Index
			if i < 0 {
				i += len(n.Vals)
			}
			if i < 0 || i >= len(n.Vals) {
				return nil
			}
			n = n.Vals[i]
		case !s.IsIdx && n.Kind == 'o':
			v, _ := n.Field(s.Key)
			if v == nil {
				return nil
			}
			n = v
		default:
			return nil
		}
	}
	return n
}

// Spaced dumps n the way json-c's default (spaced) printer does:
// `{ "a": 1, "b": [ 1, 2 ] }`, with '/' escaped.
func (n *Node) Spaced() string {
	var b bytes.Buffer
	n.writeSpaced(&b)
	return b.String()
}

func (n *Node) writeSpaced(b *bytes.Buffer) {
	switch n.Kind {
	case 'o':
		b.WriteString("{ ")
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeCString(b, k)
			b.WriteString(": ")
			n.Vals[i].writeSpaced(b)
		}
		b.WriteString("}")
		if len(n.Keys) > 0 {
			// json-c puts a space before the closing brace of a non-empty object.
			b.Truncate(b.Len() - 1)
			b.WriteString(" }")
		}
	case 'a':
		b.WriteString("[ ")
		for i, v := range n.Vals {
			if i > 0 {
				b.WriteString(", ")
			}
			v.writeSpaced(b)
		}
		if len(n.Vals) > 0 {
			b.WriteString(" ]")
		} else {
			b.WriteString("]")
		}
	case 's':
		writeCString(b, n.Str)
	case 'n':
		b.WriteString(n.Str)
	default:
		n.Write(b)
	}
}

func writeCString(b *bytes.Buffer, s string) {
	var t bytes.Buffer
	WriteString(&t, s)
	b.Write(bytes.ReplaceAll(t.Bytes(), []byte("/"), []byte(`\/`)))
}
