// Package sl is kamgo's sl module: stateless replies. sl_send_reply (and
// its alias sl_reply), send_reply and send_reply_mode answer the current
// request with a reply built from it (its Via headers, From, To with a
// to-tag, Call-ID, CSeq), sent back over the transport and socket it came
// in on; sl_reply_error answers with the error of the last failed send;
// sl_forward_reply relays a received reply with another code or reason.
// The module also filters the ACKs of its own replies before
// request_route runs (event_route[sl:filtered-ack]) and runs
// event_route[sl:local-response] after each reply it sends; $ltt gives the
// to-tag of the reply to the current request.
//
// Replies, to-tags and log lines follow Kamailio 5.6.3's sl module; the
// package README lists where kamgo differs.
package sl

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "sl.so"` names it.
const Name = "sl"

// Event route names the module raises.
const (
	EventFilteredACK   = "sl:filtered-ack"
	EventLocalResponse = "sl:local-response"
)

// ackWindow is how long after a reply ACKs are checked against sl's
// to-tags (Kamailio's SL_RPL_WAIT_TIME).
const ackWindow = 2 * time.Second

func init() { module.Register(new(Module)) }

// Module is one loaded sl module.
type Module struct {
	// Parameters (modparam).
	defaultCode   int64
	defaultReason string
	bindTM        int64
	richRedirect  int64
	evFilteredACK string // event_callback_fl_ack: a KEMI function name
	evLocalResp   string // event_callback_lres_sent: a KEMI function name

	host module.Host
	log  *klog.Logger
	tm   Replier // nil without a transaction module

	// filterUntil is when ACK filtering stops: ackWindow after the last
	// reply sent, in Unix nanoseconds.
	filterUntil atomic.Int64
	now         func() time.Time

	stats counters
}

// Replier is what send_reply needs from a transaction module (Kamailio's
// tm API t_gett and t_reply): when the request has a transaction, the
// reply goes through it. kamgo's tm will implement it; sl finds it with
// Host.Module("tm") when bind_tm is set.
type Replier interface {
	// ReplyInTransaction replies to the request of c statefully when it
	// has a transaction; handled is false when it has none.
	ReplyInTransaction(c *event.Context, code int, reason string) (rc int, handled bool)
	// ToTag is the to-tag of the transaction's replies; ok is false
	// without a transaction.
	ToTag(c *event.Context) (tag string, ok bool)
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{defaultCode: 500, defaultReason: "Internal Server Error", bindTM: 1,
		now: time.Now}
}

// Exports implements module.Exporter. bind_sl is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "default_code", Type: module.ParamInt, Default: value.MakeInt(500)},
			{Name: "default_reason", Type: module.ParamStr, Default: value.MakeStr("Internal Server Error")},
			{Name: "bind_tm", Type: module.ParamInt, Default: value.MakeInt(1)},
			{Name: "rich_redirect", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "event_callback_fl_ack", Type: module.ParamStr},
			{Name: "event_callback_lres_sent", Type: module.ParamStr},
		},
		Funcs: []module.Func{
			{Name: "sl_send_reply", MinArgs: 2, MaxArgs: 2, Compile: m.compileReply(slOnly)},
			{Name: "sl_reply", MinArgs: 2, MaxArgs: 2, Compile: m.compileReply(slOnly)},
			{Name: "send_reply", MinArgs: 2, MaxArgs: 2, Compile: m.compileReply(viaTM)},
			{Name: "send_reply_mode", MinArgs: 3, MaxArgs: 3, Compile: m.compileReply(viaTM)},
			{Name: "sl_reply_error", Compile: m.compileReplyError},
			{Name: "send_reply_error", Compile: m.compileReplyError, Ext: "Kamailio 5.8",
				Routes: routetype.Request | routetype.Failure | routetype.OnReply | routetype.CoreOnReply},
			{Name: "sl_forward_reply", MinArgs: 0, MaxArgs: 2, Compile: m.compileForwardReply},
		},
		Classes: []*pv.Class{m.lttClass()},
		Events:  []string{EventFilteredACK, EventLocalResponse},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "default_code":
		m.defaultCode = v.I
	case "default_reason":
		m.defaultReason = v.S
	case "bind_tm":
		m.bindTM = v.I
	case "rich_redirect":
		m.richRedirect = v.I
	case "event_callback_fl_ack":
		m.evFilteredACK = v.S
	case "event_callback_lres_sent":
		m.evLocalResp = v.S
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: it finds the transaction
// module send_reply and $ltt use, when bind_tm allows.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if m.bindTM != 0 {
		if tm, ok := h.Module("tm"); ok {
			if r, ok := tm.(Replier); ok {
				m.tm = r
			}
		}
		if m.tm == nil {
			m.log.Log(klog.Warn, Name, "load_tm_api(): Cannot import load_tm function from tm module")
			m.log.Log(klog.Info, Name, "mod_init(): could not bind tm module - only stateless mode available during modules initialization")
		}
	}
	return nil
}

// Request implements sip.Layer: the ACKs of sl's own replies stop here.
func (m *Module) Request(c *event.Context, msg *sipmsg.Msg) bool { return m.filterACK(c, msg) }

// Reply implements sip.Layer: sl takes no reply.
func (m *Module) Reply(*event.Context, *sipmsg.Msg) bool { return false }

var (
	_ module.Module        = (*Module)(nil)
	_ module.Exporter      = (*Module)(nil)
	_ module.ParamSetter   = (*Module)(nil)
	_ module.Provisioner   = (*Module)(nil)
	_ module.MetricsWriter = (*Module)(nil)
	_ sip.Layer            = (*Module)(nil)
)
