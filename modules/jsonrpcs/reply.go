package jsonrpcs

import (
	"math"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// encode writes v as Kamailio's JSON writer does: pretty is
// pretty_format 1 (tabs, newlines, ", " between array items), otherwise
// everything on one line without spaces.
func encode(v *rpc.Value, pretty bool) string {
	var b strings.Builder
	w := writer{b: &b, pretty: pretty}
	w.value(v, 0)
	return b.String()
}

type writer struct {
	b      *strings.Builder
	pretty bool
}

func (w writer) value(v *rpc.Value, depth int) {
	switch v.Kind {
	case rpc.Null:
		w.b.WriteString("null")
	case rpc.Bool:
		if v.Bool {
			w.b.WriteString("true")
		} else {
			w.b.WriteString("false")
		}
	case rpc.Int:
		w.b.WriteString(number(float64(v.Int)))
	case rpc.Double:
		w.b.WriteString(number(v.Double))
	case rpc.Str:
		quote(w.b, v.Str)
	case rpc.Array:
		w.b.WriteByte('[')
		for i, it := range v.Items {
			if i > 0 {
				w.b.WriteByte(',')
				if w.pretty {
					w.b.WriteByte(' ')
				}
			}
			if name := v.ItemName(i); name != "" {
				// An item added to an array with a name is sent as an
				// object of one member, as jsonrpcs wraps it.
				w.value(rpc.NewStruct().Set(name, it), depth+1)
				continue
			}
			w.value(it, depth+1)
		}
		w.b.WriteByte(']')
	case rpc.Struct:
		depth++
		w.b.WriteByte('{')
		if w.pretty {
			w.b.WriteByte('\n')
		}
		for i, m := range v.Members {
			if w.pretty {
				w.tabs(depth)
			}
			quote(w.b, m.Name)
			w.b.WriteByte(':')
			if w.pretty {
				w.b.WriteByte('\t')
			}
			w.value(m.Value, depth)
			if i != len(v.Members)-1 {
				w.b.WriteByte(',')
			}
			if w.pretty {
				w.b.WriteByte('\n')
			}
		}
		if w.pretty {
			w.tabs(depth - 1)
		}
		w.b.WriteByte('}')
	}
}

func (w writer) tabs(n int) {
	for ; n > 0; n-- {
		w.b.WriteByte('\t')
	}
}

// dblEpsilon is C's DBL_EPSILON.
const dblEpsilon = 2.220446049250313e-16

// number formats a number as Kamailio's JSON writer does: numbers that
// are whole and fit a C int in decimal; other whole numbers without
// decimals; very small or large ones in C's %e form; the rest with six
// decimals (C's %f). Every number goes through a double first.
func number(d float64) string {
	switch {
	case math.IsNaN(d):
		return "nan"
	case math.IsInf(d, 1):
		return "inf"
	case math.IsInf(d, -1):
		return "-inf"
	}
	if d <= math.MaxInt32 && d >= math.MinInt32 {
		i := int32(d)
		if math.Abs(float64(i)-d) <= dblEpsilon {
			return strconv.Itoa(int(i))
		}
	}
	switch {
	case math.Abs(math.Floor(d)-d) <= dblEpsilon:
		return strconv.FormatFloat(d, 'f', 0, 64)
	case math.Abs(d) < 1.0e-6 || math.Abs(d) > 1.0e9:
		return strconv.FormatFloat(d, 'e', 6, 64)
	}
	return strconv.FormatFloat(d, 'f', 6, 64)
}

// quote writes s as a JSON string the way Kamailio's writer does: the
// text ends at the first NUL byte (its strings are C strings), quote and
// backslash are escaped, \b \f \n \r \t by name, other control bytes as
// \u00XX, and every other byte, UTF-8 or not, as it is.
func quote(b *strings.Builder, s string) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
