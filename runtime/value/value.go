// Package value owns the values a Kamailio script computes with: integers,
// strings and null, and the rules for converting between them.
package value

import "strconv"

// Kind is the dynamic type of a Value.
type Kind uint8

// Kinds. The zero Value is Null.
const (
	Null Kind = iota
	Int
	Str
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Str:
		return "str"
	}
	return "null"
}

// Value is an immutable script value. Kamailio's integers are C ints; I holds
// the value already reduced to the width the operation produced.
type Value struct {
	K Kind
	I int64
	S string
}

// NullValue is the null value ($null, unset variables).
var NullValue = Value{}

// MakeInt returns an integer value.
func MakeInt(i int64) Value { return Value{K: Int, I: i} }

// MakeStr returns a string value.
func MakeStr(s string) Value { return Value{K: Str, S: s} }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.K == Null }

// String renders v the way Kamailio prints it in a format string: null is
// "<null>", integers in decimal.
func (v Value) String() string {
	switch v.K {
	case Int:
		return strconv.FormatInt(v.I, 10)
	case Str:
		return v.S
	}
	return "<null>"
}
