package pv

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// sipURI is a parsed SIP or tel URI, all parts as written.
type sipURI struct {
	scheme, user, passwd, host, port, params, headers, uparams string
	tel                                                        bool
}

// parseURI parses sip:, sips:, tel: and tels: URIs.
func parseURI(s string) (*sipURI, bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return nil, false
	}
	u := &sipURI{scheme: s[:colon]}
	rest := s[colon+1:]
	switch strings.ToLower(u.scheme) {
	case "sip", "sips":
	case "tel", "tels":
		u.tel = true
		u.user, u.uparams, _ = strings.Cut(rest, ";")
		return u, u.user != ""
	default:
		return nil, false
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest, u.headers = rest[:q], rest[q+1:]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		ui := rest[:at]
		rest = rest[at+1:]
		u.user, u.passwd, _ = strings.Cut(ui, ":")
	}
	hp := rest
	if semi := strings.IndexByte(rest, ';'); semi >= 0 {
		hp, u.params = rest[:semi], rest[semi+1:]
	}
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return nil, false
		}
		u.host, hp = hp[:end+1], hp[end+1:]
		if hp != "" {
			if hp[0] != ':' {
				return nil, false
			}
			u.port = hp[1:]
		}
	} else {
		u.host, u.port, _ = strings.Cut(hp, ":")
	}
	if u.host == "" {
		return nil, false
	}
	if u.port != "" {
		if n, err := strconv.Atoi(u.port); err != nil || n < 0 || n > 65535 {
			return nil, false
		}
	}
	return u, true
}

// param returns the value of the named URI parameter ("" when absent or
// valueless).
func (u *sipURI) param(name string) string {
	v, _ := findParam(u.params, name, ';')
	return v
}

func (u *sipURI) transportSuffix() string {
	if t := u.param("transport"); t != "" {
		return ";transport=" + t
	}
	return ""
}

func uriOp(f func(u *sipURI) value.Value) opSpec {
	return simple(func(s string) (value.Value, error) {
		u, ok := parseURI(s)
		if !ok {
			return value.NullValue, errTrans
		}
		return f(u), nil
	})
}

func uriStr(f func(u *sipURI) string) opSpec {
	return uriOp(func(u *sipURI) value.Value { return value.MakeStr(f(u)) })
}

var uriOps = map[string]opSpec{
	"user":   uriStr(func(u *sipURI) string { return u.user }),
	"host":   uriStr(func(u *sipURI) string { return u.host }),
	"domain": uriStr(func(u *sipURI) string { return u.host }),
	"passwd": uriStr(func(u *sipURI) string { return u.passwd }),
	"port": uriOp(func(u *sipURI) value.Value {
		if n, err := strconv.Atoi(u.port); err == nil {
			return value.MakeInt(int64(n))
		}
		return value.MakeStr("")
	}),
	"params":    uriStr(func(u *sipURI) string { return u.params }),
	"headers":   uriStr(func(u *sipURI) string { return u.headers }),
	"uparam":    uriStr(func(u *sipURI) string { return u.uparams }),
	"transport": uriStr(func(u *sipURI) string { return u.param("transport") }),
	"ttl":       uriStr(func(u *sipURI) string { return u.param("ttl") }),
	"maddr":     uriStr(func(u *sipURI) string { return u.param("maddr") }),
	"method":    uriStr(func(u *sipURI) string { return u.param("method") }),
	"lr":        uriStr(func(u *sipURI) string { return u.param("lr") }),
	"r2":        uriStr(func(u *sipURI) string { return u.param("r2") }),
	"scheme":    uriStr(func(u *sipURI) string { return u.scheme }),
	"saor": uriStr(func(u *sipURI) string {
		if u.user != "" {
			return u.scheme + ":" + u.user + "@" + u.host
		}
		return u.scheme + ":" + u.host
	}),
	"suri": uriStr(func(u *sipURI) string {
		s := u.scheme + ":"
		if u.user != "" {
			s += u.user + "@"
		}
		s += u.host
		if u.port != "" {
			s += ":" + u.port
		}
		return s + u.transportSuffix()
	}),
	"duri": uriStr(func(u *sipURI) string {
		s := u.scheme + ":" + u.host
		if u.port != "" {
			s += ":" + u.port
		}
		return s + u.transportSuffix()
	}),
	"param": {min: 1, max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		name, err := strParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			u, ok := parseURI(s)
			if !ok {
				return value.NullValue, errTrans
			}
			return value.MakeStr(u.param(name(c))), nil
		}, nil
	}},
}

// ---------------------------------------------------------------- class param

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

// ---------------------------------------------------------------- nameaddr, tobody

// nameAddr is a parsed name-addr or addr-spec with trailing parameters.
type nameAddr struct {
	name   string // display part as written, with quotes and trailing space
	uri    string
	length int    // length of the name-addr (up to '>' or the URI's end)
	params string // header parameters after the address, without the leading ';'
}

func parseNameAddr(s string) (*nameAddr, bool) {
	na := &nameAddr{}
	lt := -1
	inq := false
	for i := 0; i < len(s); i++ {
		if s[i] == '"' && (i == 0 || s[i-1] != '\\') {
			inq = !inq
		}
		if !inq && s[i] == '<' {
			lt = i
			break
		}
	}
	if lt >= 0 {
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return nil, false
		}
		gt += lt
		na.name = s[:lt]
		na.uri = s[lt+1 : gt]
		na.length = gt + 1
		rest := strings.TrimSpace(s[gt+1:])
		na.params = strings.TrimPrefix(rest, ";")
	} else {
		na.uri = strings.TrimSpace(s)
		if semi := strings.IndexByte(na.uri, ';'); semi >= 0 {
			na.uri, na.params = na.uri[:semi], na.uri[semi+1:]
		}
		na.length = len(s)
	}
	if na.uri == "" {
		return nil, false
	}
	return na, true
}

func naOp(f func(na *nameAddr) value.Value) opSpec {
	return simple(func(s string) (value.Value, error) {
		na, ok := parseNameAddr(s)
		if !ok {
			return value.NullValue, errTrans
		}
		return f(na), nil
	})
}

var nameaddrOps = map[string]opSpec{
	"name": naOp(func(na *nameAddr) value.Value { return value.MakeStr(na.name) }),
	"uri":  naOp(func(na *nameAddr) value.Value { return value.MakeStr(na.uri) }),
	"len":  naOp(func(na *nameAddr) value.Value { return value.MakeInt(int64(na.length)) }),
}

func toOp(f func(na *nameAddr, u *sipURI) string) opSpec {
	return naOp(func(na *nameAddr) value.Value {
		u, ok := parseURI(na.uri)
		if !ok {
			u = &sipURI{}
		}
		return value.MakeStr(f(na, u))
	})
}

var tobodyOps = map[string]opSpec{
	"uri":     toOp(func(na *nameAddr, _ *sipURI) string { return na.uri }),
	"display": toOp(func(na *nameAddr, _ *sipURI) string { return strings.TrimSpace(na.name) }),
	"tag": toOp(func(na *nameAddr, _ *sipURI) string {
		v, _ := findParam(na.params, "tag", ';')
		return v
	}),
	"user":   toOp(func(_ *nameAddr, u *sipURI) string { return u.user }),
	"host":   toOp(func(_ *nameAddr, u *sipURI) string { return u.host }),
	"params": toOp(func(na *nameAddr, _ *sipURI) string { return na.params }),
}

// ---------------------------------------------------------------- class line

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
