package nathelper

import (
	"context"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: nathelper.enable_ping.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "nathelper.enable_ping", Doc: "Turns the NAT pinger on (1) or off (0).", Handler: m.rpcEnablePing},
	}
}

// rpcEnablePing sets the pinger's state; without a pinger
// (natping_interval 0) it is a fault, as in Kamailio.
func (m *Module) rpcEnablePing(_ context.Context, c *rpc.Call) {
	if m.ul == nil {
		c.Fault(rpc.CodeInternal, "NATping disabled")
		return
	}
	n, ok := c.NextInt()
	if !ok {
		c.Fault(rpc.CodeInternal, "No parameter")
		return
	}
	m.enabled.Store(n != 0)
}

var _ rpc.Provider = (*Module)(nil)
