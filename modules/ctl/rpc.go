package ctl

import (
	"context"
	"net"
	"strconv"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: ctl's own commands, with Kamailio's names
// and replies.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "ctl.who", Doc: "Lists the open control connections.", Handler: m.rpcWho},
		{Name: "ctl.connections", Doc: "The number of open control connections.", Handler: m.rpcConnections},
		{Name: "ctl.listen", Doc: "Lists the sockets ctl listens on.", Handler: m.rpcListen},
	}
}

// servedHere reports whether ctx is a request this module serves; ctl.who
// and ctl.connections fault otherwise, as Kamailio answers them only in
// ctl's own process.
func (m *Module) servedHere(ctx context.Context, c *rpc.Call) bool {
	if ctx.Value(ctxKey{}) != m {
		c.Fault(606, "rpc available only over binrpc (ctl)")
		return false
	}
	return true
}

// rpcListen adds, per socket: the payload protocol, the transport, the
// path or host, and the port ("" for unix sockets and fifos).
func (m *Module) rpcListen(_ context.Context, c *rpc.Call) {
	m.mu.Lock()
	socks := m.socks
	m.mu.Unlock()
	for _, s := range socks {
		port := ""
		if s.id.port != 0 {
			port = strconv.Itoa(s.id.port)
		}
		c.Add(rpc.NewStr(s.id.data.String()), rpc.NewStr(s.id.proto.String()), rpc.NewStr(s.id.name), rpc.NewStr(port))
	}
}

// rpcConnections answers the number of open stream connections.
func (m *Module) rpcConnections(ctx context.Context, c *rpc.Call) {
	if !m.servedHere(ctx, c) {
		return
	}
	m.mu.Lock()
	n := len(m.conns)
	m.mu.Unlock()
	c.Add(rpc.NewInt(int64(n)))
}

// rpcWho adds, per open stream connection: the payload protocol, the
// transport, the peer's address and port, and the socket's address and
// port (unix sockets have no peer name and no ports).
func (m *Module) rpcWho(ctx context.Context, c *rpc.Call) {
	if !m.servedHere(ctx, c) {
		return
	}
	m.mu.Lock()
	conns := append([]*conn(nil), m.conns...)
	m.mu.Unlock()
	str := func(ss ...string) {
		for _, s := range ss {
			c.Add(rpc.NewStr(s))
		}
	}
	for _, cn := range conns {
		p := cn.parent
		str(p.id.data.String(), p.id.proto.String())
		if p.id.proto == tcpSock || p.id.proto == udpSock {
			ip, port := hostPort(cn.c.RemoteAddr())
			str(ip, port)
			ip, port = hostPort(p.addr)
			str(ip, port)
		} else {
			str("<anonymous unix socket>", "", p.id.name, "")
		}
	}
	if len(conns) == 0 {
		c.Fault(400, "no open stream connection")
	}
}

// hostPort splits an IP address into address and port text.
func hostPort(a net.Addr) (string, string) {
	if a == nil {
		return "", ""
	}
	h, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), ""
	}
	return h, p
}
