package sip

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// viaRef is one via-parm of a message and where it is.
type viaRef struct {
	v   *sipmsg.Via
	h   int // index of its header in m.Headers
	at  int // offset of the via-parm in m.Buf, -1 when unknown (folded)
	err error
}

// topVias returns the first two via-parms of m; the second is nil when
// there is none.
func topVias(m *sipmsg.Msg) (first, second *viaRef) {
	var out []*viaRef
	for i, h := range m.Headers {
		if !h.Is("via") {
			continue
		}
		from := h.At
		for _, p := range sipmsg.SplitList(h.Value) {
			r := &viaRef{h: i, at: -1}
			r.v, r.err = sipmsg.ParseVia(p)
			if from >= 0 {
				if k := strings.Index(m.Buf[from:h.End], p); k >= 0 {
					r.at = from + k
					from = r.at + len(p)
				}
			}
			out = append(out, r)
			if len(out) == 2 {
				return out[0], out[1]
			}
		}
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return nil, nil
}

// ForwardReply relays the reply m statelessly, as Kamailio's core does
// with a reply no transaction took: it removes the top Via (this
// server's; with check_via it must be), sends the rest to the second Via
// (its received and rport when present, RFC 3261 §18.2.2 and RFC 3581),
// over the TCP connection the Via's i parameter names when it is still
// open. edits change the reply further (sl_forward_reply's status code
// and reason).
func (t *Transport) ForwardReply(c *event.Context, m *sipmsg.Msg, edits ...sipmsg.Edit) error {
	if m.IsRequest() {
		return fail(ErrUnspec, errors.New("forward_reply: not a reply"))
	}
	v1, v2 := topVias(m)
	if v1 == nil || v1.err != nil {
		return fail(ErrUnspec, errors.New("reply without a Via"))
	}
	if t.cfg.CheckVia {
		port := v1.v.PortNumber()
		if port == 0 {
			port = SIPPort
		}
		if !t.Myself(v1.v.Host, port, v1.v.Proto()) {
			t.log.Logf(klog.Err, "core", "do_forward_reply(): host in first via!=me : %s:%d", v1.v.Host, v1.v.PortNumber())
			return fail(ErrUnspec, errors.New("top Via is not this server"))
		}
	}
	if v2 == nil || v2.err != nil {
		t.log.Log(klog.Dbg, "core", "do_forward_reply(): reply cannot be forwarded - no 2nd via")
		return fail(ErrUnspec, errors.New("no second Via"))
	}
	edits = append(edits, removeVia(m, v1, v2))
	edits = append(edits, relayViaParams(m, v2)...)
	buf := m.Build(edits...)

	proto := v2.v.Proto()
	d := Dest{Host: v2.v.Host, Port: v2.v.PortNumber(), Proto: proto}
	if rp, ok := v2.v.Param("rport"); ok && rp != "" {
		if n, err := strconv.Atoi(rp); err == nil && n > 0 && n < 65536 {
			d.Port = n
		} else {
			t.log.Logf(klog.Err, "core", "update_sock_struct_from_via(): bad rport value(%s)", rp)
		}
	}
	if rcvd, ok := v2.v.Param("received"); ok && rcvd != "" {
		d.Host = rcvd
		if d.Port == 0 {
			d.Port = SIPPort
		}
	}
	to, proto, err := t.resolve(d)
	if err != nil {
		t.log.Logf(klog.Notice, "core", "update_sock_struct_from_via(): resolve_host(%s) failure", d.Host)
		return fail(ErrBadAddress, err)
	}
	o := Hop{to: to, proto: proto, flags: m.Send.Fwd | m.Send.Rpl}
	if i, ok := v1.v.Param("i"); ok && proto == sipmsg.ProtoTCP {
		if id, ok := parseRevHex(i); ok {
			o.conn = int(id)
		} else {
			t.log.Logf(klog.Err, "core", "do_forward_reply(): bad via i param \"%s\"", i)
		}
	}
	if o.sock = t.sendSocket(m, to, proto); o.sock == nil {
		t.log.Log(klog.Err, "core", "do_forward_reply(): cannot forward reply")
		return fail(ErrNoSocket, fmt.Errorf("no %s socket for %s", sipmsg.ProtoName(proto, false), to))
	}
	if t.cfg.OnSendReply {
		send, flags := t.onSend(c, m, o, buf)
		if !send {
			t.log.Logf(klog.Err, "core", "do_forward_reply(): reply to %s:%d(%d) dropped (onsend_route)", to.Addr(), to.Port(), proto)
			return fail(ErrProhibited, errors.New("dropped by onsend_route"))
		}
		o.flags = flags
	}
	return t.send(o, buf)
}

// removeVia is the edit that takes the first via-parm out of m: its whole
// header when it is alone there, else the via-parm and the comma after
// it.
func removeVia(m *sipmsg.Msg, v1, v2 *viaRef) sipmsg.Edit {
	h := m.Headers[v1.h]
	if v2.h != v1.h {
		return sipmsg.Edit{At: h.Start, Len: h.End - h.Start}
	}
	if v1.at >= 0 && v2.at > v1.at {
		return sipmsg.Edit{At: v1.at, Len: v2.at - v1.at}
	}
	rest := sipmsg.SplitList(h.Value)[1:]
	return sipmsg.Edit{At: h.Start, Len: h.End - h.Start, Text: h.Name + ": " + strings.Join(rest, ", ") + "\r\n"}
}

// RelayedReply is the text of the reply m as a proxy relays it upstream:
// its top Via (this server's) taken out and edits applied. ok is false
// when m has no second Via to go back to.
func RelayedReply(m *sipmsg.Msg, edits ...sipmsg.Edit) (string, bool) {
	v1, v2 := topVias(m)
	if v1 == nil || v1.err != nil || v2 == nil || v2.err != nil {
		return "", false
	}
	edits = append(edits, removeVia(m, v1, v2))
	return m.Build(append(edits, relayViaParams(m, v2)...)...), true
}
