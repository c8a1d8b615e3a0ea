package jsondoc

import (
	"fmt"
	"strconv"
	"strings"
)

// Jansson prints n as jansson's json_dumps does: with compact set
// (JSON_COMPACT) members are separated by "," and ":", otherwise by ", "
// and ": ". Keys keep their order; strings are UTF-8 with '"', '\\' and
// control characters escaped; reals print with 17 significant digits.
func (n *Node) Jansson(compact bool) string {
	var b strings.Builder
	n.dumpJansson(&b, compact)
	return b.String()
}

func (n *Node) dumpJansson(b *strings.Builder, compact bool) {
	sep, colon := ", ", ": "
	if compact {
		sep, colon = ",", ":"
	}
	switch n.Kind {
	case Object:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteString(sep)
			}
			writeJanssonString(b, k)
			b.WriteString(colon)
			n.Vals[i].dumpJansson(b, compact)
		}
		b.WriteByte('}')
	case Array:
		b.WriteByte('[')
		for i, v := range n.Vals {
			if i > 0 {
				b.WriteString(sep)
			}
			v.dumpJansson(b, compact)
		}
		b.WriteByte(']')
	case String:
		writeJanssonString(b, n.Str)
	case Int:
		b.WriteString(strconv.FormatInt(n.Int, 10))
	case Real:
		b.WriteString(JanssonReal(n.Real))
	case True:
		b.WriteString("true")
	case False:
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

// writeJanssonString escapes as jansson's dump_string does without
// flags: '/' and non-ASCII stay as they are, other control characters
// become \u00XX with upper-case hex digits.
func writeJanssonString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// JanssonReal prints a real as jansson does: printf's %.17g, with ".0"
// added when that shows neither a point nor an exponent, and the
// exponent's '+' and leading zeros dropped (1e+300 prints 1e300).
func JanssonReal(f float64) string {
	s := strconv.FormatFloat(f, 'g', 17, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i+1], s[i+1:]
		sign := ""
		switch exp[0] {
		case '+':
			exp = exp[1:]
		case '-':
			sign, exp = "-", exp[1:]
		}
		exp = strings.TrimLeft(exp, "0")
		if exp == "" {
			exp = "0"
		}
		s = mant + sign + exp
	}
	return s
}

// Real15 prints a real as Kamailio's jansson module hands it to the
// script: printf's %.15g (2.0 prints 2, 1e300 prints 1e+300).
func Real15(f float64) string {
	return strconv.FormatFloat(f, 'g', 15, 64)
}
