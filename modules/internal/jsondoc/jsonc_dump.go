package jsondoc

import (
	"strings"
)

// JSONC prints n as json-c's json_object_to_json_string does (the spaced
// format): `{ "a": 1, "b": [ 1, 2 ] }`, `{ }` and `[ ]` when empty.
// Numbers print as Str holds them; strings escape '/', '"', '\\' and
// control characters (\u00xx, lower-case hex) and keep other bytes.
func (n *Node) JSONC() string {
	var b strings.Builder
	n.dumpJSONC(&b)
	return b.String()
}

// JSONCString is json-c's json_object_get_string as Kamailio reads it: a
// string's bytes up to the first NUL, any other value printed by JSONC.
func (n *Node) JSONCString() string {
	if n.Kind == String {
		if i := strings.IndexByte(n.Str, 0); i >= 0 {
			return n.Str[:i]
		}
		return n.Str
	}
	return n.JSONC()
}

func (n *Node) dumpJSONC(b *strings.Builder) {
	switch n.Kind {
	case Object:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			writeJSONCString(b, k)
			b.WriteString(": ")
			n.Vals[i].dumpJSONC(b)
		}
		b.WriteString(" }")
	case Array:
		b.WriteByte('[')
		for i, v := range n.Vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			v.dumpJSONC(b)
		}
		b.WriteString(" ]")
	case String:
		writeJSONCString(b, n.Str)
	case Int, Real:
		b.WriteString(n.Str)
	case True:
		b.WriteString("true")
	case False:
		b.WriteString("false")
	default:
		b.WriteString("null")
	}
}

const lowerHex = "0123456789abcdef"

func writeJSONCString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			b.WriteString(`\b`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		default:
			if c < ' ' {
				b.WriteString(`\u00`)
				b.WriteByte(lowerHex[c>>4])
				b.WriteByte(lowerHex[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}
