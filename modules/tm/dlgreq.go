package tm

import (
	"errors"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// tm's API for requests a module sends on its own (Kamailio's t_request,
// t_request_within with a dlg_t): the request starts a dialog or goes in
// one, as a local transaction, and the module's callback follows its
// replies (ResponseIn for each reply received, LocalCompleted for the
// final one, made by tm on a timeout). The request is written as
// Kamailio's build_uac_req writes it: Via, To, From, CSeq, Call-ID, the
// route set, Max-Forwards (unless the headers carry one), Content-Length,
// the server's User-Agent, the headers given, the body.

// Dialog is a dialog as the side that sends sees it (Kamailio's dlg_t).
type Dialog struct {
	CallID string
	// LocalURI and LocalTag go in From, RemoteURI and RemoteTag in To.
	LocalURI, LocalTag   string
	RemoteURI, RemoteTag string
	// CSeq is the CSeq number of the last request sent in the dialog;
	// SendWithin sends the next one (ACK and CANCEL excepted) and keeps
	// it here.
	CSeq uint32
	// Target is the remote target, the Request-URI (RemoteURI when
	// empty).
	Target string
	// RouteSet are the dialog's Route entries, each as written
	// ("<sip:p1;lr>").
	RouteSet []string
	// DstURI is where the request goes when there is no route set
	// ("" : the Request-URI).
	DstURI string
	// Socket is the socket to send from; nil lets the transport choose.
	Socket *sipmsg.Socket
}

// ErrNoTransport is returned while the server has no SIP transport (no
// listening socket open).
var ErrNoTransport = errors.New("tm: no SIP transport")

// errSend is a request tm could not send (no socket, no route to the
// next hop, a bad URI); the log says why.
var errSend = errors.New("tm: the request could not be sent")

// SendWithin sends method in dialog d (Kamailio's t_request_within):
// the CSeq one above d.CSeq (kept in d), the route set and the remote
// target as RFC 3261 §12.2.1.1 says (a strict router first becomes the
// Request-URI, the target the last Route). headers are extra header
// lines, body the body (headers then carry its Content-Type). fn, when
// not nil, is called for the events in types (ResponseIn,
// LocalCompleted) of the transaction.
func (m *Module) SendWithin(c *event.Context, d *Dialog, method, headers, body string, types CallbackType, fn Callback) error {
	if method != "ACK" && method != "CANCEL" {
		d.CSeq++
	}
	return m.sendDialog(c, d, method, headers, body, types, fn)
}

// SendNew sends method to start a dialog, or outside any (Kamailio's
// t_request): ruri is the Request-URI, to and from the URIs of To and
// From, nextHop where it goes ("" : the Request-URI); the Call-ID and
// From tag are new, the CSeq is 10, as Kamailio's.
func (m *Module) SendNew(c *event.Context, method, ruri, to, from, nextHop, headers, body string, types CallbackType, fn Callback) error {
	tr := m.sendTransport(c)
	if tr == nil {
		return ErrNoTransport
	}
	d := &Dialog{CallID: newCallID(tr), LocalURI: from, RemoteURI: to, CSeq: defaultCSeq, Target: ruri, DstURI: nextHop}
	d.LocalTag = fromTag(tr, d.CallID, ruri)
	return m.sendDialog(c, d, method, headers, body, types, fn)
}

// sendTransport is the transport of c, else the one tm saw last.
func (m *Module) sendTransport(c *event.Context) *sip.Transport {
	if c != nil {
		if tr := sip.From(c); tr != nil {
			return tr
		}
	}
	return m.transport()
}

// sendDialog builds the request of d (Kamailio's calculate_hooks and
// build_uac_req) and sends it as a local transaction.
func (m *Module) sendDialog(c *event.Context, d *Dialog, method, headers, body string, types CallbackType, fn Callback) error {
	tr := m.sendTransport(c)
	if tr == nil {
		return ErrNoTransport
	}
	target := d.Target
	if target == "" {
		target = d.RemoteURI
	}
	ruri, nexthop := rawURI(target), d.DstURI
	if len(d.RouteSet) == 0 && nexthop == "" {
		// a target behind NAT (nathelper's add_contact_alias): the
		// request goes to the address the alias keeps
		if nuri, duri, ok := restoreAlias(ruri); ok {
			ruri, nexthop = nuri, duri
		}
	}
	var routes []string
	if len(d.RouteSet) > 0 {
		first := rawURI(routeURI(d.RouteSet[0]))
		if hasLR(first) {
			nexthop = first
			routes = d.RouteSet
		} else {
			ruri, nexthop = first, first
			routes = append(append([]string(nil), d.RouteSet[1:]...), "<"+target+">")
		}
	}
	if _, err := sipmsg.ParseURI(ruri); err != nil {
		m.log.Logf(klog.Err, Name, "t_uac_prepare(): invalid request URI \"%s\"", ruri)
		return errSend
	}
	u := uacHeaders{fromURI: d.LocalURI, fromTag: d.LocalTag, toURI: d.RemoteURI, toTag: d.RemoteTag,
		callID: d.CallID, cseq: int(d.CSeq), block: headers}
	if len(routes) > 0 {
		u.routes = "Route: " + strings.Join(routes, ", ") + "\r\n"
	}
	r := uacRequest{method: method, ruri: ruri, nexthop: nexthop, body: body}
	ec := &event.Context{}
	ec.Reset()
	ec.Log = m.log
	if c != nil {
		ec.Worker = c.Worker
		if c.Log != nil {
			ec.Log = c.Log
		}
	}
	sip.Attach(ec, tr)
	if ec.Worker == nil && m.host != nil {
		// event_route[tm:local-request] runs on a worker: a timer's or an
		// RPC's request borrows one of the core's
		if pool := m.host.Workers(); pool != nil {
			w := pool.Get()
			defer pool.Release(w)
			ec.Worker = w
		}
	}
	var cb *txnCallback
	if fn != nil {
		cb = &txnCallback{types: types, fn: fn}
	}
	if rc := m.uacWith(ec, tr, r, u, d.Socket, cb); rc <= 0 {
		return errSend
	}
	return nil
}

// aliasParam is the parameter add_contact_alias writes.
const aliasParam = ";alias="

// restoreAlias splits a URI carrying an alias parameter (";alias=ip~port~proto",
// Kamailio's uri_restore_rcv_alias) into the URI without it and the
// address it names ("sip:ip:port", with a transport other than UDP).
func restoreAlias(uri string) (nuri, duri string, ok bool) {
	i := strings.LastIndex(uri, aliasParam)
	if i < 5 {
		return "", "", false
	}
	rest := uri[i+len(aliasParam):]
	end := strings.IndexByte(rest, ';')
	if end < 0 {
		end = len(rest)
	}
	parts := strings.Split(rest[:end], "~")
	if len(parts) != 3 || parts[0] == "" || len(parts[2]) != 1 {
		return "", "", false
	}
	duri = "sip:" + parts[0] + ":" + parts[1]
	if proto := int(parts[2][0] - '0'); proto != sipmsg.ProtoUDP {
		if name := sipmsg.ProtoName(proto, false); name != "" {
			duri += ";transport=" + name
		}
	}
	return uri[:i] + rest[end:], duri, true
}

// rawURI takes a URI out of its angle brackets (Kamailio's get_raw_uri).
func rawURI(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return s
}

// bracketed writes a From or To URI in angle brackets unless it already
// has them (Kamailio's rule: a '>' at its end or before a ';').
func bracketed(uri string) string {
	if i := strings.LastIndexByte(uri, '>'); i >= 0 && (i == len(uri)-1 || uri[i+1] == ';') {
		return uri
	}
	return "<" + uri + ">"
}

// localCompleted runs x's LocalCompleted callbacks for the final reply
// code of branch relay (rpl nil when tm made it). A 2xx to an INVITE is
// reported once per to-tag. x.mu must be held.
func (x *txn) localCompleted(c *event.Context, relay int, rpl *sipmsg.Msg, code int) {
	if !x.has(LocalCompleted) {
		return
	}
	if x.invite && rpl != nil && code >= 200 && code < 300 {
		tag := toTagOf(rpl)
		x.cbs.mu.Lock()
		_, seen := x.cbs.totags[tag]
		if !seen {
			if x.cbs.totags == nil {
				x.cbs.totags = map[string]bool{}
			}
			x.cbs.totags[tag] = false
		}
		x.cbs.mu.Unlock()
		if seen {
			return
		}
	}
	x.run(&Event{Type: LocalCompleted, Ctx: x.callbackEvent(c), Req: x.request(), Reply: rpl, Code: code, Branch: relay})
}

// responseIn runs x's ResponseIn callbacks for a reply just matched to
// branch b. x.mu must be held.
func (x *txn) responseIn(c *event.Context, b int, rpl *sipmsg.Msg) {
	if !x.has(ResponseIn) {
		return
	}
	x.run(&Event{Type: ResponseIn, Ctx: x.callbackEvent(c), Req: x.request(), Reply: rpl, Code: rpl.Status, Branch: b})
}

// callbackEvent is a fresh context on c's worker for a callback of a
// local transaction, with the transport: the callback may send requests
// of its own.
func (x *txn) callbackEvent(c *event.Context) *event.Context {
	ec := &event.Context{}
	ec.Reset()
	ec.Log = x.m.log
	if c != nil {
		ec.Worker = c.Worker
		if c.Log != nil {
			ec.Log = c.Log
		}
	}
	if x.tr != nil {
		sip.Attach(ec, x.tr)
	}
	if x.reqMsg != nil {
		sipmsg.Set(ec, x.request())
	}
	return ec
}
