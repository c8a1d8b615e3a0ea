package cfgvars

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/value"
)

// Type is the type of a variable's value.
type Type uint8

// The types of variables. Integers are C ints, as in Kamailio: 32 bits,
// a wider value wraps.
const (
	Int Type = iota + 1
	Str
)

func (t Type) String() string {
	if t == Int {
		return "integer"
	}
	return "string"
}

// Def is one variable of a group.
type Def struct {
	Name string
	Type Type
	// Input is the type a new value is converted to before Fixup (0: the
	// same as Type). log_facility is an integer set from a name.
	Input Type
	// Min and Max bound an integer input when either is not 0.
	Min, Max int64
	// Descr is what cfg.help prints; empty for none.
	Descr string
	// ReadOnly variables cannot be changed.
	ReadOnly bool
	// Fixup checks a new value (of the Input type) before it is taken and
	// returns the value to store (of Type), as Kamailio's on-change
	// callbacks do. A variable with a Fixup cannot be read back through
	// RPC or a select: the stored value may not be what was set.
	Fixup func(v value.Value) (value.Value, error)
	// OnChange runs after a new value of the group (not of an instance)
	// was committed, for runtime state that lives outside the store (the
	// logger's threshold for core.debug).
	OnChange func(v value.Value)
}

// input is the type new values are converted to.
func (d *Def) input() Type {
	if d.Input != 0 {
		return d.Input
	}
	return d.Type
}

// Readable reports whether the variable's value can be read back.
func (d *Def) Readable() bool { return d.Fixup == nil }

// convert converts v to type t as Kamailio's convert_val does: a number
// to its decimal text; a string to an integer only when all of it is one
// (after leading white space), never the empty string.
func convert(v value.Value, t Type) (value.Value, error) {
	switch t {
	case Int:
		switch v.K {
		case value.Int:
			return value.MakeInt(int64(int32(v.I))), nil
		case value.Str:
			s := strings.TrimLeft(v.S, " \t\n\v\f\r")
			if v.S == "" {
				return value.NullValue, fmt.Errorf("cannot convert an empty string to an integer: %w", ErrConvert)
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
					return value.NullValue, fmt.Errorf("cannot convert %q to an integer: %w", v.S, ErrConvert)
				}
			}
			return value.MakeInt(int64(int32(n))), nil
		}
		return value.NullValue, fmt.Errorf("an integer is expected: %w", ErrConvert)
	case Str:
		switch v.K {
		case value.Int:
			return value.MakeStr(strconv.FormatInt(v.I, 10)), nil
		case value.Str:
			return value.MakeStr(v.S), nil
		}
		return value.NullValue, fmt.Errorf("a string is expected: %w", ErrConvert)
	}
	return value.NullValue, fmt.Errorf("unknown type: %w", ErrConvert)
}

// prepare turns a value a setter gives into the value to store: the
// conversion to the input type, the range check, the fixup, and the
// conversion to the stored type.
func prepare(d *Def, v value.Value) (value.Value, error) {
	if d.ReadOnly {
		return value.NullValue, ErrReadOnly
	}
	in, err := convert(v, d.input())
	if err != nil {
		return value.NullValue, err
	}
	if d.input() == Int && (d.Min != 0 || d.Max != 0) && (in.I < d.Min || in.I > d.Max) {
		return value.NullValue, fmt.Errorf("%d is not in %d..%d: %w", in.I, d.Min, d.Max, ErrRange)
	}
	if d.Fixup != nil {
		if in, err = d.Fixup(in); err != nil {
			return value.NullValue, &fixupError{err}
		}
	}
	return convert(in, d.Type)
}

// fixupError is a value a variable's fixup refused; its text is the
// fixup's.
type fixupError struct{ err error }

func (e *fixupError) Error() string { return e.err.Error() }
func (e *fixupError) Unwrap() error { return e.err }

// show renders a value for a log line as Kamailio does: a string between
// double quotes, as it is.
func show(v value.Value) string {
	if v.K == value.Str {
		return `"` + v.S + `"`
	}
	return value.ToStr(v)
}
