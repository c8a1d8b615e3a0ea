package tm

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
)

// relayToProxyFlags is t_relay_to_proxy (the script's, Kamailio 6.1) and
// KSR.tm.t_relay_to_proxy / t_relay_to_proxy_flags / t_relay_to_flags:
// t_relay to a "[proto:]host[:port]" proxy ("" for the request's own
// destination), with t_relay_to's flags (1 no automatic 100, 2 no
// internal error reply, 4 no DNS failover). The proxy is resolved here,
// before anything else happens, as Kamailio's mk_proxy resolves it: a
// name that does not resolve fails the call (-1) with no transaction
// made, and leaves E_BAD_ADDRESS as the request's last error (what
// sl_reply_error reports next).
func (m *Module) relayToProxyFlags(c *event.Context, proxy string, flags int64) int {
	var o relayOpts
	if proxy != "" {
		proto, host, port, err := sip.ParseAddr(proxy)
		if err != nil {
			m.log.Logf(klog.Crit, Name, "ki_t_relay_to_proxy_flags(): invalid proxy addr parameter <%s>", proxy)
			return sip.ErrUnspec
		}
		d := sip.Dest{Host: host, Port: port, Proto: proto}
		if t := sip.From(c); t != nil {
			to, err := t.ResolveStatic(host, port, proto)
			if err != nil {
				m.log.Log(klog.Crit, "core", sip.UnresolvedProxyLine(host))
				sip.NoteError(c, &sip.Error{Code: sip.ErrBadAddress})
				m.log.Logf(klog.Err, Name, "ki_t_relay_to_proxy_flags(): failed to build proxy structure for <%s>", proxy)
				return sip.ErrUnspec
			}
			d.Addr = to
		}
		o.dest = &d
	}
	m.setRelayFlags(c, flags)
	return m.relay(c, o)
}

// setRelayFlags applies t_relay_to's flags: 1 no automatic 100, 2 no
// internal error reply, 4 no DNS failover.
func (m *Module) setRelayFlags(c *event.Context, flags int64) {
	if flags&1 != 0 {
		m.setFlag(c, flagAutoInv100, false)
	}
	if flags&2 != 0 {
		m.setFlag(c, flagDisableInternalReply, true)
	}
	if flags&4 != 0 {
		m.setFlag(c, flagDisableFailover, true)
	}
}
