package pike

import (
	"context"
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/runtime/rpc"
)

// RPC implements rpc.Provider: pike.top and its alias pike.list.
func (m *Module) RPC() []rpc.Command {
	return []rpc.Command{
		{Name: "pike.top", Doc: "Lists the tracked addresses: HOT (default) those blocked or about to be, ALL every one.", Handler: m.rpcTop},
		{Name: "pike.list", Doc: "Same as pike.top.", Handler: m.rpcTop},
	}
}

// topItem is one address of the reply.
type topItem struct {
	addr     string
	leafHits [2]uint16
	expires  int32
	status   int
}

// rpcTop answers {max_hits, list: [{ip_addr, leaf_hits_prev,
// leaf_hits_curr, expires, status}], number_of_rows}. The option is
// searched for, case-insensitively, in the parameter: ALL lists every
// complete address, HOT the hot ones; WARM is accepted and, as in
// Kamailio, lists none. The list is in Kamailio's order: the last address
// found first.
func (m *Module) rpcTop(_ context.Context, c *rpc.Call) {
	opt := "HOT"
	if v := c.Param(0); v != nil && v.Kind == rpc.Str {
		opt = v.Str
	}
	u := strings.ToUpper(opt)
	mode := 0
	switch {
	case strings.Contains(u, "ALL"):
		mode = statusAll
	case strings.Contains(u, "HOT"):
		mode = statusHot
	case strings.Contains(u, "WARM"):
		mode = statusWarm
	}
	if mode == 0 {
		c.Fault(rpc.CodeInternal, "Bad argument. Select: ALL, HOT or WARM")
		return
	}
	var items []topItem
	m.mu.Lock()
	now := m.ticks()
	var ip [16]byte
	var walk func(n *node, depth int)
	walk = func(n *node, depth int) {
		if depth >= len(ip) {
			return
		}
		ip[depth] = n.byte
		if n.flags&nodeIPLeaf != 0 {
			st := m.tree.status(n)
			if mode == statusAll || (mode == statusHot && st&statusHot != 0) {
				items = append(items, topItem{addr: addrString(ip[:depth+1]), leafHits: n.leafHits, expires: int32(n.expires - now), status: st})
			}
		}
		for k := n.kids; k != nil; k = k.next {
			walk(k, depth+1)
		}
	}
	for _, root := range m.tree.branches {
		if root != nil {
			walk(root, 0)
		}
	}
	maxHits := m.tree.maxHits
	m.mu.Unlock()
	list := rpc.NewArray()
	st := c.AddStruct().Set("max_hits", rpc.NewInt(int64(maxHits))).Set("list", list)
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		list.Append(rpc.NewStruct().Set("ip_addr", rpc.NewStr(it.addr)).
			Set("leaf_hits_prev", rpc.NewInt(int64(it.leafHits[prevPos]))).
			Set("leaf_hits_curr", rpc.NewInt(int64(it.leafHits[currPos]))).
			Set("expires", rpc.NewInt(int64(it.expires))).
			Set("status", rpc.NewStr(statusNames[it.status])))
	}
	st.Set("number_of_rows", rpc.NewInt(int64(len(items))))
}

// addrString prints a complete address as inet_ntop does; a prefix of
// another length (an IPv4 address inside an IPv6 one) is printed as
// eight groups of four hex digits, as Kamailio does.
func addrString(b []byte) string {
	if a, ok := netip.AddrFromSlice(b); ok {
		return a.String()
	}
	var full [16]byte
	copy(full[:], b)
	var sb strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		const hex = "0123456789abcdef"
		v := uint16(full[i])<<8 | uint16(full[i+1])
		sb.WriteByte(hex[v>>12])
		sb.WriteByte(hex[v>>8&0xf])
		sb.WriteByte(hex[v>>4&0xf])
		sb.WriteByte(hex[v&0xf])
	}
	return sb.String()
}

var _ rpc.Provider = (*Module)(nil)
