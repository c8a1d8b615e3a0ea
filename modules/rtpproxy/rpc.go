package rtpproxy

import (
	"context"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: rtpproxy.list and rtpproxy.enable.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "rtpproxy.list", Doc: "Lists the RTP proxies of every set with their state.", Handler: m.rpcList, Array: true},
		{Name: "rtpproxy.enable", Doc: "Enables (1) or disables (0) the RTP proxy with the given URL.", Handler: m.rpcEnable},
	}
}

func (m *Module) rpcList(_ context.Context, c *rpc.Call) {
	for _, s := range m.sets {
		for _, n := range s.nodes {
			n.mu.Lock()
			disabled, recheck := 0, int64(n.recheck)
			if n.disabled {
				disabled = 1
			}
			n.mu.Unlock()
			st := c.AddStruct()
			st.Set("setid", rpc.NewInt(int64(s.id)))
			st.Set("url", rpc.NewStr(n.url))
			st.Set("index", rpc.NewInt(int64(n.idx)))
			st.Set("disabled", rpc.NewInt(int64(disabled)))
			st.Set("weight", rpc.NewInt(int64(n.weight)))
			st.Set("recheck", rpc.NewInt(int64(int32(uint32(recheck)))))
		}
	}
}

// rpcEnable sets a proxy's state by URL: enabled now, or disabled until
// enabled again (no recheck).
func (m *Module) rpcEnable(_ context.Context, c *rpc.Call) {
	if len(m.sets) == 0 {
		c.Fault(rpc.CodeNotFound, "RTPProxy not found")
		return
	}
	url, ok1 := c.NextStr()
	enable, ok2 := c.NextInt()
	if !ok1 || !ok2 {
		c.Fault(rpc.CodeInternal, "Not enough parameters")
		return
	}
	found := false
	for _, s := range m.sets {
		for _, n := range s.nodes {
			if n.url != url {
				continue
			}
			found = true
			n.mu.Lock()
			if enable != 0 {
				n.recheck, n.disabled = 0, false
			} else {
				n.recheck, n.disabled = forever, true
			}
			n.mu.Unlock()
		}
	}
	if !found {
		c.Fault(rpc.CodeNotFound, "RTPProxy not found")
	}
}

var _ rpc.Provider = (*Module)(nil)
