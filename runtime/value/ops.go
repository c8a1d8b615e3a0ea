package value

// Kamailio's rvalue rules (observed on Kamailio 5.6.3, see
// runtime/interp/doc.go for the probes behind each rule):
//
//   - Integers are C ints: 32 bits, two's complement, wrapping on overflow
//     (2147483647 + 1 == -2147483648; the literal 4294967296 is 0).
//   - A string converts to an int only when the whole string is a decimal
//     number with an optional sign that fits 32 bits ("12", "-5", "+5"),
//     or "0x"/"0X" followed by at least one hex digit (taken modulo 2^32,
//     so "0xffffffff" is -1). "" is 0. Anything else (" 12", "12abc",
//     "4294967297", "-0x10") fails: the value is 0 and Kamailio warns.
//   - Null (an undefined AVP, $null) is 0 as an int and "" as a string.
//   - Shift counts are taken modulo 32, as the x86 instructions do.
//   - Division and modulo by zero are errors; C's truncating division.

import (
	"errors"
	"strconv"
)

// Errors of integer operations.
var (
	ErrDivZero = errors.New("rv div by 0")
	ErrModZero = errors.New("rv mod by 0")
)

// Wrap reduces i to Kamailio's int width (32 bits, wrapping).
func Wrap(i int64) int64 { return int64(int32(i)) }

// StrToInt converts s the way Kamailio's automatic string to int conversion
// does. ok is false when the conversion failed; the result is then 0.
func StrToInt(s string) (i int64, ok bool) {
	if s == "" {
		return 0, true
	}
	if n, ok := Str2Sint(s); ok {
		return n, true
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		var u uint32
		for j := 2; j < len(s); j++ {
			c := s[j]
			var d uint32
			switch {
			case c >= '0' && c <= '9':
				d = uint32(c - '0')
			case c >= 'a' && c <= 'f':
				d = uint32(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = uint32(c-'A') + 10
			default:
				return 0, false
			}
			u = u<<4 + d
		}
		return int64(int32(u)), true
	}
	return 0, false
}

// Str2Int is Kamailio's str2int: decimal digits only, as an unsigned
// 32-bit number taken as a C int.
func Str2Int(s string) (int64, bool) {
	var n uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<32-1 {
			return 0, false
		}
	}
	return int64(int32(uint32(n))), true
}

// Str2Sint is Kamailio's str2sint: an optional sign followed by decimal
// digits, nothing else, within the int32 range. A lone sign is 0, as in
// Kamailio. The empty string fails: Kamailio's empty script values carry
// no buffer, which str2sint rejects ({s.int} of "" fails).
func Str2Sint(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	i, neg := 0, false
	if s[0] == '+' {
		i++
	} else if s[0] == '-' {
		neg = true
		i++
	}
	var n int64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > 1<<31 || (!neg && n > 1<<31-1) {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// ToInt converts v to an int: null is 0, strings convert with StrToInt.
// ok is false when a string did not convert (the result is then 0).
func ToInt(v Value) (int64, bool) {
	switch v.K {
	case Int:
		return v.I, true
	case Str:
		if v.Num {
			return v.I, true
		}
		return StrToInt(v.S)
	}
	return 0, true
}

// ToStr converts v to a string for concatenation and string comparison:
// null is "", ints are decimal.
func ToStr(v Value) string {
	switch v.K {
	case Str:
		return v.S
	case Int:
		return strconv.FormatInt(v.I, 10)
	}
	return ""
}

// Truth is Kamailio's condition test on an int: strictly positive is true.
func Truth(i int64) bool { return i > 0 }

// IntOp is a binary integer operator.
type IntOp uint8

// Integer operators.
const (
	OpAdd IntOp = iota
	OpSub
	OpMul
	OpDiv
	OpMod
	OpBor
	OpBand
	OpBxor
	OpShl
	OpShr
	OpLT
	OpGT
	OpLE
	OpGE
	OpEQ
	OpNE
	OpLAnd
	OpLOr
)

var intOpNames = map[string]IntOp{
	"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "mod": OpMod,
	"|": OpBor, "&": OpBand, "^": OpBxor, "<<": OpShl, ">>": OpShr,
	"<": OpLT, ">": OpGT, "<=": OpLE, ">=": OpGE, "==": OpEQ, "!=": OpNE,
	"ieq": OpEQ, "ine": OpNE, "&&": OpLAnd, "||": OpLOr,
}

// LookupIntOp returns the integer operator spelled op.
func LookupIntOp(op string) (IntOp, bool) {
	o, ok := intOpNames[op]
	return o, ok
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Arith applies an integer operator to two ints already reduced to 32
// bits; the result is reduced to 32 bits. Division and modulo by zero
// return an error. MinInt32 / -1 is MinInt32 (Kamailio dies of SIGFPE).
func Arith(op IntOp, a, b int64) (int64, error) {
	switch op {
	case OpAdd:
		return Wrap(a + b), nil
	case OpSub:
		return Wrap(a - b), nil
	case OpMul:
		return Wrap(a * b), nil
	case OpDiv:
		if b == 0 {
			return 0, ErrDivZero
		}
		return Wrap(a / b), nil
	case OpMod:
		if b == 0 {
			return 0, ErrModZero
		}
		return Wrap(a % b), nil
	case OpBor:
		return Wrap(a | b), nil
	case OpBand:
		return Wrap(a & b), nil
	case OpBxor:
		return Wrap(a ^ b), nil
	case OpShl:
		return Wrap(int64(int32(a) << (uint32(b) & 31))), nil
	case OpShr:
		return Wrap(int64(int32(a) >> (uint32(b) & 31))), nil
	case OpLT:
		return b2i(a < b), nil
	case OpGT:
		return b2i(a > b), nil
	case OpLE:
		return b2i(a <= b), nil
	case OpGE:
		return b2i(a >= b), nil
	case OpEQ:
		return b2i(a == b), nil
	case OpNE:
		return b2i(a != b), nil
	case OpLAnd:
		return b2i(a != 0 && b != 0), nil
	case OpLOr:
		return b2i(a != 0 || b != 0), nil
	}
	return 0, errors.New("unknown integer operator")
}

// Neg is unary minus on a 32-bit int.
func Neg(a int64) int64 { return Wrap(-a) }

// BitNot is `~`.
func BitNot(a int64) int64 { return Wrap(^a) }

// Not is `!`: C's logical not (only 0 is false), so !-1 is 0 even though
// -1 is false in a condition.
func Not(a int64) int64 { return b2i(a == 0) }

// Concat is `+` when the left operand is a string or null: both sides as
// strings.
func Concat(a, b Value) Value { return MakeStr(ToStr(a) + ToStr(b)) }

// EqualValues is `==` with Kamailio's typing, for two evaluated operands:
// an int on the left compares as ints; a string on the left compares as
// strings; null on the left takes the type of the right (null == null is
// "" == ""). The int conversion status of the right operand is returned
// so callers can warn as Kamailio does.
func EqualValues(a, b Value) (eq bool, convOK bool) {
	switch a.K {
	case Int:
		bi, ok := ToInt(b)
		return a.I == bi, ok
	case Str:
		return a.S == ToStr(b), true
	}
	if b.K == Int {
		return b.I == 0, true
	}
	return ToStr(b) == "", true
}
