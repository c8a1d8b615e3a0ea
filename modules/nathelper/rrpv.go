package nathelper

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// classes are $rr_count (the Record-Route entries of the message) and
// $rr_top_count (2 when the first one is a double Record-Route, with r2,
// 1 for a single one, 0 without).
func (m *Module) classes() []*pv.Class {
	return []*pv.Class{
		{Name: "rr_count", Module: Name, Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(c *event.Context) value.Value {
				return value.MakeInt(int64(len(sipmsg.FromContext(c).Bodies("record-route"))))
			}), nil
		}},
		{Name: "rr_top_count", Module: Name, Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(c *event.Context) value.Value {
				return rrTopCount(c, sipmsg.FromContext(c))
			}), nil
		}},
	}
}

func rrTopCount(c *event.Context, msg *sipmsg.Msg) value.Value {
	vals := msg.HeaderValues("record-route")
	if len(vals) == 0 {
		return value.MakeInt(0)
	}
	list := sipmsg.SplitList(vals[0])
	if len(list) == 0 {
		logf(c, klog.Err, "pv_get_rr_top_count_f(): while parsing rr header")
		return value.NullValue
	}
	na, err := sipmsg.ParseNameAddr(list[0])
	if err != nil {
		logf(c, klog.Err, "pv_get_rr_top_count_f(): while parsing rr header")
		return value.NullValue
	}
	u, err := sipmsg.ParseURI(na.URI)
	if err != nil {
		logf(c, klog.Err, "pv_get_rr_top_count_f(): while parsing rr uri")
		return value.NullValue
	}
	if r2, ok := u.Param("r2"); ok && r2 != "" {
		return value.MakeInt(2)
	}
	return value.MakeInt(1)
}
