package pv

import (
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// The param transformation class: {param.value,name[,sep]} ... over
// "a=1;b=2" style lists.

type paramItem struct{ name, value string }

// splitParams splits a parameter list at sep outside double quotes; a
// trailing separator adds no item. Names and values are trimmed and
// quoted values unquoted.
func splitParams(s string, sep byte) []paramItem {
	var out []paramItem
	start, inq := 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			if s[i] == '"' {
				inq = !inq
			}
			if inq || s[i] != sep {
				continue
			}
		}
		piece := s[start:i]
		start = i + 1
		if i == len(s) && strings.TrimSpace(piece) == "" && len(out) > 0 {
			break
		}
		n, v, _ := strings.Cut(piece, "=")
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		out = append(out, paramItem{strings.TrimSpace(n), v})
	}
	return out
}

func findParam(s, name string, sep byte) (string, bool) {
	for _, p := range splitParams(s, sep) {
		if strings.EqualFold(p.name, name) {
			return p.value, true
		}
	}
	return "", false
}

// sepParam compiles the optional separator parameter at ps[i].
func sepParam(ps []*ast.TransParam, i int) (byte, error) {
	if len(ps) <= i {
		return ';', nil
	}
	s := ps[i].Text
	if s == `\n` {
		return '\n', nil
	}
	if ps[i].PV != nil || len(s) != 1 {
		return 0, errSep
	}
	return s[0], nil
}

var errSep = errorString("the separator must be one character")

type errorString string

func (e errorString) Error() string { return string(e) }

// paramIndexOp builds valueat/name: one index, optional separator.
func paramIndexOp(pick func(p paramItem) string) opSpec {
	return opSpec{min: 1, max: 2, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		idx, err := intParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		sep, err := sepParam(ps, 1)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			i, err := idx(c)
			if err != nil {
				return value.NullValue, err
			}
			items := splitParams(s, sep)
			if i < 0 {
				i += len(items)
			}
			if i < 0 || i >= len(items) {
				return value.MakeStr(""), nil
			}
			return value.MakeStr(pick(items[i])), nil
		}, nil
	}}
}

// paramNameOp builds value/in: one name, optional separator.
func paramNameOp(f func(v string, found bool) value.Value) opSpec {
	return opSpec{min: 1, max: 2, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		name, err := strParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		sep, err := sepParam(ps, 1)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			return f(findParam(s, name(c), sep)), nil
		}, nil
	}}
}

var paramOps = map[string]opSpec{
	"value":   paramNameOp(func(v string, _ bool) value.Value { return value.MakeStr(v) }),
	"in":      paramNameOp(func(_ string, found bool) value.Value { return boolInt(found) }),
	"valueat": paramIndexOp(func(p paramItem) string { return p.value }),
	"name":    paramIndexOp(func(p paramItem) string { return p.name }),
	"count": {max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		sep, err := sepParam(ps, 0)
		if err != nil {
			return nil, err
		}
		return func(_ *event.Context, s string) (value.Value, error) {
			return value.MakeInt(int64(len(splitParams(s, sep)))), nil
		}, nil
	}},
}

func boolInt(b bool) value.Value {
	if b {
		return value.MakeInt(1)
	}
	return value.MakeInt(0)
}
