package rtpproxy

import (
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// classes are $rtpstat and $rtppstat: the proxy's answer to the Q
// command for the call (its statistics), null when there is none.
func (m *Module) classes() []*pv.Class {
	mk := func(name string) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(func(c *event.Context) value.Value { return m.rtpStat(c, sipmsg.FromContext(c)) }), nil
		}}
	}
	return []*pv.Class{mk("rtpstat"), mk("rtppstat")}
}

func (m *Module) rtpStat(c *event.Context, msg *sipmsg.Msg) value.Value {
	k, ok := callOf(c, msg, "pv_get_rtppstat_f")
	if !ok {
		return value.NullValue
	}
	n := m.selectNode(m.setFor(c, msg), k.callid, true)
	if n == nil {
		logf(c, klog.Err, "pv_get_rtppstat_f(): no available proxies")
		return value.NullValue
	}
	m.setInst(c, n)
	cmd := "Q " + k.callid + " "
	if !msg.IsRequest() {
		if k.toTag == "" {
			return value.NullValue
		}
		cmd += k.toTag + ";1 " + k.fromTag
	} else {
		cmd += k.fromTag
		if k.toTag != "" {
			cmd += ";1 " + k.toTag
		}
	}
	r, ok := m.command(n, cmd)
	if !ok {
		return value.NullValue
	}
	return value.MakeStr(r)
}
