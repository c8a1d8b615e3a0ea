package sip

import (
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Myself reports whether host:port over proto is this server, as
// Kamailio's check_self does (the `myself` of the configuration language):
// the address, host name (as the listen line writes it), name or advertised
// address of an open socket, or an alias.
// Port 0 and proto ProtoNone match any.
func (t *Transport) Myself(host string, port, proto int) bool {
	h := trimBrackets(host)
	ip, ipErr := netip.ParseAddr(h)
	for _, s := range t.socks {
		if proto != sipmsg.ProtoNone && s.info.Proto != proto {
			continue
		}
		if port != 0 && port != s.info.Port && port != s.info.AdvPort {
			continue
		}
		switch {
		case ipErr == nil && ip.Unmap() == s.addr,
			ipErr != nil && strings.EqualFold(s.host, h),
			s.info.AdvIP != "" && strings.EqualFold(trimBrackets(s.info.AdvIP), h),
			s.info.Name != "" && strings.EqualFold(s.info.Name, h):
			return true
		}
	}
	for _, a := range t.cfg.Aliases {
		if (a.Proto == sipmsg.ProtoNone || proto == sipmsg.ProtoNone || a.Proto == proto) &&
			(a.Port == 0 || port == 0 || a.Port == port) && strings.EqualFold(trimBrackets(a.Host), h) {
			return true
		}
	}
	for _, c := range t.selfCheckers {
		if c.IsMyself(host, port, proto) {
			return true
		}
	}
	return false
}

// AddTCPAlias makes the TCP connection m arrived on also the connection
// to its source address at port (the top Via's port when port is 0), as
// force_tcp_alias does: replies and requests to that port reuse it. It
// reports false for a message that did not come over TCP.
func (t *Transport) AddTCPAlias(m *sipmsg.Msg, port int) bool {
	if m.ConnID == 0 {
		return false
	}
	if port == 0 {
		v, _, ok := m.TopVia()
		if !ok {
			return false
		}
		if port = v.PortNumber(); port == 0 {
			port = SIPPort
		}
	}
	ip, err := netip.ParseAddr(m.Src.IP)
	if err != nil {
		return false
	}
	return t.conns.alias(m.ConnID, netip.AddrPortFrom(ip, uint16(port)))
}
