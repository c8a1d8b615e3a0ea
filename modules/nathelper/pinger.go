package nathelper

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// udpPing is the keepalive sent to contacts without sipping_bflag: four
// zero bytes, which a SIP stack ignores and a NAT counts as traffic.
const udpPing = "\x00\x00\x00\x00"

// pingState is what the SIP pings are numbered with: a From tag counter,
// the fixed part of the Call-ID and its counter, all starting random as
// Kamailio's init_sip_ping makes them.
type pingState struct {
	mu      sync.Mutex
	fromTag uint32
	callID  string
	callCnt uint32
	start   time.Time // the ticks of the Call-ID count from here
}

func (s *pingState) init() {
	s.fromTag = rand.Uint32() & 0x7fffffff
	s.callID = reverseHex(rand.Uint32() & 0x7fffffff)
	s.callCnt = rand.Uint32() & 0x7fffffff
}

// reverseHex writes n in hexadecimal, lowest digit first, as Kamailio's
// int2reverse_hex.
func reverseHex(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

// pinger is one of natping_processes: every second it pings the contacts
// of its next share of usrloc's slots.
type pinger struct {
	m         *Module
	idx       uint32
	iteration uint32
	stop      func()
}

// tick is one run of Kamailio's nh_timer.
func (p *pinger) tick() {
	m := p.m
	interval := uint32(m.ints["natping_interval"])
	defer func() {
		p.iteration++
		if p.iteration == interval {
			p.iteration = 0
		}
	}()
	if !m.enabled.Load() {
		return
	}
	var flags uint32
	if m.ints["ping_nated_only"] != 0 {
		flags = m.ul.NatFlag()
	}
	procs := uint32(m.ints["natping_processes"])
	cs := m.ul.PingContacts(flags, p.idx*interval+p.iteration, procs*interval, m.ints["filter_server_id"] != 0)
	t := sip.TransportOf(m.host)
	if t == nil {
		return
	}
	for _, c := range cs {
		m.pingOne(t, c)
	}
}

// pingOne sends one contact its keepalive.
func (m *Module) pingOne(t *sip.Transport, c usrloc.PingContact) {
	if c.CFlags&m.offFlag != 0 {
		return
	}
	dst := c.URI
	if c.Received != "" {
		dst = c.Received
	}
	var curi *sipmsg.URI
	var err error
	var pathIP [4]byte
	var pathPort uint16
	switch {
	case c.Path != "" && c.CFlags&m.sipFlag != 0 && m.ints["ignore_path"] == 0:
		first := firstPathURI(c.Path)
		if first == "" {
			m.log.Log(klog.Err, Name, "nh_timer(): failed to get dst_uri for Path")
			return
		}
		if curi, err = sipmsg.ParseURI(first); err != nil {
			m.log.Log(klog.Err, Name, "nh_timer(): can't parse contact dst_uri")
			return
		}
	case c.Path != "" && m.ints["udpping_from_path"] != 0 && m.ints["ignore_path"] == 0:
		hp, ok := lastPathIP(c.Path, int(m.ints["udpping_from_path"]))
		if !ok {
			m.log.Log(klog.Err, Name, "nh_timer(): unable to parse path from location")
			return
		}
		if pathIP, pathPort, err = rawAddr(hp); err != nil {
			m.log.Log(klog.Err, Name, "nh_timer(): could not parse path host for udpping_from_path")
			return
		}
		fallthrough
	default:
		if curi, err = sipmsg.ParseURI(dst); err != nil {
			m.log.Log(klog.Err, Name, "nh_timer(): can't parse contact/received uri")
			return
		}
	}
	if p := uriProto(curi); p != sipmsg.ProtoUDP && p != sipmsg.ProtoNone {
		return
	}
	port := curi.PortNumber()
	if port == 0 {
		port = 5060
	}
	sock := c.Socket
	if fs := m.forceSoc.lookup(m, t); fs != nil {
		sock = fs
	}
	if sock == nil || sock.Proto != sipmsg.ProtoUDP {
		sock = udpSocketFor(t, curi.Host)
	}
	if sock == nil {
		m.log.Log(klog.Err, Name, "nh_timer(): can't get sending socket")
		return
	}
	dest := sip.Dest{Host: curi.Host, Port: port, Proto: sipmsg.ProtoUDP}
	sipPing := c.CFlags&m.sipFlag != 0 || (m.ints["ping_nated_only"] == 0 && m.sipFlag != 0)
	if sipPing {
		text := m.buildSIPPing(c, sock)
		msg, err := sipmsg.Parse(text)
		if err == nil {
			m.send(t, msg, sock, dest, text, "nh_timer(): sip udp_send failed")
			return
		}
	}
	switch {
	case m.raw != nil && m.ints["udpping_from_path"] == 0:
		m.sendRaw(t, dest, m.rawIP, m.rawPort, "nh_timer(): send_raw failed")
	case m.ints["udpping_from_path"] != 0 && m.raw != nil:
		m.sendRaw(t, dest, pathIP, pathPort, "nh_timer(): send_raw from path failed")
	default:
		m.send(t, sipmsg.Faked(), sock, dest, udpPing, "nh_timer(): udp_send failed")
	}
}

// send sends text to dest from sock over UDP.
func (m *Module) send(t *sip.Transport, msg *sipmsg.Msg, sock *sipmsg.Socket, dest sip.Dest, text, fail string) {
	msg.ForceSocket = sock
	hop, _, err := t.PrepareRequest(msg, dest, "z9hG4bKnatping")
	if err == nil {
		err = t.Send(hop, text)
	}
	if err != nil {
		m.log.Logf(klog.Err, Name, "%s: %v", fail, err)
	}
}

// sendRaw sends the UDP ping from a spoofed source (natping_socket, or
// the last Path hop with udpping_from_path) through the raw socket.
func (m *Module) sendRaw(t *sip.Transport, dest sip.Dest, srcIP [4]byte, srcPort uint16, fail string) {
	ip, ok := parseIP(dest.Host)
	if !ok || !ip.Is4() {
		m.log.Log(klog.Err, Name, fail)
		return
	}
	if err := m.raw.send([]byte(udpPing), netip.AddrPortFrom(ip, uint16(dest.Port)), srcIP, srcPort); err != nil {
		m.log.Log(klog.Err, Name, fail)
	}
}

// udpSocketFor is the first UDP socket of the address family of host
// (Kamailio's get_send_socket without a forced one).
func udpSocketFor(t *sip.Transport, host string) *sipmsg.Socket {
	v6 := strings.HasPrefix(host, "[") || strings.Contains(host, ":")
	for _, s := range t.Sockets() {
		if s.Proto == sipmsg.ProtoUDP && sipmsg.IsIPv6(s.IP) == v6 {
			return s
		}
	}
	return nil
}

// firstPathURI is the URI of the first hop of a Path (Kamailio's
// get_path_dst_uri).
func firstPathURI(path string) string {
	hops := sipmsg.SplitList(path)
	if len(hops) == 0 {
		return ""
	}
	na, err := sipmsg.ParseNameAddr(hops[0])
	if err != nil {
		return ""
	}
	return na.URI
}

// lastPathIP finds the host:port of a Path's hop for udpping_from_path
// (Kamailio's extract_last_path_ip): the last "<sip:" URI, or the one at
// depth udpping_from_path-1 when that is above 1.
func lastPathIP(path string, fromPath int) (string, bool) {
	maxDepth := fromPath - 1
	start, end, depth := -1, -1, 0
	for i := 0; i < len(path); i++ {
		if strings.HasPrefix(path[i:], "<sip:") && i < len(path)-4 {
			start, end = i+5, -1
		}
		if (path[i] == ';' || path[i] == '>') && end < 0 {
			end = i
			if maxDepth != 0 {
				depth++
				if depth >= maxDepth {
					break
				}
			}
		}
	}
	if start < 0 || end < 0 || end < start || end-start > 23 {
		return "", false
	}
	return path[start:end], true
}

// buildSIPPing is the SIP ping to c sent from sock, as Kamailio's
// build_sipping writes it.
func (m *Module) buildSIPPing(c usrloc.PingContact, sock *sipmsg.Socket) string {
	vaddr, vport := sock.IP, sock.Port
	if sock.AdvIP != "" {
		vaddr = sock.AdvIP
	}
	if sock.AdvPort != 0 {
		vport = sock.AdvPort
	}
	if sipmsg.IsIPv6(sock.IP) {
		vaddr = "[" + vaddr + "]"
	}
	method := m.strs["sipping_method"]
	m.ping.mu.Lock()
	tag := reverseHex(m.ping.fromTag)
	m.ping.fromTag++
	cnt := reverseHex(m.ping.callCnt)
	m.ping.callCnt++
	callid := m.ping.callID
	ticks := uint32(m.clock.Now().Sub(m.ping.start) / time.Second)
	m.ping.mu.Unlock()
	var b strings.Builder
	b.WriteString(method + " " + c.URI + " SIP/2.0\r\n")
	b.WriteString("Via: SIP/2.0/UDP " + vaddr + ":" + strconv.Itoa(vport) + ";branch=z9hG4bK" + strconv.Itoa(1000000+rand.IntN(9000000)))
	if c.Path != "" {
		b.WriteString("\r\nRoute: " + c.Path)
	}
	b.WriteString("\r\nFrom: " + m.strs["sipping_from"] + ";tag=" + c.Ruid + "-" + reverseHex(c.AORHash) + "-" + tag)
	b.WriteString("\r\nTo: " + c.URI)
	b.WriteString("\r\nCall-ID: " + callid + "-" + cnt + "-" + reverseHex(ticks) + "@" + sock.IP)
	b.WriteString("\r\nCSeq: 1 " + method)
	b.WriteString("\r\nContent-Length: 0\r\n\r\n")
	return b.String()
}

// Request implements sip.Layer: nathelper takes no request.
func (m *Module) Request(*event.Context, *sipmsg.Msg) bool { return false }

// Reply implements sip.Layer: with SIP pings, the replies to them are
// absorbed (Kamailio's sipping_rpl_filter); otherwise, with
// keepalive_timeout, a reply to a ping refreshes its contact.
func (m *Module) Reply(c *event.Context, rpl *sipmsg.Msg) bool {
	if m.ul != nil && m.sipFlag != 0 {
		return m.pingReply(rpl)
	}
	if m.ints["keepalive_timeout"] > 0 && m.ul != nil {
		m.keepaliveReply(c, rpl)
	}
	return false
}

// pingReply reports whether rpl answers a SIP ping: one Via, the ping's
// method in CSeq, and the pings' Call-ID prefix.
func (m *Module) pingReply(rpl *sipmsg.Msg) bool {
	if len(rpl.Bodies("via")) != 1 {
		return false
	}
	_, method, ok := rpl.CSeq()
	if !ok || method != m.strs["sipping_method"] {
		return false
	}
	callid, ok := rpl.Header("call-id")
	m.ping.mu.Lock()
	prefix := m.ping.callID
	m.ping.mu.Unlock()
	if !ok || len(callid) <= len(prefix)+1 || !strings.HasPrefix(callid, prefix) || callid[len(prefix)] != '-' {
		return false
	}
	return true
}

// keepaliveReply refreshes the contact a ping reply names in its From
// tag, ruid-aorhash-counter (Kamailio's nh_sip_reply_received).
func (m *Module) keepaliveReply(c *event.Context, rpl *sipmsg.Msg) {
	if _, method, ok := rpl.CSeq(); !ok || method != m.strs["sipping_method"] {
		return
	}
	if len(rpl.Bodies("via")) > 1 {
		return
	}
	from, ok := rpl.Header("from")
	if !ok {
		return
	}
	na, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		logf(c, klog.Err, "nh_sip_reply_received(): cannot parse From header")
		return
	}
	if na.URI != m.strs["sipping_from"] {
		return
	}
	tag, _ := na.Param("tag")
	last := strings.LastIndexByte(tag, '-')
	if last < 0 {
		return
	}
	prev := strings.LastIndexByte(tag[:last], '-')
	if prev < 0 {
		return
	}
	hash, ok := parseReverseHex(tag[prev+1 : last])
	if !ok || prev == 0 {
		return
	}
	m.ul.RefreshKeepalive(hash, tag[:prev])
}

// parseReverseHex reads hexadecimal digits written lowest first.
func parseReverseHex(s string) (uint32, bool) {
	if s == "" || len(s) > 8 {
		return 0, false
	}
	var n uint32
	for i := len(s) - 1; i >= 0; i-- {
		d, err := strconv.ParseUint(s[i:i+1], 16, 8)
		if err != nil {
			return 0, false
		}
		n = n<<4 | uint32(d)
	}
	return n, true
}

// forceSocket is the force_socket parameter: the socket pings leave
// from, looked up once the transport is known.
type forceSocket struct {
	proto      int
	host       string
	port       int
	set        bool
	once       sync.Once
	sock       *sipmsg.Socket
	configured string
}

func parseForceSocket(s string) *forceSocket {
	fs := &forceSocket{set: true, configured: s, proto: sipmsg.ProtoNone}
	rest := s
	if p, r, ok := strings.Cut(s, ":"); ok {
		if n := sipmsg.ProtoNumber(p); n != sipmsg.ProtoNone {
			fs.proto, rest = n, r
		}
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		if end := strings.IndexByte(rest, ']'); end >= 0 {
			host, port = rest[1:end], strings.TrimPrefix(rest[end+1:], ":")
		}
	} else if h, p, ok := strings.Cut(rest, ":"); ok {
		host, port = h, p
	}
	fs.host = host
	fs.port, _ = strconv.Atoi(port)
	return fs
}

// lookup finds the forced socket among the transport's, once; a socket
// that is not local is logged and not used, as in Kamailio.
func (fs *forceSocket) lookup(m *Module, t *sip.Transport) *sipmsg.Socket {
	if fs == nil || !fs.set {
		return nil
	}
	fs.once.Do(func() {
		fs.sock = t.Socket(fs.proto, fs.host, fs.port)
		if fs.sock == nil {
			m.log.Logf(klog.Err, Name, "mod_init(): non-local force_socket <%s>", fs.configured)
		}
	})
	return fs.sock
}
