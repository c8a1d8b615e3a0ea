// Package tmx is kamgo's tmx module: the script side of tm's extensions,
// on top of modules/tm. t_suspend takes a request's transaction off its
// worker and t_continue resumes it in a route later (from an event of
// another module, an evapi message say); t_precheck_trans tells a
// retransmission of a request another worker is still routing, before any
// transaction exists; t_cancel_branches, t_cancel_callid and
// t_reply_callid act on a transaction from a reply route or from another
// event; t_flush_flags, t_drop, t_reuse_branch and the t_is_*_route tests
// complete the functions. The pseudo-variables $T(...), $T_branch(...),
// $T_reply_code, $T_reply_reason, $T_reply_last, $T_reply_ruid and
// $T_branch_idx read the transaction, and $T_req(pv), $T_rpl(pv) and
// $T_inv(pv) evaluate a pseudo-variable on the transaction's request, on
// the picked branch's reply and on the INVITE a CANCEL cancels.
//
// The functions, log lines and return codes follow Kamailio 5.6.3's tmx;
// the package README lists where kamgo differs.
package tmx

import (
	"context"
	"errors"
	"fmt"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "tmx.so"` names it.
const Name = "tmx"

func init() { module.Register(new(Module)) }

// Module is one loaded tmx module.
type Module struct {
	precheckParam int64 // precheck_trans: keep the table t_precheck_trans reads

	host module.Host
	log  *klog.Logger
	tm   *tm.Module
	pre  *pretran // nil when precheck_trans is 0
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return &Module{precheckParam: 1} }}
}

// Exports implements module.Exporter. bind_tmx is an API for C modules,
// not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "precheck_trans", Type: module.ParamInt, Default: value.MakeInt(1)},
		},
		Funcs:   m.funcs(),
		Classes: m.classes(),
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "precheck_trans":
		m.precheckParam = v.I
		return nil
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// errNoTM is the load error without tm, as Kamailio's mod_init logs it.
var errNoTM = errors.New("can't load TM API")

// Provision implements module.Provisioner: tmx works on tm's
// transactions, so tm must be loaded.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	mod, ok := h.Module(tm.Name)
	if !ok {
		return errNoTM
	}
	t, ok := mod.(*tm.Module)
	if !ok {
		return errNoTM
	}
	m.tm = t
	if m.precheckParam != 0 {
		m.pre = newPretran()
	}
	return nil
}

// Start implements module.Starter: nothing runs on its own.
func (m *Module) Start(context.Context) error { return nil }

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error { return nil }

// Request implements sip.Layer: a worker that starts on a new request has
// finished routing the one before, whose t_precheck_trans entry goes.
func (m *Module) Request(c *event.Context, _ *sipmsg.Msg) bool {
	m.RequestDone(c)
	return false
}

// Reply implements sip.Layer, as Request does for a reply.
func (m *Module) Reply(c *event.Context, _ *sipmsg.Msg) bool {
	m.RequestDone(c)
	return false
}

// RequestDone ends what the event's worker registered with
// t_precheck_trans: the request is no longer being routed (Kamailio does
// it in a post-script callback).
func (m *Module) RequestDone(c *event.Context) {
	if m.pre != nil && c.Worker != nil {
		m.pre.unlink(c.Worker)
	}
}

var (
	_ module.Module        = (*Module)(nil)
	_ module.Exporter      = (*Module)(nil)
	_ module.ParamSetter   = (*Module)(nil)
	_ module.Provisioner   = (*Module)(nil)
	_ module.Starter       = (*Module)(nil)
	_ module.MetricsWriter = (*Module)(nil)
	_ sip.Layer            = (*Module)(nil)
)
