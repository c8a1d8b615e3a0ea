package server

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/kamgo/kamgo/runtime/rpc"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Go's keepalive settings for the TCP connections it accepts and dials
// (net.KeepAliveConfig's defaults on Linux), which kamgo does not change:
// what core.tcp_options reports for keepidle, keepintvl and keepcnt.
const (
	goKeepIdle  = 15
	goKeepIntvl = 15
	goKeepCnt   = 9
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
// sockets are open, the names of the sockets opened by name.
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

// tcpOptions fills r with Kamailio's TCP options as kamgo runs them: the
// timeouts it applies, the connection limits as configured (kamgo does
// not enforce them), and for each mechanism kamgo does not have (an fd
// cache, asynchronous writes and their queues, deferred accept, tuned
// SYN retries, linger or delayed ACKs) 0, the value that turns it off.
func (s *Server) tcpOptions(r *rpc.Value) {
	cfg := s.sipConf.WithDefaults()
	secs := func(d time.Duration) *rpc.Value { return rpc.NewInt(int64(d / time.Second)) }
	r.Set("connect_timeout", secs(cfg.TCPConnectTimeout)).
		Set("send_timeout", secs(cfg.TCPSendTimeout)).
		Set("connection_lifetime", secs(cfg.TCPLifetime)).
		Set("max_connections(soft)", rpc.NewInt(s.coreInt("tcp_max_connections", defaultMaxConnections))).
		Set("max_tls_connections(soft)", rpc.NewInt(s.coreInt("tls_max_connections", defaultMaxConnections))).
		// kamgo opens connections when a message needs one.
		Set("no_connect", rpc.NewInt(0)).
		Set("fd_cache", rpc.NewInt(0)).
		Set("async", rpc.NewInt(0)).
		Set("connect_wait", rpc.NewInt(0)).
		Set("conn_wq_max", rpc.NewInt(0)).
		Set("wq_max", rpc.NewInt(0)).
		Set("defer_accept", rpc.NewInt(0)).
		Set("delayed_ack", rpc.NewInt(0)).
		Set("syncnt", rpc.NewInt(0)).
		Set("linger2", rpc.NewInt(0)).
		// Go turns keepalives on for every connection.
		Set("keepalive", rpc.NewInt(1)).
		Set("keepidle", rpc.NewInt(goKeepIdle)).
		Set("keepintvl", rpc.NewInt(goKeepIntvl)).
		Set("keepcnt", rpc.NewInt(goKeepCnt)).
		// A double CRLF is answered with a CRLF.
		Set("crlf_ping", rpc.NewInt(1)).
		Set("accept_aliases", rpc.NewInt(0)).
		// A new connection, and force_tcp_alias, replace whatever
		// connection had the address before (TCP_ALIAS_REPLACE).
		Set("alias_flags", rpc.NewInt(2)).
		Set("new_conn_alias_flags", rpc.NewInt(2))
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
