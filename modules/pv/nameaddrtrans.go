package pv

import (
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// The nameaddr and tobody transformation classes, over name-addr values
// such as `"Alice" <sip:alice@example.com>;tag=1` (parsed by
// runtime/sipmsg).

func naOp(f func(na *sipmsg.NameAddr) value.Value) opSpec {
	return simple(func(s string) (value.Value, error) {
		na, err := sipmsg.ParseNameAddr(s)
		if err != nil {
			return value.NullValue, errTrans
		}
		return f(na), nil
	})
}

var nameaddrOps = map[string]opSpec{
	"name": naOp(func(na *sipmsg.NameAddr) value.Value { return value.MakeStr(na.Name) }),
	"uri":  naOp(func(na *sipmsg.NameAddr) value.Value { return value.MakeStr(na.URI) }),
	"len":  naOp(func(na *sipmsg.NameAddr) value.Value { return value.MakeInt(int64(na.Len)) }),
}

// toOp reads a part of a To-style body; a URI that does not parse has
// empty parts.
func toOp(f func(na *sipmsg.NameAddr, u *sipmsg.URI) string) opSpec {
	return naOp(func(na *sipmsg.NameAddr) value.Value {
		u, err := sipmsg.ParseURI(na.URI)
		if err != nil {
			u = &sipmsg.URI{}
		}
		return value.MakeStr(f(na, u))
	})
}

var tobodyOps = map[string]opSpec{
	"uri":     toOp(func(na *sipmsg.NameAddr, _ *sipmsg.URI) string { return na.URI }),
	"display": toOp(func(na *sipmsg.NameAddr, _ *sipmsg.URI) string { return na.Display }),
	"tag": toOp(func(na *sipmsg.NameAddr, _ *sipmsg.URI) string {
		v, _ := findParam(na.Params, "tag", ';')
		return v
	}),
	"user":   toOp(func(_ *sipmsg.NameAddr, u *sipmsg.URI) string { return u.UserName() }),
	"host":   toOp(func(_ *sipmsg.NameAddr, u *sipmsg.URI) string { return u.Host }),
	"params": toOp(func(na *sipmsg.NameAddr, _ *sipmsg.URI) string { return na.Params }),
}
