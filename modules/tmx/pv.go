package tmx

import (
	"fmt"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/lang/pvsyntax"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// tNames are the inner names of $T and $T_branch.
var tNames = []string{"branch_index", "flags", "id_index", "id_index_n", "id_label", "id_label_n",
	"reply_code", "reply_reason", "reply_type", "ruid", "uri"}

// classes are tmx's pseudo-variable classes.
func (m *Module) classes() []*pv.Class {
	get := func(name string, f func(c *event.Context) value.Value) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(*pv.Table, *ast.PVar) (pv.Spec, error) {
			return pv.GetterFunc(f), nil
		}}
	}
	inner := func(name string, msgOf func(c *event.Context) (*sipmsg.Msg, bool)) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Compile: func(t *pv.Table, p *ast.PVar) (pv.Spec, error) {
			return compileInner(t, p, msgOf)
		}}
	}
	named := func(name string, compile func(n string) func(c *event.Context) value.Value) *pv.Class {
		return &pv.Class{Name: name, Module: Name, Names: tNames, Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name == nil {
				return nil, fmt.Errorf("unknown PV name")
			}
			return pv.GetterFunc(compile(p.Name.Text)), nil
		}}
	}
	return []*pv.Class{
		get("T_branch_idx", m.branchIdx),
		get("T_reply_ruid", m.replyRuid),
		get("T_reply_code", m.replyCode),
		get("T_reply_reason", m.replyReason),
		get("T_reply_last", m.replyLast),
		inner("T_inv", m.invMsg),
		inner("T_req", m.reqMsg),
		inner("T_rpl", m.rplMsg),
		named("T", m.tValue),
		named("T_branch", m.tBranchValue),
	}
}

// compileInner compiles $T_req(pv), $T_rpl(pv) and $T_inv(pv): the inner
// pseudo-variable is read on the message msgOf gives, with the event's
// other data (AVPs, XAVPs, $var); null when there is no such message.
func compileInner(t *pv.Table, p *ast.PVar, msgOf func(c *event.Context) (*sipmsg.Msg, bool)) (pv.Spec, error) {
	if p.Name == nil || p.Name.Text == "" {
		return nil, fmt.Errorf("invalid pv name")
	}
	in, d := pvsyntax.ParsePV(p.Name.Text, diag.Range{})
	if d != nil {
		return nil, fmt.Errorf("invalid pv name [%s]", p.Name.Text)
	}
	ref, err := t.Compile(in)
	if err != nil {
		return nil, err
	}
	return pv.GetterFunc(func(c *event.Context) value.Value {
		msg, ok := msgOf(c)
		if !ok {
			return value.NullValue
		}
		ctx := c.Snapshot()
		ctx.Worker = c.Worker
		sipmsg.Set(ctx, msg)
		return ref.Get(ctx)
	}), nil
}

// failed is what a getter gives where Kamailio's fails: printed, nothing.
var failed = value.MakeStr("")

// routeType is Kamailio's number for the event's route type, as its log
// lines print it.
func routeType(c *event.Context) int { return int(c.Route) }

// reqMsg is the message of $T_req: the transaction's request, in reply
// routes.
func (m *Module) reqMsg(c *event.Context) (*sipmsg.Msg, bool) {
	if c.Route&(routetype.OnReply|routetype.CoreOnReply) == 0 {
		return nil, false
	}
	if sipmsg.FromContext(c).IsRequest() {
		return nil, false
	}
	return m.tm.TxnRequest(c)
}

// rplMsg is the message of $T_rpl: the reply of the picked branch (the
// failed one in event_route[tm:branch-failure]), in failure routes, when
// it was received rather than made here.
func (m *Module) rplMsg(c *event.Context) (*sipmsg.Msg, bool) {
	if c.Route&(routetype.Failure|routetype.BranchFailure) == 0 {
		return nil, false
	}
	v, ok := m.tm.Current(c)
	if !ok {
		return nil, false
	}
	b, ok := m.tm.Branch(c, v.Branch)
	if !ok || b.Reply == nil {
		return nil, false
	}
	return b.Reply, true
}

// invMsg is the message of $T_inv: for a CANCEL in request_route, the
// INVITE it cancels.
func (m *Module) invMsg(c *event.Context) (*sipmsg.Msg, bool) {
	if c.Route != routetype.Request {
		return nil, false
	}
	return m.tm.InviteRequest(c)
}

// branchIdx is $T_branch_idx: the branch a reply belongs to, or being
// made (branch_route) or failed (tm:branch-failure); in request_route the
// number of branches added to the destination set, in failure_route that
// plus the branches made so far.
func (m *Module) branchIdx(c *event.Context) value.Value {
	msg := sipmsg.FromContext(c)
	idx := -1
	switch {
	case !msg.IsRequest():
		if v, ok := m.tm.Current(c); ok {
			idx = v.Branch
		}
	case c.Route == routetype.Branch || c.Route == routetype.BranchFailure:
		if v, ok := m.tm.Current(c); ok {
			idx = v.Branch
		}
	case c.Route == routetype.Request:
		idx = len(msg.Branches)
	case c.Route == routetype.Failure:
		v, ok := m.tm.Current(c)
		if !ok {
			return failed
		}
		idx = v.Outgoings + len(msg.Branches)
	}
	return value.MakeInt(int64(idx))
}

// replyCode is $T_reply_code: the reply's code in reply routes, the last
// code sent upstream in request and branch routes, the picked branch's in
// failure routes, 0 without a transaction.
func (m *Module) replyCode(c *event.Context) value.Value {
	if c.Route&(routetype.OnReply|routetype.CoreOnReply) != 0 {
		return value.MakeInt(int64(sipmsg.FromContext(c).Status))
	}
	v, ok := m.tm.Check(c)
	if !ok {
		return value.MakeInt(0)
	}
	code := 0
	switch c.Route {
	case routetype.Request, routetype.Branch:
		code = v.Status
	case routetype.Failure, routetype.BranchFailure:
		b, ok := m.tm.Branch(c, v.Branch)
		if !ok {
			m.log.Logf(klog.Crit, Name, "pv_get_tm_reply_code(): no picked branch (%d) for a final response in MODE_ONFAILURE", v.Branch)
			break
		}
		code = b.Last
	default:
		m.log.Logf(klog.Info, Name, "pv_get_tm_reply_code(): unsupported route_type %d - code set to 0", routeType(c))
	}
	return value.MakeInt(int64(code))
}

// replyReason is $T_reply_reason: the reason phrase of the reply in reply
// routes, of the picked branch's reply in failure_route (the standard
// phrase of a reply made here).
func (m *Module) replyReason(c *event.Context) value.Value {
	v, ok := m.tm.Check(c)
	if !ok {
		return value.MakeStr("")
	}
	switch c.Route {
	case routetype.CoreOnReply, routetype.OnReply:
		return value.MakeStr(sipmsg.FromContext(c).Reason)
	case routetype.Failure:
		b, ok := m.tm.Branch(c, v.Branch)
		if !ok {
			m.log.Logf(klog.Crit, Name, "pv_get_tm_reply_reason(): no picked branch (%d) for a final response in MODE_ONFAILURE", v.Branch)
			return failed
		}
		if b.Reply == nil {
			return value.MakeStr(sip.ReasonPhrase(b.Last))
		}
		return value.MakeStr(b.Reply.Reason)
	}
	m.log.Logf(klog.Err, Name, "pv_get_tm_reply_reason(): unsupported route_type %d", routeType(c))
	return failed
}

// replyLast is $T_reply_last, in onreply_route: the last reply code the
// branch received, the one being processed included.
func (m *Module) replyLast(c *event.Context) value.Value {
	if c.Route != routetype.OnReply {
		m.log.Logf(klog.Err, Name, "pv_get_tm_reply_last_received(): unsupported route_type %d", routeType(c))
		return failed
	}
	v, ok := m.tm.Current(c)
	if !ok {
		m.log.Log(klog.Err, Name, "pv_get_tm_reply_last_received(): could not get transaction")
		return failed
	}
	b, ok := m.tm.Branch(c, v.Branch)
	if !ok {
		return failed
	}
	return value.MakeInt(int64(b.Last))
}

// replyRuid is $T_reply_ruid: the ruid of the picked branch in failure
// routes, of the replying branch in onreply_route.
func (m *Module) replyRuid(c *event.Context) value.Value {
	v, ok := m.tm.Check(c)
	if !ok {
		return value.MakeStr("")
	}
	switch c.Route {
	case routetype.Failure, routetype.BranchFailure:
		b, ok := m.tm.Branch(c, v.Branch)
		if !ok {
			m.log.Logf(klog.Crit, Name, "pv_get_tm_reply_ruid(): no picked branch (%d) for a final response in MODE_ONFAILURE", v.Branch)
			return value.MakeStr("")
		}
		return value.MakeStr(b.Ruid)
	case routetype.OnReply:
		if b, ok := m.tm.Branch(c, v.Branch); ok {
			return value.MakeStr(b.Ruid)
		}
		return value.MakeStr("")
	}
	m.log.Logf(klog.Err, Name, "pv_get_tm_reply_ruid(): unsupported route_type %d", routeType(c))
	return value.MakeStr("")
}

// tValue compiles $T(name). reply_code, branch_index and reply_reason are
// the other variables; id_index_n and id_label_n create the transaction
// when the request has none; flags, uri and ruid read the label, as in
// Kamailio 5.6.
func (m *Module) tValue(name string) func(c *event.Context) value.Value {
	switch name {
	case "reply_code":
		return m.replyCode
	case "branch_index":
		return m.branchIdx
	case "reply_reason":
		return m.replyReason
	}
	return func(c *event.Context) value.Value {
		v, ok := m.tm.Current(c)
		if !ok {
			if name != "id_index_n" && name != "id_label_n" {
				return value.NullValue
			}
			if m.tm.NewTran(c) < 0 {
				m.log.Log(klog.Err, Name, "pv_get_t(): cannot create the transaction")
				return value.NullValue
			}
			if v, ok = m.tm.Current(c); !ok {
				return value.NullValue
			}
		}
		switch name {
		case "id_index", "id_index_n":
			return uintValue(v.Index)
		case "reply_type":
			if c.Route == routetype.Failure {
				if b, ok := m.tm.Branch(c, v.Branch); ok && b.Faked {
					return uintValue(1)
				}
			}
			return uintValue(0)
		}
		return uintValue(v.Label)
	}
}

// tBranchValue compiles $T_branch(name): flags (the picked branch's in
// failure routes, the replying one's in onreply_route), uri (the replying
// branch's Request-URI) and ruid; the other names read as an empty value.
func (m *Module) tBranchValue(name string) func(c *event.Context) value.Value {
	switch name {
	case "flags":
		return func(c *event.Context) value.Value {
			v, ok := m.tm.Current(c)
			if !ok {
				return value.NullValue
			}
			switch c.Route {
			case routetype.Failure, routetype.BranchFailure:
				if v.Branch < 0 {
					m.log.Logf(klog.Crit, Name, "pv_get_t_branch(): no picked branch (%d) for a final response in MODE_ONFAILURE", v.Branch)
					return value.NullValue
				}
			case routetype.OnReply:
			default:
				m.log.Logf(klog.Err, Name, "pv_get_t_branch(): unsupported route_type %d", routeType(c))
				return value.NullValue
			}
			b, ok := m.tm.Branch(c, v.Branch)
			if !ok {
				return value.NullValue
			}
			return uintValue(b.Flags)
		}
	case "uri":
		return func(c *event.Context) value.Value {
			v, ok := m.tm.Current(c)
			if !ok {
				return value.NullValue
			}
			if c.Route != routetype.OnReply {
				m.log.Logf(klog.Err, Name, "pv_get_t_branch(): $T_branch(uri) - unsupported route_type %d", routeType(c))
				return value.NullValue
			}
			b, ok := m.tm.Branch(c, v.Branch)
			if !ok {
				return value.NullValue
			}
			return value.MakeStr(b.URI)
		}
	case "ruid":
		return func(c *event.Context) value.Value {
			v, ok := m.tm.Current(c)
			if !ok {
				return value.NullValue
			}
			if c.Route == routetype.Branch {
				if b, ok := m.tm.Branch(c, v.Branch); ok {
					return value.MakeStr(b.Ruid)
				}
				return value.MakeStr("")
			}
			return m.replyRuid(c)
		}
	}
	return func(c *event.Context) value.Value {
		if _, ok := m.tm.Current(c); !ok {
			return value.NullValue
		}
		return failed
	}
}

// uintValue is Kamailio's unsigned integer value.
func uintValue(n uint32) value.Value { return value.MakeInt(int64(n)) }
