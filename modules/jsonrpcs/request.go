package jsonrpcs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// kind is the type of a JSON node, as Kamailio's JSON reader types them.
type kind uint8

const (
	jNull kind = iota
	jFalse
	jTrue
	jNumber
	jString
	jArray
	jObject
)

// node is one value of a request document. Objects keep their members in
// document order, repeated names included, because jsonrpcs reads object
// params in that order and looks members up by the first match.
type node struct {
	kind  kind
	num   float64 // every number is a double, as Kamailio reads them
	str   string
	name  string  // the member name, inside an object
	items []*node // array items or object members
}

// maxDepth bounds the nesting of a request document; deeper documents are
// refused as unparsable, so that no request can exhaust the stack.
const maxDepth = 512

var errDepth = errors.New("document nested too deeply")

// parse reads the first JSON value of text. Text after that value is
// ignored, as Kamailio's reader stops at the end of the first value.
func parse(text []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return build(dec, tok, 0)
}

func build(dec *json.Decoder, tok json.Token, depth int) (*node, error) {
	switch t := tok.(type) {
	case nil:
		return &node{kind: jNull}, nil
	case bool:
		if t {
			return &node{kind: jTrue, num: 1}, nil
		}
		return &node{kind: jFalse}, nil
	case json.Number:
		// A number beyond a double's range is an infinity, as Kamailio's
		// reader computes it; the range error is not a syntax error.
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, err
		}
		return &node{kind: jNumber, num: f}, nil
	case string:
		return &node{kind: jString, str: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, errDepth
		}
		n := &node{kind: jArray}
		if t == '{' {
			n.kind = jObject
		}
		for dec.More() {
			var name string
			if n.kind == jObject {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name, _ = k.(string)
			}
			v, err := dec.Token()
			if err != nil {
				return nil, err
			}
			child, err := build(dec, v, depth+1)
			if err != nil {
				return nil, err
			}
			child.name = name
			n.items = append(n.items, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	}
	return nil, errors.New("unexpected token")
}

// get returns the first member of an object whose name matches name
// without regard to case (Kamailio's lookup does so), or nil.
func (n *node) get(name string) *node {
	if n == nil || n.kind != jObject {
		return nil
	}
	for _, m := range n.items {
		if strings.EqualFold(m.name, name) {
			return m
		}
	}
	return nil
}

// text returns a string node's value; ok is false for other kinds.
func (n *node) text() (string, bool) {
	if n == nil || n.kind != jString {
		return "", false
	}
	return n.str, true
}

// double is the node read as a number, as Kamailio reads any node: a
// number's value, 1 for true, 0 for everything else.
func (n *node) double() float64 {
	if n.kind == jNumber || n.kind == jTrue {
		return n.num
	}
	return 0
}

// param converts a request parameter to an RPC value: integral numbers
// that fit are integers, other numbers doubles.
func (n *node) param() *rpc.Value {
	switch n.kind {
	case jFalse, jTrue:
		return rpc.NewBool(n.kind == jTrue)
	case jNumber:
		if n.num == math.Trunc(n.num) && math.Abs(n.num) < 1<<63 {
			return rpc.NewInt(int64(n.num))
		}
		return rpc.NewDouble(n.num)
	case jString:
		return rpc.NewStr(n.str)
	case jArray:
		a := rpc.NewArray()
		for _, it := range n.items {
			a.Append(it.param())
		}
		return a
	case jObject:
		s := rpc.NewStruct()
		for _, it := range n.items {
			s.Set(it.name, it.param())
		}
		return s
	}
	return &rpc.Value{Kind: rpc.Null}
}
