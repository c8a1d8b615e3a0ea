package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// Forward relays the request m of the event c statelessly to d, as
// Kamailio's forward() does: it resolves d, picks the socket to send from,
// adds its Via (with the branch of a stateless relay), updates the top
// Via it received (received, rport), rewrites the Request-URI and applies
// the script's edits, adds a Route for the Path vector, runs onsend_route
// and sends. It changes nothing else: Max-Forwards and Record-Route are
// the script's business. The error's Code is what forward() returns.
func (t *Transport) Forward(c *event.Context, m *sipmsg.Msg, d Dest) (err error) {
	defer func() { t.countForward(err) }()
	t.PrepareVia(c, m)
	h, buf, err := t.PrepareRequest(m, d, "")
	if err != nil {
		return err
	}
	if !t.OnSend(c, m, &h, buf) {
		return fail(ErrProhibited, fmt.Errorf("dropped by onsend_route"))
	}
	return t.send(h, buf)
}

// PrepareRequest is Forward up to onsend_route: it resolves d, picks the
// socket, and builds the text of m as sent there, with a Via carrying
// branch ("" gives the branch of a stateless relay). A transaction layer
// sends each branch of a request this way, with its own branch values.
// Errors are logged as Kamailio's core logs them and carry forward()'s
// codes.
func (t *Transport) PrepareRequest(m *sipmsg.Msg, d Dest, branch string) (Hop, string, error) {
	return t.prepareRequest(m, d, branch, false)
}

// prepareRequest is PrepareRequest; with uac the request is built as its
// first sender would send it (ForwardUAC).
func (t *Transport) prepareRequest(m *sipmsg.Msg, d Dest, branch string, uac bool) (Hop, string, error) {
	h, buf, err := t.prepareBranch(m, d, branch, uac)
	var ns *NoSocketError
	var ue *UnresolvedError
	switch {
	case errors.As(err, &ue):
		t.log.Logf(klog.Err, "core", "forward_request(): bad host name %s, dropping packet", ue.Host)
	case errors.As(err, &ns):
		t.log.Logf(klog.Err, "core", "forward_request(): cannot forward to af %d, proto %d no corresponding listening socket", ns.AF(), ns.Proto)
	}
	return h, buf, err
}

// UnresolvedError is a destination whose host did not resolve.
type UnresolvedError struct {
	Host string
	Err  error
}

// UnresolvedProxyLine is the line the core logs, as CRITICAL, for a host
// written in the configuration that does not resolve (Kamailio's
// mk_proxy), at startup or when a function resolves one per call.
func UnresolvedProxyLine(host string) string {
	return "mk_proxy(): could not resolve hostname: \"" + host + "\""
}

func (e *UnresolvedError) Error() string { return "cannot resolve " + e.Host + ": " + e.Err.Error() }
func (e *UnresolvedError) Unwrap() error { return e.Err }

// NoSocketError is a destination no listening socket can send to.
type NoSocketError struct {
	Host  string // as the destination names it
	To    netip.AddrPort
	Proto int
}

func (e *NoSocketError) Error() string {
	return "no " + sipmsg.ProtoName(e.Proto, false) + " socket for " + e.To.String()
}

// AF is the address family of the destination as Kamailio prints it
// (2 IPv4, 10 IPv6).
func (e *NoSocketError) AF() int {
	if e.To.Addr().Is6() {
		return 10
	}
	return 2
}

// PrepareBranch is PrepareRequest without forward_request()'s log lines: a
// transaction layer logs its own (tm's uri2dst2 and prepare_new_uac
// lines). A host that does not resolve is logged here, as Kamailio's
// resolver (sip_hostport2su) logs it for every caller. Its errors carry
// forward()'s codes, with an UnresolvedError or a NoSocketError inside for
// a destination it cannot use.
func (t *Transport) PrepareBranch(m *sipmsg.Msg, d Dest, branch string) (Hop, string, error) {
	return t.prepareBranch(m, d, branch, false)
}

func (t *Transport) prepareBranch(m *sipmsg.Msg, d Dest, branch string, uac bool) (Hop, string, error) {
	if !m.IsRequest() {
		return Hop{}, "", fail(ErrUnspec, fmt.Errorf("forward: not a request"))
	}
	to, proto, err := t.resolve(d)
	if err != nil {
		t.log.Logf(klog.Err, "core", "sip_hostport2su(): could not resolve hostname: \"%s\"", d.Host)
		return Hop{}, "", fail(ErrBadAddress, &UnresolvedError{Host: d.Host, Err: err})
	}
	if branch == "" {
		if branch, err = statelessBranch(m); err != nil {
			t.log.Logf(klog.Err, "core", "char_msg_val(): %v", err)
			t.log.Log(klog.Err, "core", "forward_request(): char_msg_val failed")
			return Hop{}, "", fail(ErrUnspec, err)
		}
	}
	s := t.sendSocket(m, to, proto)
	if s == nil {
		return Hop{}, "", fail(ErrNoSocket, &NoSocketError{Host: d.Host, To: to, Proto: proto})
	}
	return Hop{sock: s, to: to, proto: proto, flags: m.Send.Fwd}, t.buildRequest(m, s, proto, branch, uac), nil
}

// OnSend runs onsend_route for m about to leave as h with text buf, and
// reports whether it may leave; the route's connection flags go into h.
// A dropped message is logged as Kamailio logs it.
func (t *Transport) OnSend(c *event.Context, m *sipmsg.Msg, h *Hop, buf string) bool {
	send, flags := t.onSend(c, m, *h, buf)
	if !send {
		t.log.Logf(klog.Info, "core", "forward_request(): request to %s:%d(%d) dropped (onsend_route)", h.to.Addr(), h.to.Port(), h.proto)
		return false
	}
	h.flags = flags
	return true
}

// Send sends buf as h says: the hop of a request PrepareRequest built, or
// of a reply ReplyHop chose. Retransmissions go this way too.
func (t *Transport) Send(h Hop, buf string) error { return t.send(h, buf) }

// buildRequest is the text of m as forwarded from s over proto. With uac
// the Via headers m arrived with are left out and kamgo's Via, written
// where the first of them was, is the only one (ForwardUAC).
func (t *Transport) buildRequest(m *sipmsg.Msg, s *socket, proto int, branch string, uac bool) string {
	via := t.viaLine(m, s, proto, branch)
	viaAt := -1
	routeAt := -1
	clen := false
	for _, h := range m.Headers {
		switch sipmsg.CanonName(h.Name) {
		case "via":
			if viaAt < 0 {
				viaAt = h.Start
			}
		case "route":
			if routeAt < 0 {
				routeAt = h.Start
			}
		case "content-length":
			clen = true
		}
	}
	if viaAt < 0 {
		// No Via (a message that did not come from the network): kamgo's
		// goes first.
		viaAt = strings.Index(m.Buf, "\r\n") + 2
	}
	edits := []sipmsg.Edit{{At: viaAt, Text: via}}
	if m.PathVec != "" {
		at := viaAt
		if routeAt >= 0 {
			at = routeAt
		}
		edits = append(edits, sipmsg.Edit{At: at, Text: "Route: " + m.PathVec + "\r\n"})
	}
	if uac {
		edits = append(edits, uacViaRemovals(m)...)
	} else {
		edits = append(edits, viaEdits(m)...)
	}
	if proto == sipmsg.ProtoTCP && !clen && len(m.Headers) > 0 {
		// A stream needs a Content-Length to frame the message.
		end := m.Headers[len(m.Headers)-1].End
		edits = append(edits, sipmsg.Edit{At: end, Text: "Content-Length: " + strconv.Itoa(len(m.Body)) + "\r\n"})
	}
	return m.Build(edits...)
}

// onSend runs onsend_route, when the configuration has one, for m about
// to be sent as o with text buf, and reports whether to send it (the
// route did not drop it) and the connection flags the route left. The
// event's route type, drop state and the message's own flags are as they
// were afterwards.
func (t *Transport) onSend(c *event.Context, m *sipmsg.Msg, o Hop, buf string) (bool, sipmsg.ConnFlags) {
	route, dropped, fwd, rpl := c.Route, c.Dropped, m.Send.Fwd, m.Send.Rpl
	m.Out = &sipmsg.Outgoing{From: o.sock.info, Proto: o.proto, Buf: buf,
		To: sipmsg.Addr{IP: o.to.Addr().String(), Port: int(o.to.Port())}}
	m.Send.Fwd = o.flags
	c.Dropped = false
	rc, ok := t.router.Run(c, event.OnSend())
	send := !ok || rc != 0 || !c.Dropped
	flags := m.Send.Fwd
	c.Route, c.Dropped, m.Send.Fwd, m.Send.Rpl, m.Out = route, dropped, fwd, rpl, nil
	return send, flags
}
