package pv

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// {s.fmtlines,n,m} and {s.fmtlinet,n,m} as Kamailio 5.6.3 evaluates them.
// They were meant to break the value into lines of n bytes, indenting the
// continuation lines with m spaces (tabs); 5.6.3 tests i/n == 0 where it
// means i%n == 0, so a line break and the indent go before each of bytes 1
// to n-1, and the rest follows unbroken. When m is not smaller than the
// value's length, 5.6.3 formats the value in the buffer it reads from, so
// the output reads back what it already wrote; kamgo replays that too.
// A literal negative parameter is a load error; n <= 0 or m < 0 at run
// time fails the transformation.

const trBufferSize = 65536

func buildFmtlines(pad byte) func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
	return func(t *pv.Table, ps []*ast.TransParam) (strOp, error) {
		var params [2]func(c *event.Context) (int, error)
		for i, p := range ps {
			if p.PV == nil {
				if n, ok := value.Str2Sint(p.Text); ok && n < 0 {
					return nil, errorString("fmtline negative parameter")
				}
			}
			f, err := intParam(t, p)
			if err != nil {
				return nil, err
			}
			params[i] = f
		}
		return func(c *event.Context, s string) (value.Value, error) {
			n, err := params[0](c)
			if err != nil {
				return value.NullValue, err
			}
			m, err := params[1](c)
			if err != nil {
				return value.NullValue, err
			}
			if n <= 0 || m < 0 {
				logf(c, klog.Err, "fmtline with invalid parameters")
				return value.NullValue, errTrans
			}
			if len(s)+(len(s)/n)*(2+m) > trBufferSize-2 {
				logf(c, klog.Err, "value too large: %d", len(s))
				return value.NullValue, errTrans
			}
			return value.MakeStr(fmtlines(s, n, m, pad)), nil
		}, nil
	}
}

// fmtlines is the 5.6.3 loop over a copy of s, reading from src.
func fmtlines(s string, n, m int, pad byte) string {
	buf := make([]byte, len(s)+n*(2+m)+1)
	src := []byte(s)
	if m >= len(s) {
		copy(buf, s)
		src = buf
	}
	p := 0
	for i := 0; i < len(s); i++ {
		if i != 0 && i/n == 0 {
			buf[p], buf[p+1] = '\r', '\n'
			p += 2
			for j := 0; j < m; j++ {
				buf[p] = pad
				p++
			}
		}
		buf[p] = src[i]
		p++
	}
	return string(buf[:p])
}
