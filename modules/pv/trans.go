package pv

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kamgo/kamgo/internal/strftime"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// errTrans is a transformation failing on its input (Kamailio returns -1;
// the reference then has no value).
var errTrans = errors.New("transformation failed")

// strParam compiles a transformation parameter read as a string.
func strParam(t *pv.Table, p *ast.TransParam) (func(c *event.Context) string, error) {
	if p.PV == nil {
		s := p.Text
		return func(*event.Context) string { return s }, nil
	}
	r, err := t.Compile(p.PV)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) string {
		v := r.Get(c)
		if v.K == value.Str {
			return v.S
		}
		if v.IsNull() {
			return ""
		}
		return v.String()
	}, nil
}

// intParam compiles a transformation parameter read as an integer; a
// literal must be a number at load time.
func intParam(t *pv.Table, p *ast.TransParam) (func(c *event.Context) (int, error), error) {
	if p.PV == nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.Text))
		if err != nil {
			return nil, fmt.Errorf("parameter %q is not a number", p.Text)
		}
		return func(*event.Context) (int, error) { return n, nil }, nil
	}
	r, err := t.Compile(p.PV)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) (int, error) {
		v := r.Get(c)
		switch v.K {
		case value.Int:
			return int(v.I), nil
		case value.Str:
			n, err := strconv.Atoi(strings.TrimSpace(v.S))
			if err != nil {
				return 0, fmt.Errorf("parameter %s is not a number", r.Node.Text)
			}
			return n, nil
		}
		return 0, fmt.Errorf("parameter %s has no value", r.Node.Text)
	}, nil
}

// asStr is the string form of a non-null input (integers in decimal).
func asStr(v value.Value) string {
	if v.K == value.Str {
		return v.S
	}
	return strconv.FormatInt(v.I, 10)
}

// strOp is a transformation of the s class taking the input's string form.
type strOp func(c *event.Context, s string) (value.Value, error)

// opSpec describes one op: how many parameters and how to build it.
type opSpec struct {
	min, max int
	build    func(t *pv.Table, ps []*ast.TransParam) (strOp, error)
}

// simple wraps a parameterless string function.
func simple(f func(s string) (value.Value, error)) opSpec {
	return opSpec{build: func(*pv.Table, []*ast.TransParam) (strOp, error) {
		return func(_ *event.Context, s string) (value.Value, error) { return f(s) }, nil
	}}
}

func str(f func(s string) string) opSpec {
	return simple(func(s string) (value.Value, error) { return value.MakeStr(f(s)), nil })
}

func strErr(f func(s string) (string, error)) opSpec {
	return simple(func(s string) (value.Value, error) {
		r, err := f(s)
		if err != nil {
			return value.NullValue, err
		}
		return value.MakeStr(r), nil
	})
}

// oneStr builds an op with one string parameter.
func oneStr(f func(s, p string) (value.Value, error)) opSpec {
	return opSpec{min: 1, max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		p, err := strParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) { return f(s, p(c)) }, nil
	}}
}

// oneInt builds an op with one integer parameter.
func oneInt(f func(s string, n int) (value.Value, error)) opSpec {
	return opSpec{min: 1, max: 1, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		p, err := intParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, s string) (value.Value, error) {
			n, err := p(c)
			if err != nil {
				return value.NullValue, err
			}
			return f(s, n)
		}, nil
	}}
}

// compileOps returns a TransClass.Compile over an op table. Every op
// fails on null input, as Kamailio's do.
func compileOps(class string, ops map[string]opSpec) func(t *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
	return func(t *pv.Table, tr *ast.Trans) (pv.TransFunc, error) {
		spec, ok := ops[strings.ToLower(tr.Op)]
		if !ok {
			return nil, fmt.Errorf("unknown transformation %s.%s", class, tr.Op)
		}
		if n := len(tr.Params); n < spec.min || n > spec.max {
			switch {
			case spec.max == 0:
				return nil, fmt.Errorf("%s.%s takes no parameters", class, tr.Op)
			case spec.min == spec.max:
				return nil, fmt.Errorf("%s.%s takes %d parameter(s), got %d", class, tr.Op, spec.min, n)
			}
			return nil, fmt.Errorf("%s.%s takes %d to %d parameters, got %d", class, tr.Op, spec.min, spec.max, n)
		}
		op, err := spec.build(t, tr.Params)
		if err != nil {
			return nil, err
		}
		return func(c *event.Context, in value.Value) (value.Value, error) {
			if in.IsNull() {
				return value.NullValue, pv.ErrTransNull
			}
			return op(c, asStr(in))
		}, nil
	}
}

func opNames(ops map[string]opSpec) []string {
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func transClasses() []*pv.TransClass {
	var out []*pv.TransClass
	for _, c := range []struct {
		name string
		ops  map[string]opSpec
	}{
		{"s", stringOps}, {"uri", uriOps}, {"param", paramOps},
		{"nameaddr", nameaddrOps}, {"tobody", tobodyOps}, {"line", lineOps},
		{"urialias", urialiasOps},
	} {
		out = append(out, &pv.TransClass{Name: c.name, Module: "pv", Ops: opNames(c.ops), Compile: compileOps(c.name, c.ops)})
	}
	return append(out, newerTransClasses()...)
}

// ---------------------------------------------------------------- class s

var stringOps map[string]opSpec

func init() {
	stringOps = map[string]opSpec{
		"len": simple(func(s string) (value.Value, error) { return value.MakeInt(int64(len(s))), nil }),
		"int": simple(func(s string) (value.Value, error) {
			n, ok := value.Str2Sint(s)
			if !ok {
				return value.NullValue, errTrans
			}
			return value.MakeInt(n), nil
		}),
		"md5":     str(func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }),
		"sha256":  str(func(s string) string { x := sha256.Sum256([]byte(s)); return hex.EncodeToString(x[:]) }),
		"sha384":  str(func(s string) string { x := sha512.Sum384([]byte(s)); return hex.EncodeToString(x[:]) }),
		"sha512":  str(func(s string) string { x := sha512.Sum512([]byte(s)); return hex.EncodeToString(x[:]) }),
		"tolower": str(asciiLower),
		"toupper": str(asciiUpper),
		"numeric": str(func(s string) string {
			return strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s)
		}),
		"rmws": str(func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, s)
		}),
		"encode.hexa": str(func(s string) string { return hex.EncodeToString([]byte(s)) }),
		"decode.hexa": strErr(func(s string) (string, error) {
			b, err := hex.DecodeString(s[:len(s)/2*2])
			if err != nil {
				return "", errTrans
			}
			return string(b), nil
		}),
		"encode.7bit":       str(encode7bit),
		"decode.7bit":       str(decode7bit),
		"encode.base58":     str(encodeBase58),
		"decode.base58":     strErr(decodeBase58),
		"encode.base64":     str(enc64(base64.StdEncoding)),
		"decode.base64":     strErr(decode64(base64.StdEncoding)),
		"encode.base64t":    str(enc64(base64.RawStdEncoding)),
		"decode.base64t":    strErr(decode64t(base64.RawStdEncoding)),
		"encode.base64url":  str(enc64(base64.URLEncoding)),
		"decode.base64url":  strErr(decode64(base64.URLEncoding)),
		"encode.base64urlt": str(enc64(base64.RawURLEncoding)),
		"decode.base64urlt": strErr(decode64t(base64.RawURLEncoding)),
		"escape.common":     str(escapeCommon),
		"unescape.common":   str(unescapeCommon),
		"escape.user":       strErr(func(s string) (string, error) { return escapeKeep(s, "-_.!~*'()&=+$,;?") }),
		"unescape.user":     strErr(unescapeUser),
		"escape.param":      strErr(func(s string) (string, error) { return escapeKeep(s, "-_.!~*'()[]/:&+$") }),
		"unescape.param":    strErr(unescapeUser),
		"escape.csv":        str(func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }),
		"urlencode.param":   str(urlencode),
		"urldecode.param":   str(urldecode),
		"prefixes":          {max: 1, build: buildPrefixes("")},
		"prefixes.quoted":   {max: 1, build: buildPrefixes("'")},
		"substr":            {min: 2, max: 2, build: buildSubstr},
		"select":            {min: 2, max: 3, build: buildSelect},
		"strip": oneInt(func(s string, n int) (value.Value, error) {
			if n < 0 {
				return value.NullValue, errTrans
			}
			if n > len(s) {
				n = len(s)
			}
			return value.MakeStr(s[n:]), nil
		}),
		"striptail": oneInt(func(s string, n int) (value.Value, error) {
			if n < 0 {
				return value.NullValue, errTrans
			}
			if n > len(s) {
				n = len(s)
			}
			return value.MakeStr(s[:len(s)-n]), nil
		}),
		"stripto": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.MakeStr(s), nil
			}
			i := strings.Index(s, p[:1])
			if i < 0 {
				return value.MakeStr(""), nil
			}
			return value.MakeStr(s[i:]), nil
		}),
		"ftime": oneStr(func(s, f string) (value.Value, error) {
			n, ok := value.Str2Sint(s)
			if !ok {
				return value.NullValue, errTrans
			}
			return value.MakeStr(strftime.Format(f, time.Unix(n, 0))), nil
		}),
		"replace":  {min: 2, max: 2, build: buildReplace},
		"fmtlines": {min: 2, max: 2, build: buildFmtlines(' ')},
		"fmtlinet": {min: 2, max: 2, build: buildFmtlines('\t')},
		"corehash": {max: 1, build: buildCorehash},
		"trim":     str(func(s string) string { return strings.Trim(s, " \t\r\n") }),
		"rtrim":    str(func(s string) string { return strings.TrimRight(s, " \t\r\n") }),
		"ltrim":    str(func(s string) string { return strings.TrimLeft(s, " \t\r\n") }),
		"rm": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.MakeStr(s), nil
			}
			return value.MakeStr(strings.ReplaceAll(s, p, "")), nil
		}),
		"unquote": str(func(s string) string {
			if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
				return s[1 : len(s)-1]
			}
			return s
		}),
		"unbracket": str(func(s string) string {
			if len(s) >= 2 && (s[0] == '<' && s[len(s)-1] == '>' || s[0] == '(' && s[len(s)-1] == ')') {
				return s[1 : len(s)-1]
			}
			return s
		}),
		"count": {min: 1, max: 2, build: func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
			ps = commaParam(ps, 0)
			if len(ps) != 1 {
				return nil, fmt.Errorf("s.count takes one parameter")
			}
			p, err := strParam(t, ps[0])
			if err != nil {
				return nil, err
			}
			return func(c *event.Context, s string) (value.Value, error) {
				ch := p(c)
				if ch == "" {
					return value.MakeInt(0), nil
				}
				return value.MakeInt(int64(strings.Count(s, ch[:1]))), nil
			}, nil
		}},
		// before, after, rbefore and rafter look for the first byte of the
		// parameter only. In 5.6.3 the reverse searches step the wrong way
		// from the last byte: rafter is always empty, and rbefore finds only
		// a separator in the last byte (see README.md for what kamgo does
		// when Kamailio reads past the value).
		"before": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.NullValue, errTrans
			}
			if i := strings.IndexByte(s, p[0]); i >= 0 {
				return value.MakeStr(s[:i]), nil
			}
			return value.MakeStr(s), nil
		}),
		"after": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.NullValue, errTrans
			}
			if i := strings.IndexByte(s, p[0]); i >= 0 && i < len(s)-1 {
				return value.MakeStr(s[i+1:]), nil
			}
			return value.MakeStr(""), nil
		}),
		"rbefore": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.NullValue, errTrans
			}
			if i := strings.LastIndexByte(s, p[0]); i >= 0 {
				return value.MakeStr(s[:i]), nil
			}
			return value.MakeStr(s), nil
		}),
		"rafter": oneStr(func(s, p string) (value.Value, error) {
			if p == "" {
				return value.NullValue, errTrans
			}
			return value.MakeStr(""), nil
		}),
	}
	addNewerStringOps(stringOps)
}

func enc64(enc *base64.Encoding) func(string) string {
	return func(s string) string { return enc.EncodeToString([]byte(s)) }
}

func decode64(enc *base64.Encoding) func(string) (string, error) {
	return func(s string) (string, error) {
		b, err := enc.DecodeString(s)
		if err != nil {
			return "", errTrans
		}
		return string(b), nil
	}
}

// decode64t decodes with or without padding.
func decode64t(enc *base64.Encoding) func(string) (string, error) {
	return func(s string) (string, error) {
		b, err := enc.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return "", errTrans
		}
		return string(b), nil
	}
}

func escapeCommon(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func unescapeCommon(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '\'', '"', '\\':
				b.WriteByte(s[i+1])
				i++
				continue
			case '0':
				b.WriteByte(0)
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escapeKeep %-escapes (lower-case hex) every printable byte that is not
// alphanumeric or in keep; a non-printable byte is an error.
func escapeKeep(s, keep string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 32 || c > 126:
			return "", errTrans
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02x", c)
		}
	}
	return b.String(), nil
}

// unescapeUser decodes %XX; a bad or missing digit or a non-printable
// result is an error.
func unescapeUser(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", errTrans
		}
		x, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil || x < 32 || x > 126 {
			return "", errTrans
		}
		b.WriteByte(byte(x))
		i += 2
	}
	return b.String(), nil
}

func urlencode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02x", c)
	}
	return b.String()
}

// urldecode turns '+' into a space and %XX into its byte; a '%' without
// two following characters is dropped.
func urldecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 < len(s) {
				b.WriteByte(hexval(s[i+1])<<4 | hexval(s[i+2]))
				i += 2
			}
		case c == '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hexval(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'A' && c <= 'Z':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func buildPrefixes(quote string) func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	return func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		max := func(*event.Context) (int, error) { return 0, nil }
		if len(ps) == 1 {
			p, err := intParam(t, ps[0])
			if err != nil {
				return nil, err
			}
			max = p
		}
		return func(c *event.Context, s string) (value.Value, error) {
			n, err := max(c)
			if err != nil {
				return value.NullValue, err
			}
			if n <= 0 || n > len(s) {
				n = len(s)
			}
			var b strings.Builder
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				b.WriteString(quote + s[:i] + quote)
			}
			return value.MakeStr(b.String()), nil
		}, nil
	}
}

// buildSubstr: {s.substr,offset,length}; a negative offset counts from the
// end, length 0 means to the end; a literal negative length is a load
// error and an offset outside the string fails.
func buildSubstr(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	off, err := intParam(t, ps[0])
	if err != nil {
		return nil, err
	}
	if ps[1].PV == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(ps[1].Text)); err == nil && n < 0 {
			return nil, fmt.Errorf("substr negative length %d", n)
		}
	}
	ln, err := intParam(t, ps[1])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context, s string) (value.Value, error) {
		o, err := off(c)
		if err != nil {
			return value.NullValue, err
		}
		n, err := ln(c)
		if err != nil {
			return value.NullValue, err
		}
		if o < 0 {
			o += len(s)
		}
		if o < 0 || o >= len(s) || n < 0 {
			return value.NullValue, fmt.Errorf("substr out of range")
		}
		if n == 0 || o+n > len(s) {
			n = len(s) - o
		}
		return value.MakeStr(s[o : o+n]), nil
	}, nil
}

// buildSelect: {s.select,index,separator}; the separator is one character
// (or \n, \r, \t, \\); a negative index counts from the end.
func buildSelect(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	ps = commaParam(ps, 1)
	if len(ps) != 2 {
		return nil, fmt.Errorf("s.select takes an index and a separator")
	}
	idx, err := intParam(t, ps[0])
	if err != nil {
		return nil, err
	}
	sep := ps[1].Text
	switch sep {
	case `\n`:
		sep = "\n"
	case `\r`:
		sep = "\r"
	case `\t`:
		sep = "\t"
	case `\\`:
		sep = `\`
	}
	if ps[1].PV != nil || len(sep) != 1 {
		return nil, fmt.Errorf("select separator must be one character, got %q", ps[1].Text)
	}
	return func(c *event.Context, s string) (value.Value, error) {
		i, err := idx(c)
		if err != nil {
			return value.NullValue, err
		}
		parts := strings.Split(s, sep)
		if i < 0 {
			i += len(parts)
		}
		if i < 0 || i >= len(parts) {
			return value.NullValue, errTrans
		}
		return value.MakeStr(parts[i]), nil
	}, nil
}

func buildReplace(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	from, err := strParam(t, ps[0])
	if err != nil {
		return nil, err
	}
	to, err := strParam(t, ps[1])
	if err != nil {
		return nil, err
	}
	return func(c *event.Context, s string) (value.Value, error) {
		f := from(c)
		if f == "" {
			return value.MakeStr(s), nil
		}
		return value.MakeStr(strings.ReplaceAll(s, f, to(c))), nil
	}, nil
}

func buildCorehash(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	size := func(*event.Context) (int, error) { return 0, nil }
	if len(ps) == 1 {
		p, err := intParam(t, ps[0])
		if err != nil {
			return nil, err
		}
		size = p
	}
	return func(c *event.Context, s string) (value.Value, error) {
		n, err := size(c)
		if err != nil {
			return value.NullValue, err
		}
		return value.MakeInt(int64(corehash.Sum(s, "", uint32(n)))), nil
	}, nil
}

// commaParam folds a separator written as a literal comma ("{s.select,0,,}")
// that a parameter splitter saw as two empty parameters at i and i+1.
func commaParam(ps []*ast.TransParam, i int) []*ast.TransParam {
	if len(ps) == i+2 && ps[i].PV == nil && ps[i+1].PV == nil && ps[i].Text == "" && ps[i+1].Text == "" {
		out := append([]*ast.TransParam(nil), ps[:i]...)
		return append(out, &ast.TransParam{Text: ","})
	}
	return ps
}

// asciiLower and asciiUpper fold ASCII letters only, byte by byte, as C's
// tolower/toupper do in Kamailio's "C" locale: UTF-8 sequences pass through.
func asciiLower(s string) string { return foldASCII(s, 'A', 'Z', 'a'-'A') }

func asciiUpper(s string) string { return foldASCII(s, 'a', 'z', 'A'-'a') }

func foldASCII(s string, lo, hi byte, delta int) string {
	i := 0
	for i < len(s) && (s[i] < lo || s[i] > hi) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] >= lo && b[i] <= hi {
			b[i] = byte(int(b[i]) + delta)
		}
	}
	return string(b)
}
