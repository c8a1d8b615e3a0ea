package nathelper

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/modules/nathelper/sdp"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The tests of nat_uac_test, one bit each.
const (
	testContact1918 = 0x01  // Contact host is a private address
	testReceived    = 0x02  // top Via host is not the source address
	testVia1918     = 0x04  // top Via host is a private address
	testSDP1918     = 0x08  // an SDP connection address is private
	testRport       = 0x10  // source port is not the top Via's
	testSrc1918     = 0x20  // the source address is private
	testWS          = 0x40  // arrived over WebSocket
	testContactPort = 0x80  // source port is not the Contact's
	testSDPCline    = 0x100 // an SDP session address is not the source address
	testDest        = 0x200 // the destination differs from the R-URI (or 2nd Via), or is WebSocket
)

// privateNets are the networks nat_uac_test and is_rfc1918 call private:
// RFC 1918's, RFC 6598's carrier-grade NAT and RFC 7335's prefix; extra
// are added with nat_addr_mode 1.
var (
	privateNets = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/29"),
	}
	extraNets = []netip.Prefix{netip.MustParsePrefix("192.0.0.0/24")}
)

// is1918 reports whether a dotted IPv4 text (as inet_aton reads it) is in
// a private network: 1 yes, 0 no, -1 when it is not an IPv4 address.
func (m *Module) is1918(s string) int {
	a, ok := inetAton(s)
	if !ok {
		return -1
	}
	if m.private(a) {
		return 1
	}
	return 0
}

func (m *Module) private(a netip.Addr) bool {
	for _, n := range privateNets {
		if n.Contains(a) {
			return true
		}
	}
	if m.ints["nat_addr_mode"] == 1 {
		for _, n := range extraNets {
			if n.Contains(a) {
				return true
			}
		}
	}
	return false
}

// inetAton reads an IPv4 address as C's inet_aton: one to four parts,
// each decimal, octal (leading 0) or hexadecimal (0x), the last filling
// the remaining bytes.
func inetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 || s == "" {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
			base, p = 16, p[2:]
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		v, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 255 {
			return netip.Addr{}, false
		}
		n |= vals[i] << (24 - 8*uint(i))
	}
	if vals[last] >= 1<<(8*uint(4-last)) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// parseIP reads an IPv4 or IPv6 address (the latter with or without
// brackets), as Kamailio's str2ip and str2ip6.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// natUACTest is nat_uac_test(flags): 1 when any test of flags holds,
// tried in Kamailio's order, else -1.
func (m *Module) natUACTest(c *event.Context, msg *sipmsg.Msg, tests int64) int {
	via, _, viaOK := msg.TopVia()
	if tests&testRport != 0 && viaOK {
		port := via.PortNumber()
		if port == 0 {
			port = 5060
		}
		if msg.Src.Port != port {
			return 1
		}
	}
	if tests&testReceived != 0 && viaOK && !sameHost(msg.Src.IP, via.Host) {
		return 1
	}
	if tests&testContact1918 != 0 {
		if _, p, ok := m.contactURI(c, msg); ok && m.is1918(p.Host) == 1 {
			return 1
		}
	}
	if tests&testSDP1918 != 0 && m.sdp1918(c, msg) > 0 {
		return 1
	}
	if tests&testVia1918 != 0 && viaOK && m.is1918(via.Host) == 1 {
		return 1
	}
	if tests&testSrc1918 != 0 {
		if a, err := netip.ParseAddr(msg.Src.IP); err == nil && a.Unmap().Is4() && m.private(a.Unmap()) {
			return 1
		}
	}
	if tests&testWS != 0 {
		if p := sipmsg.ProtoNumber(msg.Proto); p == sipmsg.ProtoWS || p == sipmsg.ProtoWSS {
			return 1
		}
	}
	if tests&testContactPort != 0 {
		if _, p, ok := m.contactURI(c, msg); ok {
			port := p.PortNumber()
			if port == 0 {
				port = 5060
			}
			if msg.Src.Port != port {
				return 1
			}
		}
	}
	if tests&testSDPCline != 0 && sdpCline(c, msg) > 0 {
		return 1
	}
	if tests&testDest != 0 && testDestination(c, msg) > 0 {
		return 1
	}
	return -1
}

// sameHost compares the source address with a Via host as Kamailio's
// check_via_address does without DNS: the same text, or for IPv6 the
// same address in any case, with or without brackets.
func sameHost(src, host string) bool {
	if sipmsg.IsIPv6(src) {
		h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		return strings.EqualFold(h, src)
	}
	return host == src
}

// sdp1918 reports whether a stream's connection address is private (1),
// stopping at the first stream that is not IPv4 or is the null address;
// -1 when the SDP does not parse.
func (m *Module) sdp1918(c *event.Context, msg *sipmsg.Msg) int {
	s, err := sdp.FromMsg(msg)
	if err != nil {
		logf(c, klog.Err, "sdp_1918(): Unable to parse sdp body")
		return -1
	}
	sess := s.Session
	for _, st := range sess.Streams {
		ip, pf := st.IP.Text, st.PF
		if !st.IP.Present() {
			ip, pf = sess.IP.Text, sess.PF
		}
		if pf != sdp.IPv4 || sdp.IsNullAddr(ip, pf) {
			break
		}
		if m.is1918(ip) == 1 {
			return 1
		}
	}
	return 0
}

// sdpCline counts the SDP sessions whose connection address is not the
// source address (Kamailio's test_sdp_cline); -1 on a parse error.
func sdpCline(c *event.Context, msg *sipmsg.Msg) int {
	s, err := sdp.FromMsg(msg)
	if err != nil {
		logf(c, klog.Err, "test_sdp_cline(): Unable to parse sdp body")
		return -1
	}
	if !s.Session.IP.Present() {
		return 0
	}
	ip, ok := parseIP(s.Session.IP.Text)
	if !ok || (s.Session.PF == sdp.IPv4) != ip.Is4() {
		logf(c, klog.Err, "test_sdp_cline(): Couldn't get sdp c line IP address")
		return -1
	}
	src, _ := parseIP(msg.Src.IP)
	if src == ip {
		return 0
	}
	return 1
}

// testDestination is Kamailio's nh_test_destination: for a reply,
// whether the second Via's rport or received differs from its sent-by
// (or it is WebSocket); for a request, whether $du differs from the
// R-URI in port or host (or is WebSocket).
func testDestination(c *event.Context, msg *sipmsg.Msg) int {
	var dhost, rhost string
	if !msg.IsRequest() {
		vias := msg.Vias()
		if len(vias) < 2 {
			return 0
		}
		v2 := vias[1]
		if p := v2.Proto(); p == sipmsg.ProtoWS || p == sipmsg.ProtoWSS {
			return 1
		}
		dport := 0
		if rp, ok := v2.Param("rport"); ok && rp != "" {
			n, err := strconv.Atoi(rp)
			if err != nil {
				logf(c, klog.Err, "nh_test_destination(): invalid rport value")
				return -1
			}
			dport = n
		}
		if dport != 0 && dport != sipPort(v2.PortNumber(), v2.Proto()) {
			return 1
		}
		rcv, ok := v2.Param("received")
		if !ok {
			return 0
		}
		dhost, rhost = rcv, v2.Host
	} else {
		ruri, err := sipmsg.ParseURI(msg.RequestURI())
		if msg.DstURI == "" {
			if err != nil {
				logf(c, klog.Err, "nh_test_destination(): failed to parse the R-URI")
				return -1
			}
			if p := ruri.Proto(); p == sipmsg.ProtoWS || p == sipmsg.ProtoWSS {
				return 1
			}
			return 0
		}
		du, derr := sipmsg.ParseURI(msg.DstURI)
		if derr != nil {
			logf(c, klog.Err, "nh_test_destination(): failed to parse dst uri [%s]", msg.DstURI)
			return -1
		}
		if p := du.Proto(); p == sipmsg.ProtoWS || p == sipmsg.ProtoWSS {
			return 1
		}
		if err != nil {
			logf(c, klog.Err, "nh_test_destination(): failed to parse the R-URI")
			return -1
		}
		if sipPort(du.PortNumber(), uriProto(du)) != sipPort(ruri.PortNumber(), uriProto(ruri)) {
			return 1
		}
		dhost, rhost = du.Host, ruri.Host
	}
	if dhost == "" {
		return 0
	}
	dip, dok := parseIP(dhost)
	rip, rok := parseIP(rhost)
	switch {
	case !dok && !rok:
		if rhost == "" || rhost == dhost {
			return 0
		}
		return 1
	case !dok || !rok:
		return 1
	case dip == rip:
		return 0
	}
	return 1
}

// sipPort is a port, or the default one of the transport when 0.
func sipPort(port, proto int) int {
	if port != 0 {
		return port
	}
	if proto == sipmsg.ProtoTLS || proto == sipmsg.ProtoWSS {
		return 5061
	}
	return 5060
}

// isRFC1918 is is_rfc1918(address): 1 for a private IPv4 address, -1
// otherwise, -2 for an empty one.
func (m *Module) isRFC1918(c *event.Context, addr string) int {
	if addr == "" {
		logf(c, klog.Err, "is_rfc1918_f(): invalid address parameter")
		return -2
	}
	if m.is1918(addr) == 1 {
		return 1
	}
	return -1
}
