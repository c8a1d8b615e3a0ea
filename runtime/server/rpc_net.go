package server

import (
	"context"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Kamailio's defaults for tcp_max_connections and tls_max_connections.
const defaultMaxConnections = 2048

// netRPC are the commands about SIP sockets, aliases and TCP.
func (s *Server) netRPC() []rpc.Command {
	return []rpc.Command{
		{Name: "core.sockets_list", Doc: "The SIP sockets the server listens on, by protocol.",
			Handler: func(_ context.Context, c *rpc.Call) { s.socketsList(c.AddArray()) }},
		{Name: "core.aliases_list", Doc: "The other names the server takes as its own, newest first.",
			Handler: func(_ context.Context, c *rpc.Call) { s.aliasesList(c.AddStruct()) }},
		{Name: "core.tcp_info", Doc: "TCP readers, connection limits and open connections.",
			Handler: func(_ context.Context, c *rpc.Call) {
				if s.coreFlag("disable_tcp") {
					c.Fault(rpc.CodeInternal, "tcp support disabled")
					return
				}
				open := 0
				if t := s.sip.Load(); t != nil {
					open = len(t.Conns())
				}
				c.AddStruct().
					Set("readers", rpc.NewInt(int64(s.workers.Size()))).
					Set("max_connections", rpc.NewInt(s.coreInt("tcp_max_connections", defaultMaxConnections))).
					Set("max_tls_connections", rpc.NewInt(s.coreInt("tls_max_connections", defaultMaxConnections))).
					Set("opened_connections", rpc.NewInt(int64(open))).
					// kamgo has no TLS, and writes in the sending
					// goroutine: nothing is ever queued.
					Set("opened_tls_connections", rpc.NewInt(0)).
					Set("write_queued_bytes", rpc.NewInt(0))
			}},
		{Name: "core.tcp_list", Doc: "The open TCP connections: ids, states, timeouts and addresses.", Array: true,
			Handler: func(_ context.Context, c *rpc.Call) {
				if s.coreFlag("disable_tcp") {
					c.Fault(rpc.CodeInternal, "tcp support disabled")
					return
				}
				s.tcpList(c)
			}},
		{Name: "core.tcp_options", Doc: "The TCP settings in effect.",
			Handler: func(_ context.Context, c *rpc.Call) {
				if s.coreFlag("disable_tcp") {
					c.Fault(rpc.CodeInternal, "tcp support disabled")
					return
				}
				s.tcpOptions(c.AddStruct())
			}},
	}
}

// SIP lets modules' commands (corex.list_sockets) reach the running
// transport; nil before StartSIP.
func (h *host) SIP() *sip.Transport { return h.s.sip.Load() }

// tcpIDHashSize is the size of Kamailio's table of connections by id,
// whose order core.tcp_list follows: by id modulo the size, the newest
// first among equal ones.
const tcpIDHashSize = 1024

// tcpList adds one structure per open TCP connection, as Kamailio's
// core.tcp_list: src is the peer and dst kamgo's end, whichever side
// opened it. A connection a peer opened is CONN_ACCEPT until it brings
// something, then CONN_OK; one kamgo dialled is CONN_OK (kamgo connects
// before it writes). timeout is the seconds left of its idle lifetime.
// kamgo's connection table is the one holder of a connection (no reader
// process borrows it): ref_count is 1.
func (s *Server) tcpList(c *rpc.Call) {
	t := s.sip.Load()
	if t == nil {
		return
	}
	conns := t.Conns()
	sort.SliceStable(conns, func(i, j int) bool {
		bi, bj := conns[i].ID%tcpIDHashSize, conns[j].ID%tcpIDHashSize
		if bi != bj {
			return bi < bj
		}
		return conns[i].ID > conns[j].ID
	})
	lifetime := s.sipConf.WithDefaults().TCPLifetime
	for _, cn := range conns {
		state := "CONN_OK"
		if cn.Accepted && !cn.Received {
			state = "CONN_ACCEPT"
		}
		c.AddStruct().
			Set("id", rpc.NewInt(int64(cn.ID))).
			Set("type", rpc.NewStr("TCP")).
			Set("state", rpc.NewStr(state)).
			Set("timeout", rpc.NewInt(int64(time.Until(cn.Idle)/time.Second))).
			Set("lifetime", rpc.NewInt(int64(lifetime/time.Second))).
			Set("ref_count", rpc.NewInt(1)).
			Set("src_ip", rpc.NewStr(cn.Remote.Addr().String())).
			Set("src_port", rpc.NewInt(int64(cn.Remote.Port()))).
			Set("dst_ip", rpc.NewStr(cn.Local.Addr().String())).
			Set("dst_port", rpc.NewInt(int64(cn.Local.Port())))
	}
}

// socketsList adds Kamailio's listing of the open SIP sockets to a: UDP
// ones first, then TCP, each in configuration order. Each is an item
// named "socket". A socket opened by name shows the name as its address
// and the address it resolved to as ipaddress. Without a running SIP
// transport the list is empty, as kamgo has then no socket open.
func (s *Server) socketsList(a *rpc.Value) {
	t := s.sip.Load()
	if t == nil {
		return
	}
	socks := t.Sockets()
	for _, proto := range []int{sipmsg.ProtoUDP, sipmsg.ProtoTCP} {
		for i, so := range socks {
			if so.Proto != proto {
				continue
			}
			host := so.IP
			if i < len(s.sipConf.Listen) {
				host = s.sipConf.Listen[i].Host
			}
			st := rpc.NewStruct().
				Set("proto", rpc.NewStr(sipmsg.ProtoName(proto, false))).
				Set("address", rpc.NewStr(bracketed(host)))
			if _, err := netip.ParseAddr(host); err != nil {
				st.Set("ipaddress", rpc.NewStr(bracketed(so.IP)))
			}
			st.Set("port", rpc.NewStr(strconv.Itoa(so.Port))).
				// kamgo has no multicast, multi-homed (SCTP) or
				// virtual sockets.
				Set("mcast", rpc.NewStr("no")).
				Set("mhomed", rpc.NewStr("no")).
				Set("virtual", rpc.NewStr("no"))
			a.AppendNamed("socket", st)
		}
	}
}

// aliasesList fills r as Kamailio's core.aliases_list does: whether a
// module checks "myself" with a function of its own (none in kamgo), and
// the aliases, the last added first, each an item named "alias" with "*"
// for any protocol or port. They are the alias= lines and, once the SIP
// sockets are open and with auto_aliases, the names the sockets'
// addresses resolve back to (runtime/sip keeps the one list, which
// `myself` checks too).
func (s *Server) aliasesList(r *rpc.Value) {
	r.Set("myself_callbacks", rpc.NewStr("no"))
	aliases := s.sipConf.Aliases
	if t := s.sip.Load(); t != nil {
		aliases = t.Aliases()
	}
	list := rpc.NewArray()
	for i := len(aliases) - 1; i >= 0; i-- {
		al := aliases[i]
		proto := "*"
		if al.Proto != sipmsg.ProtoNone {
			proto = sipmsg.ProtoName(al.Proto, false)
		}
		st := rpc.NewStruct().
			Set("proto", rpc.NewStr(proto)).
			Set("address", rpc.NewStr(al.Host))
		if al.Port != 0 {
			st.Set("port", rpc.NewInt(int64(al.Port)))
		} else {
			st.Set("port", rpc.NewStr("*"))
		}
		list.AppendNamed("alias", st)
	}
	r.Set("aliases", list)
}

// tcpOptions fills r as Kamailio's core.tcp_options does: the tcp
// configuration group's values (cfgvars_tcp.go says which of them kamgo's
// transport follows), its timeouts in seconds.
func (s *Server) tcpOptions(r *rpc.Value) {
	n := func(name string) *rpc.Value { return rpc.NewInt(s.tcpInt(name)) }
	r.Set("connect_timeout", n("connect_timeout")).
		Set("send_timeout", n("send_timeout")).
		Set("connection_lifetime", n("connection_lifetime")).
		Set("max_connections(soft)", n("max_connections")).
		Set("max_tls_connections(soft)", n("max_tls_connections"))
	for _, name := range []string{"no_connect", "fd_cache", "async", "connect_wait", "conn_wq_max", "wq_max",
		"defer_accept", "delayed_ack", "syncnt", "linger2", "keepalive", "keepidle", "keepintvl", "keepcnt",
		"crlf_ping", "accept_aliases", "alias_flags", "new_conn_alias_flags"} {
		r.Set(name, n(name))
	}
}

// coreFlag reports whether the core parameter name is set to a non-zero
// number (yes, on and true read as 1).
func (s *Server) coreFlag(name string) bool {
	v, ok := (*s.core.Load())[name]
	return ok && v.K == value.Int && v.I != 0
}

// coreInt is the core parameter name as a number, def when unset.
func (s *Server) coreInt(name string, def int64) int64 {
	if v, ok := (*s.core.Load())[name]; ok && v.K == value.Int {
		return v.I
	}
	return def
}
