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
//
// A string may also carry an int (Num set, the int in I): Kamailio's
// pseudo-variables such as $Tf, $rp or $sp are strings when printed or
// compared as strings, but convert to that int without parsing the text.
// Variables do not keep the int: assigning such a value to $var or $avp
// stores the string only.
type Value struct {
	K   Kind
	Num bool
	I   int64
	S   string
}

// NullValue is the null value ($null, unset variables).
var NullValue = Value{}

// MakeInt returns an integer value.
func MakeInt(i int64) Value { return Value{K: Int, I: i} }

// MakeStr returns a string value.
func MakeStr(s string) Value { return Value{K: Str, S: s} }

// MakeStrInt returns a string that converts to the int i (see Value).
func MakeStrInt(s string, i int64) Value { return Value{K: Str, Num: true, I: i, S: s} }

// Plain drops the int a string carries (what a variable stores).
func (v Value) Plain() Value {
	if v.Num {
		return Value{K: Str, S: v.S}
	}
	return v
}

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
