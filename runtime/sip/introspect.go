package sip

import (
	"net/netip"
	"sort"
)

// ConnInfo describes one open TCP connection, for the core's RPC
// commands.
type ConnInfo struct {
	ID     int
	Local  netip.AddrPort // the address of kamgo's end
	Remote netip.AddrPort // the peer
}

// Conns returns the open TCP connections, by id.
func (t *Transport) Conns() []ConnInfo {
	t.conns.mu.Lock()
	out := make([]ConnInfo, 0, len(t.conns.byID))
	for _, c := range t.conns.byID {
		if c.closed.Load() {
			continue
		}
		local, _ := netip.ParseAddrPort(c.c.LocalAddr().String())
		out = append(out, ConnInfo{ID: c.id, Local: netip.AddrPortFrom(local.Addr().Unmap(), local.Port()), Remote: c.remote})
	}
	t.conns.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Aliases returns the names the transport answers for besides its
// sockets' addresses: the alias= lines in order, then the names of the
// sockets opened by name.
func (t *Transport) Aliases() []Alias {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Alias(nil), t.cfg.Aliases...)
}

// ReadersPerSocket is how many goroutines read each UDP socket.
func (t *Transport) ReadersPerSocket() int { return t.cfg.Readers }

// WithDefaults is c with every unset field at the value the transport
// uses for it (Kamailio's defaults for the TCP timeouts).
func (c Config) WithDefaults() Config { return c.withDefaults() }
