package tm

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// t_uac_send: a request kamgo sends on its own, as a local transaction
// (Kamailio's t_uac): its replies are absorbed, not relayed; a 2xx to an
// INVITE is acknowledged here (ackLocal2xx).

// defaultCSeq is the CSeq number of a request whose headers give none.
const defaultCSeq = 10

// fromTagSignature is what the fixed part of the From tags of local
// requests is made of, with the first socket's address and port.
const fromTagSignature = "Long live kamailio server"

// callIDCounter numbers the Call-IDs kamgo makes: a random start, one up
// for each, as Kamailio's tm increments its Call-ID prefix.
var callIDCounter atomic.Uint64

func init() { callIDCounter.Store(rand.Uint64()) }

// uacRequest is what t_uac_send is given.
type uacRequest struct {
	method, ruri, nexthop, socket, headers, body string
	// noAutoAck: the method ended in "." (Kamailio 6.1's t_uac_send):
	// a 2xx to the INVITE is not acknowledged by tm but by the script
	// (tmx's t_uac_ack_local).
	noAutoAck bool
}

func (m *Module) compileUACSend(h module.Host, args []*module.Arg) (module.Call, error) {
	strs, err := module.Strs(h, args...)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		r := uacRequest{method: strs[0](c), ruri: strs[1](c), nexthop: strs[2](c),
			socket: strs[3](c), headers: strs[4](c), body: strs[5](c)}
		if m.uacSend(c, r) < 0 {
			return -1
		}
		return 1
	}, nil
}

// uacHeaders is what t_uac_send takes from the headers it is given.
type uacHeaders struct {
	fromURI, fromTag string
	toURI, toTag     string
	callID           string
	cseq             int
	block            string // the other headers, "!!" replaced by the send address
	routes           string // the Route header of a dialog's route set, "" none
}

// uacSend checks the request's parts as Kamailio's t_uac_send does, then
// sends it (uac). It returns a negative error code, 0 when
// event_route[tm:local-request] dropped it, or 1.
func (m *Module) uacSend(c *event.Context, r uacRequest) int {
	if r.method == "" {
		m.log.Log(klog.Err, Name, "t_uac_send(): Empty method")
		return -1
	}
	if strings.HasSuffix(r.method, ".") {
		r.method, r.noAutoAck = r.method[:len(r.method)-1], true
	}
	if _, err := sipmsg.ParseURI(r.ruri); err != nil {
		m.log.Logf(klog.Err, Name, "t_uac_send(): Invalid request uri \"%s\"", r.ruri)
		return -1
	}
	if r.nexthop == "." {
		r.nexthop = ""
	} else if r.nexthop != "" {
		if _, err := sipmsg.ParseURI(r.nexthop); err != nil {
			m.log.Logf(klog.Err, Name, "t_uac_send(): Invalid next-hop uri \"%s\"", r.nexthop)
			return -1
		}
	}
	tr := sip.From(c)
	var sock *sipmsg.Socket
	if r.socket == "." {
		r.socket = ""
	} else if r.socket != "" {
		proto, host, port, err := sip.ParseAddr(r.socket)
		if err != nil || strings.HasPrefix(host, "(") {
			m.log.Logf(klog.Err, Name, "t_uac_send(): Invalid send socket \"%s\"", r.socket)
			return -1
		}
		if tr != nil {
			sock = tr.Socket(proto, host, port)
		}
		if sock == nil {
			m.log.Logf(klog.Err, Name, "t_uac_send(): No local socket for \"%s\"", r.socket)
			return -1
		}
	}
	hdrs, ok := m.uacCheckHeaders(r)
	if !ok {
		return -1
	}
	if hdrs.block, ok = substituteSendAddr(hdrs.block, sock, tr, r); !ok {
		m.log.Log(klog.Err, Name, "get_hfblock(): send_sock failed")
		m.log.Log(klog.Err, Name, "t_uac_send(): failed to get the block of headers")
		return -1
	}
	if hdrs.callID == "" {
		hdrs.callID = newCallID(tr)
	}
	if hdrs.fromTag == "" {
		hdrs.fromTag = fromTag(tr, hdrs.callID, r.ruri)
	}
	rc := m.uac(c, tr, r, hdrs, sock)
	if rc <= 0 {
		m.log.Log(klog.Err, Name, "t_uac_send(): UAC error")
	}
	return rc
}

// uacCheckHeaders parses the headers given to t_uac_send: To and From
// must be there, a body needs a Content-Type and no Content-Length, a
// CSeq must have the request's method; Call-ID, From tag and CSeq number
// are taken when given. The headers other than From, To, Call-ID and
// CSeq form the block the request carries.
func (m *Module) uacCheckHeaders(r uacRequest) (uacHeaders, bool) {
	var u uacHeaders
	text := r.headers
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\r\n"
	}
	fake, err := sipmsg.Parse("UAC sip:uac SIP/2.0\r\n" + text + "\r\n")
	if err != nil {
		m.log.Log(klog.Err, Name, "t_uac_send(): Invalid headers")
		return u, false
	}
	fail := func(why string) (uacHeaders, bool) {
		m.log.Log(klog.Err, Name, "t_uac_check_msg(): "+why)
		m.log.Log(klog.Err, Name, "t_uac_send(): checking values failed")
		return u, false
	}
	has := func(name string) bool { _, ok := fake.Header(name); return ok }
	if r.body != "" && !has("content-type") {
		return fail("Content-Type missing")
	}
	if r.body != "" && has("content-length") {
		return fail("Content-Length disallowed")
	}
	to, okTo := fake.Header("to")
	if !okTo {
		return fail("To missing")
	}
	from, okFrom := fake.Header("from")
	if !okFrom {
		return fail("From missing")
	}
	fna, err := sipmsg.ParseNameAddr(from)
	if err != nil {
		return fail("Error in From")
	}
	tna, err := sipmsg.ParseNameAddr(to)
	if err != nil {
		m.log.Log(klog.Err, Name, "t_uac_send(): Invalid headers")
		return u, false
	}
	u.fromURI, u.toURI = fna.URI, tna.URI
	u.fromTag, _ = fna.Param("tag")
	u.toTag, _ = tna.Param("tag")
	u.cseq = defaultCSeq
	if num, method, ok := fake.CSeq(); ok {
		n := 0
		for i := 0; i < len(num); i++ {
			if num[i] < '0' || num[i] > '9' {
				return fail("Non-numerical CSeq")
			}
			n = n*10 + int(num[i]-'0')
		}
		if method != r.method {
			return fail("CSeq method mismatch")
		}
		u.cseq = n
	}
	u.callID, _ = fake.Header("call-id")
	var b strings.Builder
	for _, h := range fake.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "from", "to", "call-id", "cseq":
			continue
		}
		b.WriteString(fake.Buf[h.Start:h.End])
	}
	u.block = b.String()
	return u, true
}

// substituteSendAddr replaces each "!!" in the header block with the
// address and port the request leaves from: the socket given, else the
// one the next hop (or the Request-URI) is reached from. ok is false
// when there is no such socket.
func substituteSendAddr(block string, sock *sipmsg.Socket, tr *sip.Transport, r uacRequest) (string, bool) {
	if !strings.Contains(block, "!!") {
		return block, true
	}
	if sock == nil && tr != nil {
		hop := r.nexthop
		if hop == "" {
			hop = r.ruri
		}
		if d, err := sip.DestOf(hop); err == nil {
			probe, perr := sipmsg.Parse("OPTIONS " + r.ruri + " SIP/2.0\r\n\r\n")
			if perr == nil {
				if h, _, err := tr.PrepareRequest(probe, d, magicCookie); err == nil {
					sock = h.Socket()
				}
			}
		}
	}
	if sock == nil {
		return block, false
	}
	addr := sock.IP
	if sipmsg.IsIPv6(addr) {
		addr = "[" + addr + "]"
	}
	return strings.ReplaceAll(block, "!!", addr+":"+strconv.Itoa(sock.Port)), true
}

// newCallID makes a Call-ID as Kamailio's tm does: 16 hexadecimal digits
// counting up, the process id and the first socket's address.
func newCallID(tr *sip.Transport) string {
	host := ""
	if tr != nil {
		if s := tr.First(); s != nil {
			host = s.IP
		}
	}
	return fmt.Sprintf("%016x-%d@%s", callIDCounter.Add(1), os.Getpid(), host)
}

// fromTag makes the From tag of a local request: the MD5 of the signature
// and the first socket's address and port, '-', and the CRCs of the
// Call-ID and the Request-URI.
func fromTag(tr *sip.Transport, callID, ruri string) string {
	h := md5.New()
	h.Write([]byte(fromTagSignature))
	if tr != nil {
		if s := tr.First(); s != nil {
			h.Write([]byte(s.IP))
			h.Write([]byte(strconv.Itoa(s.Port)))
		}
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + crcText(callID) + crcText(ruri)
}

// crcText is the CRC-16 (CCITT, reflected, complemented) of s in four
// hexadecimal digits, lowest first, padded with '0' (Kamailio's
// crcitt_string_array for one string).
func crcText(s string) string {
	crc := uint16(0xffff)
	for i := 0; i < len(s); i++ {
		c := uint16(crc^uint16(s[i])) & 0xff
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0x8408
			} else {
				c >>= 1
			}
		}
		crc = c ^ crc>>8
	}
	return revHex4(^crc)
}

// revHex4 writes n as revHex does, padded to four digits with '0'.
func revHex4(n uint16) string {
	s := revHex(uint32(n))
	return s + strings.Repeat("0", 4-len(s))
}

// uacText is the request t_uac_send sends, without kamgo's Via (the
// transport adds it after the request line), in Kamailio's order.
func uacText(r uacRequest, u uacHeaders) string {
	var b strings.Builder
	b.WriteString(r.method + " " + r.ruri + " SIP/2.0\r\n")
	b.WriteString("To: " + bracketed(u.toURI))
	if u.toTag != "" {
		b.WriteString(";tag=" + u.toTag)
	}
	b.WriteString("\r\nFrom: " + bracketed(u.fromURI))
	if u.fromTag != "" {
		b.WriteString(";tag=" + u.fromTag)
	}
	b.WriteString("\r\nCSeq: " + strconv.Itoa(u.cseq) + " " + r.method + "\r\n")
	b.WriteString("Call-ID: " + u.callID + "\r\n")
	b.WriteString(u.routes)
	if len(u.block) < 15 || !strings.Contains(u.block, "Max-Forwards:") {
		b.WriteString("Max-Forwards: 70\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(r.body)) + "\r\n")
	return b.String()
}

// uac creates the local transaction and sends its request (Kamailio's
// t_uac): one branch to the next hop (else the Request-URI), from sock
// when given; event_route[tm:local-request] sees the request first and may
// change or drop it. An ACK gets no transaction: it is sent once.
func (m *Module) uac(c *event.Context, tr *sip.Transport, r uacRequest, u uacHeaders, sock *sipmsg.Socket) int {
	return m.uacWith(c, tr, r, u, sock, nil)
}

// uacWith is uac with a callback registered on the transaction before
// its request leaves (cb nil: none).
func (m *Module) uacWith(c *event.Context, tr *sip.Transport, r uacRequest, u uacHeaders, sock *sipmsg.Socket, cb *txnCallback) int {
	if tr == nil {
		m.log.Log(klog.Err, Name, "t_uac_prepare(): no socket found")
		return sip.ErrNoSocket
	}
	head := uacText(r, u)
	ua := ""
	if s := tr.UserAgent(); s != "" {
		ua = s + "\r\n"
	}
	block := u.block
	if len(block) > 2 && !strings.HasSuffix(block, "\n") {
		block += "\r\n"
	} else if len(block) <= 2 {
		block = ""
	}
	msg, err := sipmsg.Parse(head + ua + block + "\r\n" + r.body)
	if err != nil {
		m.log.Log(klog.Err, Name, "t_uac_prepare(): Error while building message")
		return sip.ErrOutOfMem
	}
	nexthop := r.nexthop
	if nexthop == "" {
		nexthop = r.ruri
	}
	msg.DstURI, msg.ForceSocket = r.nexthop, sock
	isACK := r.method == "ACK"
	k := matchKeys{method: strings.ToUpper(r.method)}
	x := &txn{m: m, keys: k, tr: tr, local: true, relayedBranch: -1, blind: -1, suspendedReply: -1,
		invite: r.method == "INVITE", created: m.clock.Now()}
	x.md5 = localMD5()
	if r.noAutoAck {
		x.flags |= flagNoAutoAck
	}
	x.frTimeout, x.frInvTimeout = ms(m.conf().frTimer), ms(m.conf().frInvTimer)
	x.retrT1, x.retrT2 = ms(m.conf().retrTimer1), ms(m.conf().retrTimer2)
	x.maxLifetime = ms(m.conf().maxNonInvLifetime)
	if x.invite {
		x.maxLifetime = ms(m.conf().maxInvLifetime)
	}
	x.ctx = &event.Context{}
	x.ctx.Reset()
	x.ctx.Log = c.Log
	x.setReq(msg)
	x.cbs.picked = -1
	if cb != nil && !isACK {
		x.cbs.types, x.cbs.list = cb.types, []txnCallback{*cb}
	}
	if !isACK {
		x.index = hashOf(u.callID, strconv.Itoa(u.cseq))
		m.table.insert(x)
		m.stats.created.Add(1)
		m.stats.local.Add(1)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	d, err := sip.DestOf(nexthop)
	if err != nil {
		m.log.Log(klog.Err, Name, "t_uac_prepare(): no socket found")
		x.drop(isACK)
		return sip.ErrNoSocket
	}
	br := x.branchParam(0)
	hop, buf, err := tr.PrepareRequest(msg, d, br)
	if err != nil {
		m.log.Log(klog.Err, Name, "t_uac_prepare(): no socket found")
		x.drop(isACK)
		return sip.ErrNoSocket
	}
	b := &branch{idx: 0, uri: r.ruri, dst: r.nexthop, msg: msg, hop: hop, buf: buf, viaBr: br}
	x.branches = append(x.branches, b)
	if m.host != nil && c.Worker != nil &&
		(m.host.Has(event.Event(EventLocalRequest)) || (m.conf().eventCallback != "" && module.EngineOf(m.host) != nil)) {
		if !x.runLocalRequest(c, b, d, nexthop) {
			x.drop(isACK)
			return 0
		}
	}
	if p, err := sipmsg.Parse(b.buf); err == nil {
		x.setReq(p)
	}
	x.ctx.Set(curKey, &current{x: x, branch: -1, lookedUp: true})
	sipmsg.Set(x.ctx, x.request())
	if isACK {
		if err := tr.Send(b.hop, b.buf); err != nil {
			m.log.Log(klog.Err, Name, "send_prepared_request_impl(): Attempt to send to precreated request failed")
		}
		return 1
	}
	x.start(&x.life, x.maxLifetime, workLifetime, nil)
	x.sendLocal(b)
	return 1
}

// drop forgets a local transaction that will not be sent.
func (x *txn) drop(notFiled bool) {
	if notFiled {
		x.gone = true
		return
	}
	x.release()
}

// sendLocal sends the request of a local transaction and starts its
// timers, as sendBranch does for relayed ones; onsend_route does not run
// for it, as in Kamailio (there is no received request to run it with).
// A failed send leaves the timers running: the branch times out.
func (x *txn) sendLocal(b *branch) {
	if !b.hop.Reliable() {
		b.retrWait = x.retrT1
		x.start(&b.retr, b.retrWait, workRetransmitBranch, b)
	}
	x.start(&b.fr, x.frTimeout, workBranchTimeout, b)
	if err := x.tr.Send(b.hop, b.buf); err != nil {
		x.logf(klog.Err, "send_prepared_request_impl(): Attempt to send to precreated request failed")
		return
	}
	b.sent = true
}

// hopRequestEvent runs event_route[tm:local-request] (or the KEMI
// event_callback) for a request tm makes on branch b, hop by hop: the
// CANCEL about to leave, or the ACK of a negative reply just sent
// (evlreq_mode). The route sees a copy: what it changes or drops does not
// reach the request. It runs only with a worker to run it on (c's).
func (x *txn) hopRequestEvent(c *event.Context, b *branch, buf string) {
	m := x.m
	if m.host == nil || c == nil || c.Worker == nil ||
		!(m.host.Has(event.Event(EventLocalRequest)) || (m.conf().eventCallback != "" && module.EngineOf(m.host) != nil)) {
		return
	}
	req, err := sipmsg.Parse(buf)
	if err != nil {
		return
	}
	x.localRequestEvent(c, b, req)
}

// localRequestEvent runs event_route[tm:local-request] (or the KEMI
// event_callback) with req, a request about to leave on branch b, as the
// message: it seems received on the socket it leaves from, for the hop's
// address. It returns the event the route ran in.
func (x *txn) localRequestEvent(c *event.Context, b *branch, req *sipmsg.Msg) *event.Context {
	sock := b.hop.Socket()
	req.Rcv = sock
	if sock != nil {
		req.Src = sipmsg.Addr{IP: sock.IP, Port: sock.Port}
	}
	req.Proto = sipmsg.ProtoName(b.hop.Proto(), false)
	req.Dst = sipmsg.Addr{IP: b.hop.Addr().Addr().String(), Port: int(b.hop.Addr().Port())}
	req.ID = sipmsg.NextID()
	ec := &event.Context{}
	ec.Reset()
	ec.Worker, ec.Log = c.Worker, c.Log
	sipmsg.Set(ec, req)
	sip.Attach(ec, x.tr)
	ec.Set(curKey, &current{x: x, branch: -1, locked: true, lookedUp: true})
	module.RunEvent(x.m.host, ec, EventLocalRequest, x.m.conf().eventCallback)
	return ec
}

// runLocalRequest runs event_route[tm:local-request] (or the KEMI
// event_callback) with the request about to leave as the message: $du is
// the next hop, the message seems received on the socket it leaves from.
// It reports whether the request may go (the route did not drop it); the
// route's changes go into the branch's text, with a new Via when it forced
// another socket or asked for rport.
func (x *txn) runLocalRequest(c *event.Context, b *branch, d sip.Dest, nexthop string) bool {
	lreq, err := sipmsg.Parse(b.buf)
	if err != nil {
		return true
	}
	lreq.ForceSocket, lreq.DstURI = b.msg.ForceSocket, nexthop
	ec := x.localRequestEvent(c, b, lreq)
	if ec.Dropped {
		return false
	}
	switch {
	case lreq.ForceSocket != b.msg.ForceSocket || lreq.Send.LocalRport:
		// A new Via for the new socket, with the same branch.
		if _, _, ok := lreq.TopVia(); !ok {
			break
		}
		top := lreq.Headers[0]
		for _, h := range lreq.Headers {
			if h.Is("via") {
				top = h
				break
			}
		}
		lreq.Edits = append(lreq.Edits, sipmsg.Edit{At: top.Start, Len: top.End - top.Start})
		re, err := sipmsg.Parse(lreq.Build())
		if err != nil {
			break
		}
		re.ForceSocket, re.Send = lreq.ForceSocket, lreq.Send
		hop, buf, err := x.tr.PrepareRequest(re, d, b.viaBr)
		if err != nil {
			break
		}
		b.hop, b.buf = hop, buf
	case len(lreq.Edits) > 0 || lreq.NewURI != "":
		b.buf = lreq.Build()
	}
	return true
}

// buildLocalACK builds the ACK of a 2xx to the local INVITE of branch b,
// without its Via unless useHop (then it is complete and goes to hop).
// d is where it goes otherwise.
// hdrs (whole header lines) and body are t_uac_ack_local's additions.
func (x *txn) buildLocalACK(b *branch, rpl *sipmsg.Msg, hdrs, body string) (ack string, d sip.Dest, hop sip.Hop, useHop, ok bool) {
	inv, err := sipmsg.Parse(b.buf)
	if err != nil {
		return "", d, hop, false, false
	}
	toLine := headerLine(rpl, "to")
	if toLine == "" {
		x.logf(klog.Err, "build_dlg_ack(): Error while parsing headers.")
		return "", d, hop, false, false
	}
	contact := ""
	if cv, has := rpl.Header("contact"); has {
		list := sipmsg.SplitList(cv)
		var na *sipmsg.NameAddr
		if len(list) > 0 {
			na, err = sipmsg.ParseNameAddr(list[0])
		}
		if len(list) == 0 || err != nil || cv == "*" {
			x.logf(klog.Err, "get_contact_uri(): error while parsing Contact body")
			return "", d, hop, false, false
		}
		contact = na.URI
	}
	var routes []string
	inDialog := toTagOf(inv) != ""
	if inDialog {
		routes = inv.Bodies("route")
	} else {
		rr := rpl.Bodies("record-route")
		for i := len(rr) - 1; i >= 0; i-- {
			routes = append(routes, rr[i])
		}
	}
	ruri, next := contact, contact
	appendContact := false
	if len(routes) > 0 {
		first := routeURI(routes[0])
		if hasLR(first) {
			next = first
		} else if inDialog {
			// Strict router: the INVITE's Request-URI again, the remote
			// target last in the route set.
			ruri, next = inv.RURI, inv.RURI
			last := routes[len(routes)-1]
			if routeURI(last) != contact {
				routes = routes[:len(routes)-1]
				appendContact = true
			}
		} else {
			ruri, next = first, first
			routes = routes[1:]
			appendContact = true
		}
	}
	var sb strings.Builder
	sb.WriteString("ACK " + ruri + " SIP/2.0\r\n")
	sb.WriteString(headerLine(inv, "from"))
	sb.WriteString(headerLine(inv, "call-id"))
	sb.WriteString(toLine)
	sb.WriteString(cseqNumberText(inv) + " ACK\r\n")
	if len(routes) > 0 || appendContact {
		rs := append([]string(nil), routes...)
		if appendContact {
			rs = append(rs, "<"+contact+">")
		}
		sb.WriteString("Route: " + strings.Join(rs, ", ") + "\r\n")
	}
	if x.tr != nil {
		if ua := x.tr.UserAgent(); ua != "" {
			sb.WriteString(ua + "\r\n")
		}
	}
	sb.WriteString(hdrs)
	sb.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	sb.WriteString(body)
	switch x.m.conf().localAckMode {
	case 1:
		return x.withVia(sb.String(), b, x.ackBranch(b, rpl)), d, b.hop, true, true
	case 2:
		proto := sipmsg.ProtoNumber(rpl.Proto)
		return sb.String(), sip.Dest{Host: rpl.Src.IP, Port: rpl.Src.Port, Proto: proto}, hop, false, true
	}
	d, err = sip.DestOf(next)
	if err != nil {
		x.logf(klog.Err, "build_dlg_ack(): no socket found")
		return "", d, hop, false, false
	}
	return sb.String(), d, hop, false, true
}

// withVia puts the branch's own Via line after the request line of text,
// with the branch parameter br.
func (x *txn) withVia(text string, b *branch, br string) string {
	i := strings.Index(text, "\r\n")
	return text[:i+2] + strings.Replace(topViaLine(b.buf), b.viaBr, br, 1) + text[i+2:]
}

// routeURI is the URI of a Route or Record-Route element.
func routeURI(elem string) string {
	na, err := sipmsg.ParseNameAddr(elem)
	if err != nil {
		return elem
	}
	return na.URI
}

// hasLR reports whether a route URI has the lr parameter (a loose router).
func hasLR(uri string) bool {
	u, err := sipmsg.ParseURI(uri)
	if err != nil {
		return false
	}
	_, ok := u.Param("lr")
	return ok
}
