package tm

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
)

// laterFuncs are the functions Kamailio's tm gained after 5.6, each
// marked with the release that added it and the route types it allows
// there (older releases' catalogs take them from here).
func (m *Module) laterFuncs() []module.Func {
	const (
		replyRoutes = routetype.Request | routetype.Failure | routetype.OnReply | routetype.CoreOnReply
		relayRoutes = routetype.Request | routetype.Failure
		flagRoutes  = routetype.Request | routetype.OnReply | routetype.Failure | routetype.Branch
	)
	plain := func(call module.Call) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) { return call, nil }
	}
	return []module.Func{
		{Name: "t_exists", Compile: plain(m.wExists), Ext: "Kamailio 5.7", Routes: routetype.Any},
		{Name: "t_reply_error", Compile: plain(m.wReplyError), Ext: "Kamailio 5.8", Routes: replyRoutes},
		{Name: "t_relay_to_proxy", MinArgs: 1, MaxArgs: 1, Compile: m.compileRelayToProxy, Ext: "Kamailio 6.1", Routes: relayRoutes},
		{Name: "t_msg_apply_changes", Compile: plain(m.wMsgApplyChanges), Ext: "Kamailio 6.1", Routes: routetype.Branch},
		{Name: "t_cell_append_branches", MinArgs: 2, MaxArgs: 2, Compile: m.compileCellAppendBranches, Ext: "Kamailio 6.0", Routes: routetype.Any},
		{Name: "t_set_no_auto_ack", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(flagNoAutoAck), Ext: "Kamailio 6.1", Routes: flagRoutes},
	}
}

// compileRelayToProxy compiles t_relay_to_proxy(proxy): a
// "[proto:]host[:port]" that may hold pseudo-variables (Kamailio 6.1's
// fixup_spve_null), so it is read and resolved at each call; "" relays to
// the request's own destination, as t_relay().
func (m *Module) compileRelayToProxy(h module.Host, args []*module.Arg) (module.Call, error) {
	proxy, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int { return m.relayToProxyFlags(c, proxy(c), 0) }, nil
}
