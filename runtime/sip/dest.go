package sip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Dest is where a request is forwarded: a host with an optional port and
// transport, as a URI or forward()'s arguments give them.
type Dest struct {
	// Host is an IP address (IPv6 with or without brackets) or a name.
	Host string
	// Port is 0 when not given: DNS SRV decides for a name, else the
	// default port of the transport.
	Port int
	// Proto is sipmsg.ProtoNone when not given: UDP, or TLS for Secure.
	Proto int
	// Secure is a sips: URI.
	Secure bool
	// Addr, when valid, is the address Host was resolved to before the
	// configuration served (ResolveStatic): it is used as it is.
	Addr netip.AddrPort
}

// DestOf returns the destination of a SIP URI: its host, port and
// transport parameter (maddr is not used, as in Kamailio's default
// build).
func DestOf(uri string) (Dest, error) {
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		return Dest{}, err
	}
	if u.IsTel() {
		return Dest{}, fmt.Errorf("%s has no host", uri)
	}
	d := Dest{Host: u.Host, Proto: u.Proto(), Secure: strings.EqualFold(u.Scheme, "sips")}
	if u.Port != "" {
		d.Port = u.PortNumber()
	}
	return d, nil
}

// resolveTimeout bounds one destination lookup.
const resolveTimeout = 5 * time.Second

// resolve turns d into an address and a transport, as Kamailio's
// sip_hostport2su does without NAPTR: an IP address is used as it is; a
// name without a port is looked up as a SIP SRV record of its transport
// (UDP when none is given), then as an address record; IPv4 first. With
// DNSTryIPv6 off an IPv6 address does not resolve, and a name resolves
// to IPv4 addresses only.
func (t *Transport) resolve(d Dest) (netip.AddrPort, int, error) {
	if d.Addr.IsValid() {
		return d.Addr, d.proto(), nil
	}
	to, proto, err := t.resolveAny(d)
	if err == nil && to.Addr().Is6() && !t.tryIPv6.Load() {
		return netip.AddrPort{}, proto, fmt.Errorf("cannot resolve %s: dns_try_ipv6 is off (no IPv6 socket)", d.Host)
	}
	return to, proto, err
}

// ResolveStatic resolves a destination written in the configuration, as
// Kamailio does once when it fixes its actions at startup (mk_proxy): a
// name without a port is looked up as an SRV record of proto (UDP for
// none: forward() gives none whatever transport it uses). The result
// goes into Dest.Addr.
func (t *Transport) ResolveStatic(host string, port, proto int) (netip.AddrPort, error) {
	to, _, err := t.resolve(Dest{Host: host, Port: port, Proto: proto})
	return to, err
}

// proto is d's transport: UDP, or TLS for a sips: URI, when none is given.
func (d Dest) proto() int {
	switch {
	case d.Proto != sipmsg.ProtoNone:
		return d.Proto
	case d.Secure:
		return sipmsg.ProtoTLS
	}
	return sipmsg.ProtoUDP
}

func (t *Transport) resolveAny(d Dest) (netip.AddrPort, int, error) {
	proto := d.proto()
	port := d.Port
	host := trimBrackets(d.Host)
	defPort := SIPPort
	if proto == sipmsg.ProtoTLS || d.Secure {
		defPort = 5061
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if port == 0 {
			port = defPort
		}
		return netip.AddrPortFrom(ip.Unmap(), uint16(port)), proto, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	if port == 0 {
		service, network := "sip", sipmsg.ProtoName(proto, false)
		if proto == sipmsg.ProtoTLS {
			service, network = "sips", "tcp"
		}
		if target, p, ok := t.staticSRV("_" + service + "._" + network + "." + host); ok {
			host, port = target, p
		} else if srvs, ok := t.lookupSRV(ctx, service, network, host); ok {
			host, port = strings.TrimSuffix(srvs[0].Target, "."), int(srvs[0].Port)
		} else {
			port = defPort
		}
	}
	if t.staticNegative(host) {
		return netip.AddrPort{}, proto, fmt.Errorf("cannot resolve %s: a dns_cache record says it does not exist", host)
	}
	if ip, ok := t.staticAddr(host); ok {
		return netip.AddrPortFrom(ip.Unmap(), uint16(port)), proto, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		// An SRV target may be an address.
		return netip.AddrPortFrom(ip.Unmap(), uint16(port)), proto, nil
	}
	start := time.Now()
	network := "ip"
	if !t.tryIPv6.Load() {
		network = "ip4"
	}
	ips, err := t.cfg.Resolver.LookupNetIP(ctx, network, host)
	t.netCounters().countLookup(start, err != nil || len(ips) == 0)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, proto, fmt.Errorf("cannot resolve %s: %v", host, err)
	}
	best := ips[0].Unmap()
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			best = ip.Unmap()
			break
		}
	}
	return netip.AddrPortFrom(best, uint16(port)), proto, nil
}

// lookupSRV looks up the SRV records of host, counted as a DNS lookup.
func (t *Transport) lookupSRV(ctx context.Context, service, network, host string) ([]*net.SRV, bool) {
	start := time.Now()
	_, srvs, err := t.cfg.Resolver.LookupSRV(ctx, service, network, host)
	ok := err == nil && len(srvs) > 0
	t.netCounters().countLookup(start, !ok)
	return srvs, ok
}
