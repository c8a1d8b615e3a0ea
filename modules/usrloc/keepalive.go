package usrloc

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Keepalives (ka_mode): after each expiry run, every contact that
// qualifies gets a request (ka_method, OPTIONS by default) from ka_from;
// its From tag carries the contact's ruid, the AOR hash and the time it
// was sent, so that the reply, which usrloc sees as a sip.Layer, finds the
// contact again and marks it alive. With ka_timeout a contact that has
// not answered for that long expires in 10 seconds.

// ka_mode bits.
const (
	kaAll = 1      // every contact
	kaNAT = 1 << 1 // contacts with nat_bflag only
	kaUDP = 1 << 2 // UDP contacts only
)

// kaCallIDPrefix starts the Call-ID of every keepalive.
const kaCallIDPrefix = "ksrulka-"

// keepalive is one request to send.
type keepalive struct {
	sock *sipmsg.Socket
	dest sip.Dest
	text string
}

// kaState is what keepalives need beyond the parameters.
type kaState struct {
	counter uint32     // keepalive rounds, per record
	logfmt  *pv.Format // ka_logmsg
}

// Request implements sip.Layer: usrloc takes no request.
func (m *Module) Request(*event.Context, *sipmsg.Msg) bool { return false }

// Reply implements sip.Layer: a reply to a keepalive updates its contact
// (and is logged with ka_loglevel); every reply goes on as usual.
func (m *Module) Reply(c *event.Context, rpl *sipmsg.Msg) bool {
	if m.ints["ka_mode"] != 0 {
		m.kaReply(c, rpl)
	}
	return false
}

// kaRecord collects the keepalives of r (Kamailio's ul_ka_urecord). It
// runs with r's slot locked.
func (m *Module) kaRecord(r *Record, now int64, out []keepalive) []keepalive {
	mode := m.ints["ka_mode"]
	m.ka.counter++
	round := m.ka.counter
	var sent uint32
	for _, c := range r.Contacts {
		if c.URI == "" {
			continue
		}
		if m.ints["ka_filter"]&1 != 0 && c.ServerID != 0 {
			continue
		}
		if mode&kaNAT != 0 && (m.natBflag == 0 || c.CFlags&m.natBflag != m.natBflag) {
			continue
		}
		if to := m.ints["ka_timeout"]; to > 0 && c.LastKeepalive > 0 && c.LastKeepalive+to < now {
			if c.Expires > now+10 {
				c.Expires = now + 10
				continue
			}
		}
		next := c.URI
		switch {
		case c.Received != "":
			next = c.Received
		case c.Path != "":
			hops := sipmsg.SplitList(c.Path)
			na, err := sipmsg.ParseNameAddr(firstOf(hops))
			if err != nil {
				m.log.Log(klog.Err, Name, "ul_ka_urecord(): failed to get first uri for path")
				continue
			}
			next = na.URI
		}
		d, err := sip.DestOf(next)
		if err != nil {
			m.log.Log(klog.Err, Name, "ul_ka_urecord(): cannot parse next hop uri")
			continue
		}
		proto := d.Proto
		if proto == sipmsg.ProtoNone {
			proto = sipmsg.ProtoUDP
		}
		if mode&kaUDP != 0 && proto != sipmsg.ProtoUDP {
			continue
		}
		sock := c.Socket
		if sock == nil {
			sock = m.firstSocket(proto)
		}
		if sock == nil {
			m.log.Log(klog.Err, Name, "ul_ka_urecord(): cannot get sending socket")
			continue
		}
		sent++
		out = append(out, keepalive{sock: sock, dest: d, text: m.kaText(r, c, sock, proto, round, sent)})
	}
	return out
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// firstSocket is a socket of proto to send from when the contact has
// none.
func (m *Module) firstSocket(proto int) *sipmsg.Socket {
	t := sip.TransportOf(m.host)
	if t == nil {
		return nil
	}
	for _, s := range t.Sockets() {
		if s.Proto == proto {
			return s
		}
	}
	return nil
}

// kaText is the keepalive request for c, as Kamailio writes it.
func (m *Module) kaText(r *Record, c *Contact, sock *sipmsg.Socket, proto int, round, n uint32) string {
	method := m.strs["ka_method"]
	host, port := sock.IP, sock.Port
	if sock.AdvIP != "" {
		host = sock.AdvIP
	}
	if sock.AdvPort != 0 {
		port = sock.AdvPort
	}
	if sipmsg.IsIPv6(host) {
		host = "[" + host + "]"
	}
	now := m.clock.Now()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, c.URI)
	fmt.Fprintf(&b, "Via: SIP/2.0/%s %s:%d;branch=z9hG4bKx.%d.%d.0\r\n",
		strings.ToUpper(sipmsg.ProtoName(proto, false)), host, port, round, n)
	if c.Path != "" {
		b.WriteString("Route: " + c.Path + "\r\n")
	}
	fmt.Fprintf(&b, "From: <%s>;tag=%s-%x-%x-%x-%x.%x\r\n", m.strs["ka_from"], c.Ruid, r.Hash,
		now.Unix(), now.Nanosecond()/1000, round, n)
	to := r.AOR
	if !strings.Contains(to, "@") {
		to += "@" + m.strs["ka_domain"]
	}
	fmt.Fprintf(&b, "To: <sip:%s>\r\n", to)
	fmt.Fprintf(&b, "Call-ID: %s%x-%x-%x.%x\r\n", kaCallIDPrefix, rand.Uint32(), pid, round, n)
	fmt.Fprintf(&b, "CSeq: 80 %s\r\nContent-Length: 0\r\n\r\n", method)
	return b.String()
}

// sendKeepalives sends what kaRecord collected, outside the locks.
func (m *Module) sendKeepalives(kas []keepalive) {
	t := sip.TransportOf(m.host)
	if t == nil {
		return
	}
	for _, ka := range kas {
		msg, err := sipmsg.Parse(ka.text)
		if err != nil {
			continue
		}
		msg.ForceSocket = ka.sock
		hop, _, err := t.PrepareRequest(msg, ka.dest, "x")
		if err != nil {
			continue
		}
		if err := t.Send(hop, ka.text); err != nil {
			m.log.Logf(klog.Err, Name, "ul_ka_send(): keepalive not sent: %v", err)
		}
	}
}

// kaReply handles a reply that may answer a keepalive (Kamailio's
// ul_ka_reply_received): its CSeq method is ka_method, it has one Via,
// its From URI is ka_from and its From tag is ruid-hash-sec-usec-counter.
func (m *Module) kaReply(c *event.Context, rpl *sipmsg.Msg) {
	if _, method, ok := rpl.CSeq(); !ok || method != m.strs["ka_method"] {
		return
	}
	if len(rpl.Bodies("via")) != 1 {
		return
	}
	from, ok := rpl.Header("from")
	if !ok {
		return
	}
	na, err := sipmsg.ParseNameAddr(from)
	if err != nil || na.URI != m.strs["ka_from"] {
		return
	}
	tag, _ := na.Param("tag")
	if len(tag) <= 8 {
		return
	}
	parts := strings.Split(tag, "-")
	if len(parts) < 5 {
		return
	}
	n := len(parts)
	usec, err1 := strconv.ParseUint(parts[n-2], 16, 64)
	sec, err2 := strconv.ParseUint(parts[n-3], 16, 64)
	hash, err3 := strconv.ParseUint(parts[n-4], 16, 32)
	ruid := strings.Join(parts[:n-4], "-")
	if err1 != nil || err2 != nil || err3 != nil || ruid == "" {
		return
	}
	now := m.clock.Now()
	diff := now.Sub(timeOf(sec, usec)).Microseconds()
	m.mu.Lock()
	ds := make([]*Domain, 0, len(m.domains))
	for _, d := range m.domains {
		ds = append(ds, d)
	}
	m.mu.Unlock()
	for _, d := range ds {
		if d.ByRuid(uint32(hash), ruid, func(_ *Record, ct *Contact) { ct.LastKeepalive = now.Unix() }) {
			break
		}
	}
	if lv := m.ints["ka_loglevel"]; lv != 255 && m.ka.logfmt != nil {
		m.log.Logf(klog.Level(lv), Name, "ul_ka_reply_received(): keepalive roundtrip: %d.%06d sec - ruid [%s]%s",
			diff/1000000, diff%1000000, ruid, m.ka.logfmt.String(c))
	}
}
