package sip

import (
	"errors"
	"net"
	"time"
)

// TCPOptions are the settings of Kamailio's tcp configuration group that
// the TCP transport follows. They may change while the transport runs
// (cfg.set): a new value holds for what happens next (a timeout for the
// next write, keepalive settings for the next connection).
type TCPOptions struct {
	// ConnectTimeout, SendTimeout and Lifetime bound connecting, writing
	// and an idle connection.
	ConnectTimeout, SendTimeout, Lifetime time.Duration
	// MaxConnections refuses connections beyond that many open ones, as
	// tcp_max_connections; 0 means no limit.
	MaxConnections int
	// NoConnect makes the transport only accept connections, never open
	// one (tcp_no_connect).
	NoConnect bool
	// CRLFPing answers a double CRLF with a CRLF (tcp_crlf_ping).
	CRLFPing bool
	// AcceptNoCL takes a message without Content-Length as having no
	// body (tcp_accept_no_cl).
	AcceptNoCL bool
	// KeepAlive turns TCP keepalives on for new connections; KeepIdle,
	// KeepIntvl and KeepCnt set their timing, 0 leaving the system's
	// default (tcp_keepalive, tcp_keepidle, tcp_keepintvl, tcp_keepcnt).
	KeepAlive           bool
	KeepIdle, KeepIntvl time.Duration
	KeepCnt             int
}

// errTooManyConns refuses a connection beyond MaxConnections.
var errTooManyConns = errors.New("too many open tcp connections (tcp_max_connections)")

// errNoConnect refuses to open a connection with NoConnect.
var errNoConnect = errors.New("opening connections is off (tcp_no_connect)")

// defaultTCPOptions are the options a transport starts with: those of its
// Config, and Kamailio's defaults for the rest.
func defaultTCPOptions(c Config) *TCPOptions {
	return &TCPOptions{ConnectTimeout: c.TCPConnectTimeout, SendTimeout: c.TCPSendTimeout, Lifetime: c.TCPLifetime,
		AcceptNoCL: c.AcceptNoCL, CRLFPing: true, KeepAlive: true}
}

// SetTCPOptions replaces the TCP options; zero timeouts keep Kamailio's
// defaults (10s, 10s, 120s).
func (t *Transport) SetTCPOptions(o TCPOptions) {
	def := Config{}.withDefaults()
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = def.TCPConnectTimeout
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = def.TCPSendTimeout
	}
	if o.Lifetime <= 0 {
		o.Lifetime = def.TCPLifetime
	}
	t.tcpOpts.Store(&o)
}

// TCPOptions returns the TCP options in effect.
func (t *Transport) TCPOptions() TCPOptions { return *t.tcpOpts.Load() }

// keepAlive applies the keepalive options to a new connection.
func (o *TCPOptions) keepAlive(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	orSystem := func(d time.Duration) time.Duration {
		if d <= 0 {
			return -1 // leave the socket option as the system sets it
		}
		return d
	}
	cnt := o.KeepCnt
	if cnt <= 0 {
		cnt = -1
	}
	_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: o.KeepAlive,
		Idle: orSystem(o.KeepIdle), Interval: orSystem(o.KeepIntvl), Count: cnt})
}
