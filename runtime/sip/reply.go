package sip

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Reply describes a reply to build for a request (BuildReply).
type Reply struct {
	Code   int
	Reason string
	// ToTag is the tag to give the To header: it replaces the request's
	// tag, or is added when the request has none. "" leaves To as it is.
	ToTag string
	// Headers are more header lines, each with its CRLF, written after
	// the copied ones (Kamailio's reply lumps: the Contact of a redirect,
	// append_to_reply).
	Headers string
	// Body is the reply's body.
	Body string
	// Server is the Server header line without its CRLF; "" writes none.
	Server string
}

// BuildReply builds a reply to the request m as Kamailio's
// build_res_buf_from_sip_req does, for stateless replies: the request's
// SIP version, the code and reason; its Via headers, the top one with
// rport set to the source port (when the Via has rport or force_rport
// ran) and received (when its host is not the source address, or it has
// received or rport) and m.Send.ReplyViaParams; From, To (with r.ToTag), Call-ID and CSeq as
// written; Record-Route for 180 to 299; then r.Headers, the Server header
// and Content-Length; then r.Body. Header fields copied keep the request's
// text, except that a Via ends with CRLF. A reply to an HTTP request has
// the HTTP version and its Via headers renamed Sia, as Kamailio's.
func BuildReply(m *sipmsg.Msg, r Reply) string {
	// The reply is kept for retransmissions for as long as its
	// transaction waits: it is built in a pooled buffer and copied out at
	// its own size.
	b := replyBufs.Get().(*bytes.Buffer)
	b.Reset()
	b.WriteString(m.Version)
	if code := r.Code % 1000; code >= 0 {
		b.Write([]byte{' ', byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10), ' '})
	} else {
		fmt.Fprintf(b, " %03d ", code)
	}
	b.WriteString(r.Reason)
	b.WriteString("\r\n")
	v1, at1, _ := m.TopVia()
	firstVia := true
	http := m.IsHTTP()
	for _, h := range m.Headers {
		field := m.Buf[h.Start:h.End]
		switch {
		case h.Is("via"):
			text := strings.TrimRight(field, " \t\r\n")
			if firstVia && v1 != nil {
				text = replyVia(m, h, text, v1, at1)
			}
			firstVia = false
			if http && text != "" {
				// Kamailio's reply builder renames Via for HTTP: an HTTP
				// Via is not a SIP one.
				text = "S" + text[1:]
			}
			b.WriteString(text)
			b.WriteString("\r\n")
		case h.Is("record-route"):
			if r.Code >= 180 && r.Code < 300 {
				b.WriteString(field)
			}
		case h.Is("to"):
			if r.ToTag != "" {
				field = withToTag(m, h, r.ToTag)
			}
			b.WriteString(field)
		case h.Is("from"), h.Is("call-id"), h.Is("cseq"):
			b.WriteString(field)
		}
	}
	b.WriteString(r.Headers)
	if r.Server != "" {
		b.WriteString(r.Server)
		b.WriteString("\r\n")
	}
	b.WriteString("Content-Length: ")
	b.WriteString(strconv.Itoa(len(r.Body)))
	b.WriteString("\r\n\r\n")
	b.WriteString(r.Body)
	text := b.String()
	if b.Cap() <= maxPooledReply {
		replyBufs.Put(b)
	}
	return text
}

// replyBufs are BuildReply's buffers; one that grew past maxPooledReply
// (a reply with a large body) is left to the collector.
var replyBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 1024)) }}

const maxPooledReply = 16 << 10

// replyVia is the top Via header's text (without line end) for a reply:
// the top via-parm's rport replaced by, or followed by, rport with the
// source port, and received appended, when RFC 3581 and RFC 3261 §18.2.1
// ask for them.
func replyVia(m *sipmsg.Msg, h sipmsg.Header, text string, v *sipmsg.Via, at int) string {
	_, _, hasRcvd := v.ParamSpan("received")
	rs, re, hasRport := v.ParamSpan("rport")
	rcvd := hasRcvd || hasRport || !sameHost(m.Src.IP, v.Host)
	rport := m.Send.ForceRport || hasRport
	// end is where the top via-parm ends in text; new parameters go there.
	end := len(text)
	if at >= 0 {
		end = at - h.Start + len(v.Text)
	}
	var add string
	if rport {
		add = ";rport=" + strconv.Itoa(m.Src.Port)
		if hasRport && at >= 0 {
			s, e := at-h.Start+rs, at-h.Start+re
			text = text[:s] + add + text[e:]
			end += len(add) - (e - s)
			add = ""
		}
	}
	if rcvd {
		add += ";received=" + m.Src.IP
	}
	add += m.Send.ReplyViaParams
	return text[:end] + add + text[end:]
}

// withToTag is the To header field with its tag set to tag.
func withToTag(m *sipmsg.Msg, h sipmsg.Header, tag string) string {
	field := m.Buf[h.Start:h.End]
	body := strings.TrimRight(field, " \t\r\n")
	na, err := sipmsg.ParseNameAddr(h.Value)
	if err != nil || h.At < 0 {
		return body + ";tag=" + tag + field[len(body):]
	}
	// Parameters start after the address; find ";tag=" among them.
	off := h.At - h.Start + na.Len
	if na.Len == len(h.Value) {
		// addr-spec without <>: its parameters are the header's.
		off = h.At - h.Start + len(h.Value) - len(na.Params) - 1
	}
	for p := off; p < len(body); {
		semi := strings.IndexByte(body[p:], ';')
		if semi < 0 {
			break
		}
		start := p + semi + 1
		stop := start + strings.IndexByte(body[start:]+";", ';')
		name, _, hasValue := strings.Cut(body[start:stop], "=")
		if strings.EqualFold(strings.TrimSpace(name), "tag") && hasValue {
			eq := start + strings.IndexByte(body[start:stop], '=') + 1
			for eq < stop && (body[eq] == ' ' || body[eq] == '\t') {
				eq++
			}
			end := eq + len(strings.TrimRight(body[eq:stop], " \t"))
			return body[:eq] + tag + body[end:] + field[len(body):]
		}
		p = stop
	}
	return body + ";tag=" + tag + field[len(body):]
}

// SendReply sends buf, a reply to the request m of the event c (built with
// BuildReply), as Kamailio's sl does: to ReplyHop(m).
func (t *Transport) SendReply(c *event.Context, m *sipmsg.Msg, buf string) error {
	h, err := t.ReplyHop(m)
	if err != nil {
		return err
	}
	if err := t.send(h, buf); err != nil {
		return err
	}
	t.ReplySent(c, m, h, buf)
	return nil
}

// ReplyHop is where replies to the request m go: from the socket m
// arrived on, over its transport (its TCP connection while open), to its
// source address (the top Via's host with reply_to_via), at the source
// port when the Via has rport or force_rport ran, else at the Via's port.
func (t *Transport) ReplyHop(m *sipmsg.Msg) (Hop, error) {
	if m.Rcv == nil {
		t.log.Log(klog.Err, "core", "msg_send_buffer(): no socket to send the reply from (the message did not come from the network)")
		return Hop{}, fail(ErrNoSocket, errors.New("message without a receiving socket"))
	}
	s := t.socketOf(m.Rcv)
	if s == nil {
		return Hop{}, fail(ErrNoSocket, fmt.Errorf("socket %s is not open", m.Rcv))
	}
	v, _, ok := m.TopVia()
	if !ok {
		return Hop{}, fail(ErrUnspec, errors.New("request without a Via"))
	}
	_, _, hasRport := v.ParamSpan("rport")
	port := v.PortNumber()
	if hasRport || m.Send.ForceRport {
		port = m.Src.Port
	} else if port == 0 {
		port = SIPPort
	}
	var to netip.AddrPort
	if t.cfg.ReplyToVia {
		d := Dest{Host: v.Host, Port: port, Proto: s.info.Proto}
		var err error
		if to, _, err = t.resolve(d); err != nil {
			t.log.Logf(klog.Err, "core", "sl_reply_helper(): cannot lookup reply dst: %s", v.Host)
			return Hop{}, fail(ErrBadAddress, err)
		}
	} else {
		ip, err := netip.ParseAddr(m.Src.IP)
		if err != nil {
			return Hop{}, fail(ErrBadAddress, err)
		}
		to = netip.AddrPortFrom(ip, uint16(port))
	}
	return Hop{sock: s, to: to, proto: s.info.Proto, conn: m.ConnID, flags: m.Send.Rpl}, nil
}

// Server returns the Server header line of local replies ("" for none).
func (t *Transport) Server() string { return t.cfg.ServerHeader }

// UserAgent returns the User-Agent header line of local requests ("" for
// none).
func (t *Transport) UserAgent() string { return t.cfg.UserAgentHeader }

// finalReplyKey marks the event whose request got a final reply
// statelessly (MarkFinalReply).
var finalReplyKey = event.NewKey()

// MarkFinalReply records that a final reply left statelessly (sl) for
// req, the event's request: Kamailio's FL_FINAL_REPLY, which
// t_reply_error reads.
func MarkFinalReply(c *event.Context, req *sipmsg.Msg) {
	if c != nil {
		c.Set(finalReplyKey, req)
	}
}

// FinalReplied reports whether MarkFinalReply marked req in c.
func FinalReplied(c *event.Context, req *sipmsg.Msg) bool {
	if c == nil {
		return false
	}
	r, _ := c.Get(finalReplyKey).(*sipmsg.Msg)
	return r != nil && r == req
}
