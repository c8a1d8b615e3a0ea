package sip

import (
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// receive parses one message that arrived on s from src (over conn for
// TCP) and routes it, as Kamailio's receive_msg does: a message that does
// not parse, or lacks a Via, Call-ID, CSeq, From or To, is logged and
// dropped; a request runs the layers and request_route; a reply runs the
// core reply route, the layers, and is forwarded.
// gid is the calling goroutine's id (klog.GoroutineID), 0 if unknown.
func (t *Transport) receive(gid uint64, raw string, s *socket, src sipmsg.Addr, conn *tcpConn) {
	m, err := sipmsg.Parse(raw)
	if err != nil {
		t.countBadMsg(raw)
		t.log.Logf(klog.Dbg, "core", "parse_msg(): %v", err)
		t.log.Logf(klog.Err, "core", "receive_msg(): core parsing of SIP message failed (%s:%d/%d)", src.IP, src.Port, s.info.Proto)
		return
	}
	m.Src = src
	m.Dst = sipmsg.Addr{IP: s.info.IP, Port: s.info.Port}
	m.Rcv = s.info
	m.Proto = sipmsg.ProtoName(s.info.Proto, false)
	if conn != nil {
		m.ConnID = conn.id
	}
	m.Send.ForceRport = t.cfg.ForceRport
	m.Send.ShareVia(t.advVia)
	kind := "request"
	if !m.IsRequest() {
		kind = "reply"
	} else if _, err := sipmsg.ParseURI(m.RURI); err != nil {
		t.countBadURI()
	}
	pool := t.router.Workers()
	w := pool.Get()
	w.Goroutine = gid
	defer func() { w.Goroutine = 0; pool.Release(w) }()
	// The message's log scope opens before the checks, so that their
	// lines carry its log_prefix, as Kamailio's do.
	c := t.router.AcquireContext(w)
	sipmsg.Set(c, m)
	Attach(c, t)
	if !t.complete(m, kind) {
		t.router.ReleaseContext(c)
		return
	}
	if m.IsRequest() {
		t.request(c, m)
	} else {
		t.reply(c, m)
	}
	if !c.Detached() {
		t.router.ReleaseContext(c)
	}
}

// complete reports whether m has what every SIP message must (a Via that
// parses, Call-ID, CSeq, From and To), logging what it lacks.
func (t *Transport) complete(m *sipmsg.Msg, kind string) bool {
	if _, _, ok := m.TopVia(); !ok {
		t.log.Logf(klog.Err, "core", "receive_msg(): no via found in %s", kind)
		return false
	}
	for _, h := range [...]string{"call-id", "cseq", "from", "to"} {
		if _, ok := m.Header(h); !ok {
			t.log.Logf(klog.Err, "core", "receive_msg(): required headers not found in %s", kind)
			return false
		}
	}
	return true
}

// request runs the layers, then request_route.
func (t *Transport) request(c *event.Context, m *sipmsg.Msg) {
	for _, l := range t.layers {
		if l.Request(c, m) {
			t.countTaken(l, m)
			return
		}
	}
	t.countRequest(m)
	rc, ok := t.router.Run(c, event.Request())
	for _, l := range t.layers {
		if d, isDone := l.(RequestDoner); isDone {
			d.RequestDone(c)
		}
	}
	switch {
	case !ok:
		t.log.Log(klog.Err, "core", "receive_msg(): no request_route {...} and no other config routing engine registered")
	case rc < 0:
		t.log.Log(klog.Warn, "core", "receive_msg(): error while trying script")
	}
}

// reply runs the core reply route, then the layers, then forwards the
// reply unless one of them took it or the route ended with drop, exit or
// an error.
func (t *Transport) reply(c *event.Context, m *sipmsg.Msg) {
	t.countReply(m)
	if rc, ok := t.router.Run(c, event.Reply()); ok {
		if rc < 0 {
			t.log.Log(klog.Warn, "core", "receive_msg(): error while trying onreply script")
			return
		}
		if rc == 0 || c.Dropped {
			t.countDropReply()
			return
		}
	}
	for _, l := range t.layers {
		if l.Reply(c, m) {
			return
		}
	}
	t.countForwardReply(t.ForwardReply(c, m))
}

// receiveHTTP hands an HTTP request that came over the TCP connection conn
// to the non-SIP handlers, as Kamailio's xhttp gets it: with a Via of the
// peer ("Via: SIP/2.0/TCP ip:port") after the request line, so that a
// reply can be built and sent back as to a SIP request.
func (t *Transport) receiveHTTP(gid uint64, raw string, s *socket, src sipmsg.Addr, conn *tcpConn) {
	eol := strings.Index(raw, "\r\n")
	if strings.HasPrefix(raw[eol:], "\r\n\r\n") {
		// A request line alone: Kamailio's parser refuses it.
		t.log.Logf(klog.Err, "core", "receive_msg(): core parsing of SIP message failed (%s:%d/%d)", src.IP, src.Port, s.info.Proto)
		return
	}
	host := src.IP
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	proto := strings.ToUpper(sipmsg.ProtoName(s.info.Proto, false))
	faked := raw[:eol+2] + "Via: SIP/2.0/" + proto + " " + host + ":" + strconv.Itoa(src.Port) + "\r\n" + raw[eol+2:]
	m, err := sipmsg.ParseHTTP(faked)
	if err != nil {
		t.log.Logf(klog.Err, "core", "receive_msg(): core parsing of SIP message failed (%s:%d/%d)", src.IP, src.Port, s.info.Proto)
		return
	}
	m.Src = src
	m.Dst = sipmsg.Addr{IP: s.info.IP, Port: s.info.Port}
	m.Rcv = s.info
	m.Proto = sipmsg.ProtoName(s.info.Proto, false)
	if conn != nil {
		m.ConnID = conn.id
	}
	pool := t.router.Workers()
	w := pool.Get()
	w.Goroutine = gid
	defer func() { w.Goroutine = 0; pool.Release(w) }()
	c := t.router.AcquireContext(w)
	sipmsg.Set(c, m)
	Attach(c, t)
	for _, h := range t.nonSIP {
		if h.NonSIP(c, m) {
			break
		}
	}
	if !c.Detached() {
		t.router.ReleaseContext(c)
	}
}
