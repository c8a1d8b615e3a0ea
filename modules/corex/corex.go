// Package corex is kamgo's corex module: core functions Kamailio keeps in a
// module. It adds branches (append_branch), sends a message or any data
// as it is (send_udp, send_tcp, send_data, sendx), relays a reply by its
// Via (forward_reply), sets and tests the message's internal flags
// (msg_iflag_*, via_*) and extended flags (setxflag ...), reads and
// writes files, forces the send and receive sockets and the source
// address, and tests the message and the sockets (is_faked_msg,
// is_socket_name, is_incoming). $cfg names the configuration position of
// the running action, $lsock reads the listen sockets and {sock.*} splits
// a socket address. alias_subdomains makes a domain and its subdomains
// this server.
//
// Return codes and log lines follow Kamailio 5.6.3's corex module; the
// package README lists where kamgo differs and what it does not run yet.
package corex

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "corex.so"` names it.
const Name = "corex"

// Event route names the module raises.
const (
	EventReplyOut   = "corex:reply-out"
	EventNetworkMsg = "network:msg"
)

func init() { module.Register(new(Module)) }

// Module is one loaded corex module.
type Module struct {
	// Parameters (modparam).
	aliases      []alias
	dnsCache     []dnsRecord
	dnsFiles     []string
	nioIntercept int64
	nioMinLen    int64
	nioMsgAVP    string
	evReplyOut   string // evcb_reply_out: a KEMI function name

	host module.Host
	log  *klog.Logger
	en   protos
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return new(Module) }}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	f := func(name string, min, max int, compile func(module.Host, []*module.Arg) (module.Call, error)) module.Func {
		return module.Func{Name: name, MinArgs: min, MaxArgs: max, Compile: compile}
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "alias_subdomains", Type: module.ParamStr, Multi: true},
			{Name: "dns_cache", Type: module.ParamStr, Multi: true},
			{Name: "dns_file", Type: module.ParamStr, Multi: true, Ext: "Kamailio 6.0"},
			{Name: "nio_intercept", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "nio_min_msg_len", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "nio_msg_avp", Type: module.ParamStr},
			{Name: "evcb_reply_out", Type: module.ParamStr},
		},
		Funcs: append([]module.Func{
			f("forward_reply", 0, 0, plain(forwardReply)),
			f("append_branch", 0, 2, compileAppendBranch),
			f("send_udp", 0, 1, m.compileSend(protoUDP)),
			f("send_tcp", 0, 1, m.compileSend(protoTCP)),
			f("send_data", 2, 2, m.compileSendData),
			f("sendx", 3, 3, m.compileSendData),
			f("is_incoming", 0, 0, plain(isIncoming)),
			f("msg_iflag_set", 1, 1, compileIFlag(opSet)),
			f("msg_iflag_reset", 1, 1, compileIFlag(opReset)),
			f("msg_iflag_is_set", 1, 1, compileIFlag(opTest)),
			f("file_read", 2, 2, compileFileRead),
			f("file_write", 2, 2, compileFileWrite),
			f("setxflag", 1, 1, compileXFlag(opSet)),
			f("resetxflag", 1, 1, compileXFlag(opReset)),
			f("isxflagset", 1, 1, compileXFlag(opTest)),
			f("set_send_socket", 1, 1, m.compileSetSocket(sendSocket, byAddr)),
			f("set_send_socket_name", 1, 1, m.compileSetSocket(sendSocket, byName)),
			f("set_recv_socket", 1, 1, m.compileSetSocket(recvSocket, byAddr)),
			f("set_recv_socket_name", 1, 1, m.compileSetSocket(recvSocket, byName)),
			f("set_source_address", 1, 1, m.compileSetSource),
			f("via_add_srvid", 1, 1, compileViaFlag(flAddSrvID)),
			f("via_add_xavp_params", 1, 1, compileViaFlag(flAddXAVPViaParams)),
			f("via_use_xavp_fields", 1, 1, compileViaFlag(flUseXAVPViaFields)),
			f("is_faked_msg", 0, 0, plain(isFakedMsg)),
			f("is_socket_name", 1, 1, compileIsSocketName),
		}, append(append(forwardUACFuncs(), m.viaReplyFunc(), tcpAliasFunc()), vbflagFuncs()...)...),
		Classes: []*pv.Class{cfgClass(), lsockClass()},
		Trans:   []*pv.TransClass{m.sockTrans()},
		Events:  []string{EventReplyOut, EventNetworkMsg},
	}
}

// SetParam implements module.ParamSetter. alias_subdomains and dns_cache
// are checked as they are set, as Kamailio checks them; dns_file's files
// are read at Provision, as Kamailio's mod_init reads them.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "alias_subdomains":
		a, err := parseAlias(v.S)
		if err != nil {
			return err
		}
		m.aliases = append(m.aliases, a)
	case "dns_cache":
		r, err := parseDNSRecord(v.S)
		if err != nil {
			return err
		}
		m.dnsCache = append(m.dnsCache, r)
	case "dns_file":
		if v.S == "" {
			return fmt.Errorf("corex_dns_file_param(): invalid parameter")
		}
		m.dnsFiles = append(m.dnsFiles, v.S)
	case "nio_intercept":
		m.nioIntercept = v.I
	case "nio_min_msg_len":
		m.nioMinLen = v.I
	case "nio_msg_avp":
		m.nioMsgAVP = v.S
	case "evcb_reply_out":
		m.evReplyOut = v.S
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner: the transports the
// configuration enables (for the socket addresses {sock.*} and the socket
// functions parse), dns_file's records, and nio_intercept's route.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	m.en = protos{tcp: true}
	if v, ok := h.CoreParam("disable_tcp"); ok && truthy(v) {
		m.en.tcp = false
	}
	if v, ok := h.CoreParam("enable_tls"); ok && truthy(v) {
		m.en.tls = true
	}
	if err := m.loadDNSFiles(); err != nil {
		return err
	}
	if m.nioIntercept > 0 {
		if !h.Has(event.Event(EventNetworkMsg)) {
			return fmt.Errorf("nio_intercept_init(): failed to find event_route[network:msg]")
		}
		return fmt.Errorf("nio_intercept: kamgo's SIP transport cannot hand raw messages to event_route[network:msg] yet")
	}
	return nil
}

func truthy(v value.Value) bool {
	switch v.K {
	case value.Int:
		return v.I != 0
	case value.Str:
		return v.S == "yes" || v.S == "on" || v.S == "true" || v.S == "1"
	}
	return false
}

// plain adapts a function of the event alone to a compiled call.
func plain(f func(c *event.Context) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) { return f, nil }
}

// logf logs a line of the module on the event's logger.
func logf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(lv, Name, format, args...)
	}
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
