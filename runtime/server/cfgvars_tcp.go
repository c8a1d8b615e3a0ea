package server

import (
	"time"

	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/value"
)

// tcpVar is one variable of Kamailio 5.6.3's tcp group (tcp_options.c),
// in its order, with Kamailio's default and bounds.
type tcpVar struct {
	name     string
	min, max int64
	def      int64
	param    string // the core parameter that sets it ("": none)
	descr    string
	readOnly bool
	// fixup marks the variables Kamailio checks through a callback: they
	// cannot be read back through RPC.
	fixup bool
	// wired marks the variables kamgo's TCP transport follows; the others
	// are kept and answered as Kamailio does but change nothing, because
	// kamgo has no such mechanism: TLS (max_tls_connections), an fd
	// cache, asynchronous writes and their queues (async, connect_wait,
	// conn_wq_max, wq_max, wq_blk_size: kamgo writes in the sending
	// goroutine), socket options Go does not set (defer_accept,
	// delayed_ack, syncnt, linger2, reuse_port), Kamailio's connection
	// alias flags (kamgo's force_tcp_alias always replaces), the wait for
	// data before a reader takes a new connection (wait_data_ms) and the
	// read buffer size (rd_buf_size: kamgo reads up to 64 KiB messages).
	wired bool
}

// maxTCPLifetime is Kamailio's MAX_TCP_CON_LIFETIME in seconds, the
// bound of connect_timeout (its send_timeout and connection_lifetime
// bounds are in ticks, as the variables are stored).
const maxTCPLifetime = (1<<31 - 1) / 16

var tcpVars = []tcpVar{
	{name: "connect_timeout", min: -1, max: maxTCPLifetime, def: 10, param: "tcp_connect_timeout", fixup: true, wired: true,
		descr: "Seconds a connection may take to open"},
	{name: "send_timeout", min: -1, max: 1<<31 - 1, def: 10, param: "tcp_send_timeout", fixup: true, wired: true,
		descr: "Seconds a write may take"},
	{name: "connection_lifetime", min: -1, max: 1<<31 - 1, def: 120, param: "tcp_connection_lifetime", fixup: true, wired: true,
		descr: "Seconds an idle connection stays open"},
	{name: "max_connections", max: 1<<31 - 1, def: defaultMaxConnections, param: "tcp_max_connections", fixup: true, wired: true,
		descr: "Most TCP connections open at once (soft limit, at most tcp_max_connections)"},
	{name: "max_tls_connections", max: 1<<31 - 1, def: defaultMaxConnections, param: "tls_max_connections", fixup: true,
		descr: "Most TLS connections open at once (soft limit)"},
	{name: "no_connect", max: 1, param: "tcp_no_connect", wired: true, descr: "Whether connections are only accepted, never opened (0 or 1)"},
	{name: "fd_cache", max: 1, def: 1, param: "tcp_fd_cache", readOnly: true, descr: "Whether senders cache connection descriptors (0 or 1)"},
	{name: "async", max: 1, def: 1, param: "tcp_async", readOnly: true, descr: "Whether writes and connects are asynchronous (0 or 1)"},
	{name: "connect_wait", max: 1, def: 1, readOnly: true, descr: "Whether concurrent connects to one destination wait for the first (0 or 1)"},
	{name: "conn_wq_max", max: 1024 * 1024, def: 32 * 1024, param: "tcp_conn_wq_max", descr: "Bytes a connection may queue for writing (async)"},
	{name: "wq_max", max: 1 << 30, def: 10 * 1024 * 1024, param: "tcp_wq_max", descr: "Bytes all connections may queue for writing (async)"},
	{name: "defer_accept", max: 3600, param: "tcp_defer_accept", readOnly: true, descr: "Whether a connection is accepted only once data arrives"},
	{name: "delayed_ack", max: 1, def: 1, param: "tcp_delayed_ack", descr: "Whether the first ACK waits for the first data (0 or 1)"},
	{name: "syncnt", max: 1024, param: "tcp_syncnt", descr: "SYN retransmissions before a connect fails (0: the system's)"},
	{name: "linger2", max: 3600, param: "tcp_linger2", descr: "Seconds an orphaned socket stays in FIN_WAIT2 (0: the system's)"},
	{name: "keepalive", max: 1, def: 1, param: "tcp_keepalive", wired: true, descr: "Whether TCP keepalives are on (0 or 1)"},
	{name: "keepidle", max: 24 * 3600, param: "tcp_keepidle", wired: true, descr: "Idle seconds before the first keepalive (0: the system's)"},
	{name: "keepintvl", max: 24 * 3600, param: "tcp_keepintvl", wired: true, descr: "Seconds between unanswered keepalives (0: the system's)"},
	{name: "keepcnt", max: 1 << 10, param: "tcp_keepcnt", wired: true, descr: "Unanswered keepalives before the connection closes (0: the system's)"},
	{name: "crlf_ping", max: 1, def: 1, param: "tcp_crlf_ping", wired: true, descr: "Whether a double CRLF is answered with a CRLF (0 or 1)"},
	{name: "accept_aliases", max: 1, param: "tcp_accept_aliases", descr: "Whether an alias Via parameter makes a connection alias (0 or 1)"},
	{name: "alias_flags", max: 2, def: 1, descr: "How a new connection alias is added: 1 force, 2 replace"},
	{name: "new_conn_alias_flags", max: 2, def: 2, descr: "How a new connection's own alias is added: 1 force, 2 replace"},
	{name: "accept_no_cl", max: 1, param: "tcp_accept_no_cl", wired: true, descr: "Whether a message without Content-Length is taken as having no body (0 or 1)"},
	{name: "reuse_port", max: 1, param: "tcp_reuse_port", descr: "Whether TCP ports may be reused (0 or 1)"},
	{name: "wait_data_ms", max: 7200000, def: 5000, param: "tcp_wait_data", descr: "Milliseconds to wait for data on a new connection"},
	{name: "rd_buf_size", min: 512, max: 16777216, def: 16384, param: "tcp_rd_buf_size", descr: "Size of a connection's read buffer"},
	{name: "wq_blk_size", min: 1, max: 65535, def: 2100, param: "tcp_wq_blk_size", descr: "Size of a block of the write queue"},
}

// declareTCP declares the tcp group with the values of the core
// parameters; a change of a variable the transport follows reaches it
// at once.
func (s *Server) declareTCP(st *cfgvars.Store) error {
	core := *s.core.Load()
	defs := make([]cfgvars.Def, len(tcpVars))
	vals := make([]value.Value, len(tcpVars))
	for i, tv := range tcpVars {
		defs[i] = cfgvars.Def{Name: tv.name, Type: cfgvars.Int, Min: tv.min, Max: tv.max, Descr: tv.descr, ReadOnly: tv.readOnly}
		if tv.wired {
			defs[i].OnChange = func(value.Value) { s.applyTCPOptions() }
		}
		vals[i] = value.MakeInt(tv.def)
		if v, ok := core[tv.param]; ok && tv.param != "" {
			vals[i] = coreInt(tv.name, v, vals[i])
		}
		if tv.fixup {
			defs[i].Fixup = tcpFixup(tv, vals[i].I)
			vals[i], _ = defs[i].Fixup(vals[i])
		}
	}
	_, err := st.Declare("tcp", defs, vals)
	return err
}

// tcpFixup is Kamailio's check of the timeouts and limits: a negative
// timeout is the default; a connection limit above the one the core
// parameter set (hard) is that one.
func tcpFixup(tv tcpVar, hard int64) func(value.Value) (value.Value, error) {
	return func(v value.Value) (value.Value, error) {
		switch {
		case tv.name == "max_connections" || tv.name == "max_tls_connections":
			if v.I > hard {
				return value.MakeInt(hard), nil
			}
		case v.I < 0:
			return value.MakeInt(tv.def), nil
		}
		return v, nil
	}
}

// tcpInt is the current value of a variable of the tcp group.
func (s *Server) tcpInt(name string) int64 {
	g, ok := s.Cfg().Group("tcp")
	if !ok {
		return 0
	}
	i, ok := g.Var(name)
	if !ok {
		return 0
	}
	return s.Cfg().Int(nil, g, i)
}

// tcpOptionsNow are the transport's options from the tcp group.
func (s *Server) tcpOptionsNow() sip.TCPOptions {
	secs := func(name string) time.Duration { return time.Duration(s.tcpInt(name)) * time.Second }
	return sip.TCPOptions{
		ConnectTimeout: secs("connect_timeout"), SendTimeout: secs("send_timeout"), Lifetime: secs("connection_lifetime"),
		MaxConnections: int(s.tcpInt("max_connections")), NoConnect: s.tcpInt("no_connect") != 0,
		CRLFPing: s.tcpInt("crlf_ping") != 0, AcceptNoCL: s.tcpInt("accept_no_cl") != 0,
		KeepAlive: s.tcpInt("keepalive") != 0, KeepIdle: secs("keepidle"), KeepIntvl: secs("keepintvl"),
		KeepCnt: int(s.tcpInt("keepcnt")),
	}
}

// applyTCPOptions gives the running transport the tcp group's values.
func (s *Server) applyTCPOptions() {
	if t := s.sip.Load(); t != nil {
		t.SetTCPOptions(s.tcpOptionsNow())
	}
}
