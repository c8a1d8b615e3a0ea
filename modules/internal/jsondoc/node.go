// Package jsondoc owns the JSON document model shared by the jansson and
// json modules, and the two C libraries' rules those modules inherit:
// jansson's strict reader and its printer (ParseJansson, Node.Jansson) and
// json-c's lenient reader and spaced printer (ParseJSONC, Node.JSONC).
// Object keys stay in document order, as both libraries keep them.
package jsondoc

// Kind is the type of a JSON value.
type Kind byte

// Kinds of values.
const (
	Null   Kind = 'z'
	True   Kind = 't'
	False  Kind = 'f'
	Int    Kind = 'i'
	Real   Kind = 'r'
	String Kind = 's'
	Array  Kind = 'a'
	Object Kind = 'o'
)

// Node is a JSON value. Str is the value of a String and, for numbers,
// the text json-c prints (the input text of a real, the decimal value of
// an integer). Int holds an Int that fits int64 (jansson's json_int_t);
// Uint marks a json-c integer above the int64 range, held in Str only.
// Real holds a Real's value. Keys and Vals are an Object's members in
// order, or an Array's elements (Vals only).
type Node struct {
	Kind Kind
	Str  string
	Int  int64
	Uint bool
	Real float64
	Keys []string
	Vals []*Node
}

// Field returns the value of key k in an object and its position, or
// nil, -1.
func (n *Node) Field(k string) (*Node, int) {
	if n == nil || n.Kind != Object {
		return nil, -1
	}
	for i, key := range n.Keys {
		if key == k {
			return n.Vals[i], i
		}
	}
	return nil, -1
}

// Set replaces the value of key k in an object, keeping its position, or
// appends the key.
func (n *Node) Set(k string, v *Node) {
	if _, i := n.Field(k); i >= 0 {
		n.Vals[i] = v
		return
	}
	n.Keys = append(n.Keys, k)
	n.Vals = append(n.Vals, v)
}

// Update sets every member of the object src into the object n, as
// jansson's json_object_update does.
func (n *Node) Update(src *Node) {
	for i, k := range src.Keys {
		n.Set(k, src.Vals[i])
	}
}

// Index returns element i of an array, or nil when n is not an array or
// i is out of range.
func (n *Node) Index(i uint64) *Node {
	if n == nil || n.Kind != Array || i >= uint64(len(n.Vals)) {
		return nil
	}
	return n.Vals[i]
}
