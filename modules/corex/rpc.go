package corex

import (
	"context"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// RPC implements rpc.Provider: corex.list_sockets, corex.list_aliases
// and corex.debug.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "corex.list_sockets", Doc: "The listening sockets, UDP ones first, with their addresses and flags.",
			Handler: m.rpcListSockets, Array: true},
		{Name: "corex.list_aliases", Doc: "The names and ports the server takes as its own besides its sockets.",
			Handler: m.rpcListAliases, Array: true},
		{Name: "corex.debug", Doc: "The core's log level; with an integer parameter, sets it and answers the old and new one.",
			Handler: m.rpcDebug},
	}
}

// transport is the running SIP transport, nil when there is none (no
// sockets open, or a host without one).
func (m *Module) transport() *sip.Transport {
	return sip.TransportOf(m.host)
}

// rpcListSockets adds one structure per socket, as Kamailio's command:
// the protocol, the host as the listen line writes it, its address, the
// port as text, the flags kamgo never sets (multicast, multi-homed,
// virtual), the socket's name and advertised host ("-" when none).
func (m *Module) rpcListSockets(_ context.Context, c *rpc.Call) {
	t := m.transport()
	if t == nil {
		return
	}
	socks, listens := t.Sockets(), t.Listens()
	for _, proto := range []int{sipmsg.ProtoUDP, sipmsg.ProtoTCP} {
		for i, so := range socks {
			if so.Proto != proto || i >= len(listens) {
				continue
			}
			l := listens[i]
			c.AddStruct().
				Set("PROTO", rpc.NewStr(sipmsg.ProtoName(proto, false))).
				Set("NAME", rpc.NewStr(l.Host)).
				Set("ADDRLIST", rpc.NewStruct().Set("ADDR", rpc.NewStr(so.IP))).
				Set("PORT", rpc.NewStr(strconv.Itoa(so.Port))).
				Set("MCAST", rpc.NewStr("no")).
				Set("MHOMED", rpc.NewStr("no")).
				Set("VIRTUAL", rpc.NewStr("no")).
				Set("SOCKNAME", rpc.NewStr(orDash(l.Name))).
				Set("ADVERTISE", rpc.NewStr(orDash(l.AdvHost)))
		}
	}
}

// rpcListAliases adds one structure per alias, the newest first as
// Kamailio keeps them: the protocol ("*" for any), the name, the port (0
// for any).
func (m *Module) rpcListAliases(_ context.Context, c *rpc.Call) {
	t := m.transport()
	if t == nil {
		return
	}
	aliases := t.Aliases()
	for i := len(aliases) - 1; i >= 0; i-- {
		a := aliases[i]
		proto := "*"
		if a.Proto != sipmsg.ProtoNone {
			proto = sipmsg.ProtoName(a.Proto, false)
		}
		c.AddStruct().
			Set("PROTO", rpc.NewStr(proto)).
			Set("ADDR", rpc.NewStr(a.Host)).
			Set("PORT", rpc.NewInt(int64(a.Port)))
	}
}

// rpcDebug reads the core group's debug and, given an integer, sets it
// (the logger's threshold follows), as Kamailio's corex.debug: a
// parameter that is not an integer only reads.
func (m *Module) rpcDebug(_ context.Context, c *rpc.Call) {
	h, ok := m.host.(cfgvars.Host)
	if !ok {
		c.Fault(rpc.CodeInternal, "Operation failed")
		return
	}
	st := h.Cfg()
	core := cfgvars.Target{Group: "core"}
	old, _, err := st.Get(core, "debug")
	if err != nil {
		c.Fault(rpc.CodeInternal, "Operation failed")
		return
	}
	n, set := debugParam(c)
	if !set {
		c.AddStruct().Set("debug", rpc.NewInt(old.I))
		return
	}
	// Kamailio does not check the change either: debug takes any integer.
	_ = st.SetNow(core, "debug", value.MakeInt(n))
	c.AddStruct().Set("old", rpc.NewInt(old.I)).Set("new", rpc.NewInt(n))
}

// debugParam is corex.debug's optional integer ("*d"): an integer, or
// digits when the transport converts; anything else reads as none.
func debugParam(c *rpc.Call) (int64, bool) {
	v := c.Param(0)
	switch {
	case v == nil:
	case v.Kind == rpc.Int:
		return int64(int32(v.Int)), true
	case v.Kind == rpc.Str && c.Convert:
		if n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 32); err == nil {
			return n, true
		}
	}
	return 0, false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var _ rpc.Provider = (*Module)(nil)
