package sip

import (
	"context"
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// addAutoAliases adds, as Kamailio does with auto_aliases, the name each
// socket opened on an IP address resolves back to as an alias for the
// socket's protocol and port: UDP sockets first, then TCP, each in
// configuration order, as Kamailio walks its socket lists. Only the first
// name counts, the official name gethostbyaddr gives (Go lists every name
// of an address in /etc/hosts). A failed lookup is a warning, as in
// Kamailio.
func (t *Transport) addAutoAliases(ctx context.Context) {
	lookup := t.cfg.LookupAddr
	if lookup == nil {
		lookup = func(ctx context.Context, ip netip.Addr) ([]string, error) {
			return t.cfg.Resolver.LookupAddr(ctx, ip.String())
		}
	}
	for _, proto := range []int{sipmsg.ProtoUDP, sipmsg.ProtoTCP} {
		for _, s := range t.socks {
			if s.info.Proto != proto {
				continue
			}
			if ip, err := netip.ParseAddr(s.host); err != nil || ip.Unmap() != s.addr {
				continue // opened by name: Kamailio looks up no reverse name
			}
			// Bounded as the lookups of destinations are: an unreachable
			// resolver delays the start, it does not stop it.
			lctx, cancel := context.WithTimeout(ctx, resolveTimeout)
			names, err := lookup(lctx, s.addr)
			cancel()
			if err != nil || len(names) == 0 {
				t.log.Logf(klog.Warn, "core", "auto_aliases: no name for %s: %v", s.host, err)
				continue
			}
			t.addAlias(Alias{Proto: proto, Host: strings.TrimSuffix(names[0], "."), Port: s.info.Port})
		}
	}
}

// addAlias adds a unless an alias already covers it, as Kamailio's
// add_alias skips one that grep_aliases finds.
func (t *Transport) addAlias(a Alias) {
	for _, o := range t.cfg.Aliases {
		if strings.EqualFold(o.Host, a.Host) &&
			(o.Port == 0 || o.Port == a.Port) && (o.Proto == sipmsg.ProtoNone || o.Proto == a.Proto) {
			return
		}
	}
	t.cfg.Aliases = append(t.cfg.Aliases, a)
}
