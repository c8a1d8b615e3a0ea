package kemi

import (
	"net/netip"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// sipFuncs are the core's KSR functions over the SIP transport: is_myself
// and its forms, forwarding, the send flags, the advertised address, the
// TCP alias and the next hop's transport and address family. Sending and
// the send flags go through runtime/sip, which the native core actions
// use too.
func sipFuncs() []module.KEMIFunc {
	b, i := module.KEMIBool, module.KEMIInt
	out := []module.KEMIFunc{
		{Name: "is_myself", Params: str1, Ret: b, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			if a[0].K != value.Str {
				return falsy
			}
			return boolRC(isMyself(c, a[0].S))
		}},
		{Name: "is_myself_ruri", Params: none, Ret: b, Call: myselfOf(func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
			return m.RequestURI(), m.IsRequest()
		})},
		{Name: "is_myself_duri", Params: none, Ret: b, Call: myselfOf(func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
			return m.DstURI, m.DstURI != ""
		})},
		{Name: "is_myself_nhuri", Params: none, Ret: b, Call: myselfOf(func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
			if m.DstURI != "" {
				return m.DstURI, true
			}
			return m.RequestURI(), m.IsRequest()
		})},
		{Name: "is_myself_furi", Params: none, Ret: b, Call: myselfOf(nameAddrURI("From"))},
		{Name: "is_myself_turi", Params: none, Ret: b, Call: myselfOf(nameAddrURI("To"))},
		{Name: "is_myself_suri", Params: none, Ret: b, Call: myselfOf(func(_ *event.Context, m *sipmsg.Msg) (string, bool) {
			return m.SrcURI(false), true
		})},
		{Name: "is_myself_srcip", Params: none, Ret: b, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			t := sip.From(c)
			return boolRC(t != nil && t.Myself(sipmsg.FromContext(c).Src.IP, 0, sipmsg.ProtoNone))
		}},
		{Name: "forward", Params: none, Ret: i, Call: forwardURI},
		{Name: "forward_uri", Params: str1, Ret: i, Call: forwardURI},
		{Name: "set_advertised_address", Params: str1, Ret: i, Call: advertise("addr", 128, func(s *sipmsg.SendState, v string) { s.EditVia(func(f *sipmsg.ViaFields) { f.AdvAddress = v }) })},
		{Name: "set_advertised_port", Params: str1, Ret: i, Call: advertise("port", 8, func(s *sipmsg.SendState, v string) { s.EditVia(func(f *sipmsg.ViaFields) { f.AdvPort = v }) })},
		{Name: "add_tcp_alias", Params: int1, Ret: i, Call: func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return tcpAlias(c, int(a[0].I))
		}},
		{Name: "add_tcp_alias_via", Params: none, Ret: i, Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
			return tcpAlias(c, 0)
		}},
	}
	for _, name := range []string{"force_rport", "add_local_rport", "set_forward_close", "set_forward_no_connect",
		"set_reply_close", "set_reply_no_connect"} {
		set, _ := sip.SendFlag(name)
		out = append(out, module.KEMIFunc{Name: name, Params: none, Ret: b,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				set(&sipmsg.FromContext(c).Send)
				return truth
			}})
	}
	for _, p := range []struct {
		name   string
		protos []int
	}{
		{"to_UDP", []int{sipmsg.ProtoUDP}}, {"to_TCP", []int{sipmsg.ProtoTCP}}, {"to_TLS", []int{sipmsg.ProtoTLS}},
		{"to_SCTP", []int{sipmsg.ProtoSCTP}}, {"to_WS", []int{sipmsg.ProtoWS}}, {"to_WSS", []int{sipmsg.ProtoWSS}},
		{"to_WSX", []int{sipmsg.ProtoWS, sipmsg.ProtoWSS}},
	} {
		out = append(out, module.KEMIFunc{Name: p.name, Params: none, Ret: b,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				_, proto, ok := nextHop(c, "sr_kemi_core_to_proto_helper")
				for _, want := range p.protos {
					if ok && proto == want {
						return truth
					}
				}
				return falsy
			}})
	}
	for _, f := range []struct {
		name string
		af   int
	}{{"to_IPv4", 4}, {"to_IPv6", 6}} {
		out = append(out, module.KEMIFunc{Name: f.name, Params: none, Ret: b,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				return boolRC(nextFamily(c) == f.af)
			}})
	}
	return out
}

// isMyself reports whether text names this server, as Kamailio's KEMI
// is_myself decides it: a text starting with "sip:" or "sips:" (in that
// case) is a URI, matched by its host and by its port and transport
// where written; any other text is matched as a host. Without a SIP
// transport kamgo has no address at all.
func isMyself(c *event.Context, text string) bool {
	t := sip.From(c)
	if len(text) > 4 && (strings.HasPrefix(text, "sip:") || strings.HasPrefix(text, "sips:")) {
		u, err := sipmsg.ParseURI(text)
		if err != nil {
			logf(c, klog.Err, "sr_kemi_core_is_myself(): failed to parse uri [%s]", text)
			return false
		}
		port := 0
		if u.Port != "" {
			port = u.PortNumber()
		}
		return t != nil && t.Myself(u.Host, port, u.Proto())
	}
	return t != nil && t.Myself(text, 0, sipmsg.ProtoNone)
}

// myselfOf is an is_myself_* function: is_myself on the URI uri picks
// from the message, false when it picks none.
func myselfOf(uri func(c *event.Context, m *sipmsg.Msg) (string, bool)) kemiCall {
	return func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
		u, ok := uri(c, sipmsg.FromContext(c))
		return boolRC(ok && isMyself(c, u))
	}
}

// nameAddrURI picks the URI of the From or To header.
func nameAddrURI(header string) func(c *event.Context, m *sipmsg.Msg) (string, bool) {
	return func(c *event.Context, m *sipmsg.Msg) (string, bool) {
		v, ok := m.Header(header)
		if !ok {
			logf(c, klog.Dbg, "sr_kemi_core_is_myself_%suri(): no %s header", strings.ToLower(header[:1]), header)
			return "", false
		}
		na, err := sipmsg.ParseNameAddr(v)
		if err != nil {
			logf(c, klog.Err, "sr_kemi_core_is_myself_%suri(): cannot parse %s header", strings.ToLower(header[:1]), header)
			return "", false
		}
		return na.URI, true
	}
}

// forwardURI is KSR.forward() and KSR.forward_uri(uri): the request goes
// statelessly to uri, or, when it is empty, to $du, else the
// Request-URI, by the URI's host, port and transport. It returns 1, or -1
// whatever failed.
func forwardURI(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	m := sipmsg.FromContext(c)
	uri := ""
	if len(a) > 0 {
		uri = a[0].S
	}
	if uri == "" {
		uri = sip.NextHop(m)
	}
	d, err := sip.DestOf(uri)
	if err != nil {
		logf(c, klog.Err, "sr_kemi_core_forward_uri(): forward - bad_uri dropping packet")
		return module.KEMIRC(-1)
	}
	t := sip.From(c)
	if t == nil {
		logf(c, klog.Err, "sr_kemi_core_forward_uri(): forward: no SIP socket is open (the configuration has no listen=)")
		return module.KEMIRC(-1)
	}
	if t.Relay(c, m, d) < 0 {
		return module.KEMIRC(-1)
	}
	return truth
}

// advertise is set_advertised_address and set_advertised_port: the
// address or port written in the Via kamgo adds. Kamailio keeps the text
// in a buffer of size bytes, so a longer one is refused.
func advertise(what string, size int, set func(s *sipmsg.SendState, v string)) kemiCall {
	fn := "sr_kemi_core_set_advertised_" + map[string]string{"addr": "address", "port": "port"}[what] + "(): "
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		if a[0].K != value.Str {
			logf(c, klog.Err, fn+"invalid %s parameter", what)
			return falsy
		}
		if len(a[0].S) >= size {
			logf(c, klog.Err, fn+"%s parameter is too large", what)
			return falsy
		}
		set(&sipmsg.FromContext(c).Send, a[0].S)
		return truth
	}
}

// tcpAlias is KSR.add_tcp_alias(port) and KSR.add_tcp_alias_via() (port
// 0: the top Via's).
func tcpAlias(c *event.Context, port int) module.KEMIValue {
	m := sipmsg.FromContext(c)
	if !sip.AliasConn(c, m, port) {
		fn := "sr_kemi_core_add_tcp_alias"
		if port == 0 {
			fn += "_via"
		}
		logf(c, klog.Err, "%s(): adding tcp alias failed", fn)
		return falsy
	}
	return truth
}

// nextHop returns where the message goes next, as the to_* functions
// see it: for a request the host and transport of $du, else of the
// Request-URI; for a reply those of its second Via (its received
// parameter for the host, when present). ok is false when there is none
// or it does not parse; fn names the C helper in the log line.
func nextHop(c *event.Context, fn string) (host string, proto int, ok bool) {
	m := sipmsg.FromContext(c)
	if !m.IsRequest() {
		v, ok := secondVia(m)
		if !ok {
			return "", sipmsg.ProtoNone, false
		}
		host = v.Host
		if r, ok := v.Param("received"); ok {
			host = r
		}
		return host, v.Proto(), true
	}
	uri := sip.NextHop(m)
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		logf(c, klog.Err, "%s(): failed to parse nh uri [%s]", fn, uri)
		return "", sipmsg.ProtoNone, false
	}
	return u.Host, u.Proto(), true
}

// secondVia is the message's second via-parm, when it has one and it
// parses.
func secondVia(m *sipmsg.Msg) (*sipmsg.Via, bool) {
	n := 0
	for _, body := range m.Bodies("via") {
		for _, p := range sipmsg.SplitList(body) {
			if n++; n == 2 {
				v, err := sipmsg.ParseVia(p)
				return v, err == nil
			}
		}
	}
	return nil, false
}

// nextFamily is 4 or 6 when the next hop's host is an IPv4 or IPv6
// address, 0 for a name (or none).
func nextFamily(c *event.Context) int {
	host, _, ok := nextHop(c, "sr_kemi_core_to_af_helper")
	if !ok || host == "" {
		return 0
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil || ip.Zone() != "":
		return 0
	case ip.Is4():
		return 4
	}
	return 6
}
