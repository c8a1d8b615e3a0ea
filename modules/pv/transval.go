package pv

import (
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The transformation classes Kamailio added after 5.6, which unlike the
// others also take a null value (read from pv_trans.c and pv.c at the
// tag of the release that exported each):
//
//	5.7: {val.n0} {val.ne} {val.json} {val.jsonqe}
//	6.1: {num.fdigit} {num.ldigit}
//
// The val class is in 5.6's pv_trans.c but missing from 5.6's export
// table, so a 5.6 configuration cannot use it.
func newerTransClasses() []*pv.TransClass {
	return []*pv.TransClass{
		valueClass("val", "Kamailio 5.7", valOps),
		valueClass("num", "Kamailio 6.1", numOps),
	}
}

// valueOp transforms a whole value, null included.
type valueOp func(v value.Value) value.Value

var valOps = map[string]valueOp{
	// n0: null becomes the integer 0.
	"n0": func(v value.Value) value.Value {
		if v.IsNull() {
			return value.MakeInt(0)
		}
		return v
	},
	// ne: null becomes the empty string.
	"ne": func(v value.Value) value.Value {
		if v.IsNull() {
			return value.MakeStr("")
		}
		return v
	},
	// json: a string escaped for use inside a JSON string (without the
	// quotes); null becomes "", an integer stays as it is.
	"json": func(v value.Value) value.Value {
		switch {
		case v.IsNull():
			return value.MakeStr("")
		case v.K == value.Str:
			if e, changed := jsonEscape(v.S); changed {
				return value.MakeStr(e)
			}
		}
		return v
	},
	// jsonqe: a JSON value: a string escaped and quoted, null as the
	// empty string "\"\"", an integer as it is. Kamailio quotes a string
	// only when it had something to escape; see spec/deviations.md.
	"jsonqe": func(v value.Value) value.Value {
		switch {
		case v.IsNull():
			return value.MakeStr(`""`)
		case v.K == value.Str:
			e, _ := jsonEscape(v.S)
			return value.MakeStr(`"` + e + `"`)
		}
		return v
	},
}

var numOps = map[string]valueOp{
	// fdigit: the first digit of an integer's magnitude.
	"fdigit": func(v value.Value) value.Value {
		n, ok := intOf(v)
		if !ok {
			return value.MakeInt(0)
		}
		u := magnitude(n)
		for u >= 10 {
			u /= 10
		}
		return value.MakeInt(int64(u))
	},
	// ldigit: the last digit of an integer's magnitude. Kamailio keeps
	// the sign (-123 gives -3 printed as "-"); see spec/deviations.md.
	"ldigit": func(v value.Value) value.Value {
		n, ok := intOf(v)
		if !ok {
			return value.MakeInt(0)
		}
		return value.MakeInt(int64(magnitude(n) % 10))
	},
}

// intOf is the integer a value carries: an integer, or a string that has
// one (such as $rp). Anything else, null included, has none and the num
// operators read 0 for it.
func intOf(v value.Value) (int64, bool) {
	if v.K == value.Int || v.K == value.Str && v.Num {
		return v.I, true
	}
	return 0, false
}

// magnitude is |n|, also for the smallest int64.
func magnitude(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}

// jsonEscape escapes s for the inside of a JSON string: quote, backslash
// and the control bytes (the usual ones by letter, others as \u00XX).
// Other bytes, UTF-8 included, pass through. changed is false when
// nothing needed escaping.
func jsonEscape(s string) (out string, changed bool) {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		return s, false
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(ch)
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
			if ch < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, ch)
			} else {
				b.WriteByte(ch)
			}
		}
	}
	return b.String(), true
}

// valueClass is a transformation class of parameterless operators over
// the whole value; operator names compare without case, as Kamailio's.
func valueClass(name, ext string, ops map[string]valueOp) *pv.TransClass {
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	return &pv.TransClass{Name: name, Module: "pv", Ext: ext, Ops: sortedStrings(names),
		Compile: func(_ *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
			op, ok := ops[strings.ToLower(strings.TrimSpace(tr.Op))]
			if !ok {
				return nil, fmt.Errorf("unknown transformation %s.%s", name, tr.Op)
			}
			if len(tr.Params) > 0 {
				return nil, fmt.Errorf("%s.%s takes no parameters", name, tr.Op)
			}
			return func(_ *event.Context, in value.Value) (value.Value, error) { return op(in), nil }, nil
		}}
}
