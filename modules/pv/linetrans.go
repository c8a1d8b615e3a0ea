package pv

import (
	"strings"

	"github.com/kamgo/kamgo/runtime/value"
)

// The line transformation class: {line.count}, {line.at,i}, {line.sw,prefix}.

// lines splits text into lines; a final newline ends the last line and a
// trailing '\r' is not part of a line.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	out := strings.Split(s, "\n")
	for i, l := range out {
		out[i] = strings.TrimSuffix(l, "\r")
	}
	return out
}

var lineOps = map[string]opSpec{
	"count": simple(func(s string) (value.Value, error) {
		if s == "" {
			return value.MakeInt(0), nil
		}
		return value.MakeInt(int64(len(lines(s)))), nil
	}),
	"at": oneInt(func(s string, i int) (value.Value, error) {
		ls := lines(s)
		if i < 0 {
			i += len(ls)
		}
		if i < 0 || i >= len(ls) {
			return value.NullValue, errTrans
		}
		return value.MakeStr(ls[i]), nil
	}),
	"sw": oneStr(func(s, p string) (value.Value, error) {
		for _, l := range lines(s) {
			if strings.HasPrefix(l, p) {
				return value.MakeStr(l), nil
			}
		}
		return value.MakeStr(""), nil
	}),
}
