package sip

import (
	"net/netip"
	"sort"
	"time"
)

// ConnInfo describes one open TCP connection, for the core's RPC
// commands.
type ConnInfo struct {
	ID     int
	Local  netip.AddrPort // the address of kamgo's end
	Remote netip.AddrPort // the peer
	// Accepted is a connection a peer opened; Received, that a message
	// (or a keepalive) came over it.
	Accepted, Received bool
	// Idle is when the connection closes unless something is read or
	// written before.
	Idle time.Time
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
		out = append(out, ConnInfo{ID: c.id, Local: netip.AddrPortFrom(local.Addr().Unmap(), local.Port()), Remote: c.remote,
			Accepted: c.accepted, Received: c.received.Load(), Idle: time.Unix(0, c.idle.Load())})
	}
	t.conns.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Aliases returns the names the transport answers for besides its
// sockets' addresses and host names: the alias= lines in order, then, with
// AutoAliases, the names the sockets' addresses resolve back to.
func (t *Transport) Aliases() []Alias {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Alias(nil), t.cfg.Aliases...)
}

// Listens returns the listen lines the transport opened, in the order
// of Sockets.
func (t *Transport) Listens() []Listen {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Listen(nil), t.cfg.Listen...)
}

// ReadersPerSocket is how many goroutines read each UDP socket.
func (t *Transport) ReadersPerSocket() int { return t.cfg.Readers }

// WithDefaults is c with every unset field at the value the transport
// uses for it (Kamailio's defaults for the TCP timeouts).
func (c Config) WithDefaults() Config { return c.withDefaults() }
