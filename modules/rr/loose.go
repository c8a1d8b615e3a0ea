package rr

import (
	"errors"
	"strings"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// loose_route's results (Kamailio's RR_* codes).
const (
	rrDriven    = 1  // the next hop comes from the Route set
	rrNotDriven = -1 // it does not (no Route, or an error)
	rrPreloaded = -3 // the Route set was preloaded and only named this server
)

// loose_route's modes: 0 handles a strict router before this server
// (the Request-URI names it), 1 only loose routers.
const (
	modeAny = iota
	modePreloaded
)

// walker walks the entries of the Route headers of a request, removing a
// header once all of its entries were passed.
type walker struct {
	msg  *sipmsg.Msg
	hdrs []*sipmsg.Header
	hi   int
	cur  *routeHdr
	ei   int
}

func (w *walker) elem() routeElem { return w.cur.elems[w.ei] }

// lastInHeader reports whether the current entry ends its header.
func (w *walker) lastInHeader() bool { return w.ei == len(w.cur.elems)-1 }

// advance moves to the next entry; when the current one ends its header,
// that header is removed from the message first. more is false when there
// is no entry left.
func (w *walker) advance() (more bool, err error) {
	if !w.lastInHeader() {
		w.ei++
		return true, nil
	}
	w.removeHeader(w.cur.h)
	if w.hi+1 >= len(w.hdrs) {
		return false, nil
	}
	w.hi++
	rh, err := parseRoute(w.hdrs[w.hi])
	if err != nil {
		return false, err
	}
	w.cur, w.ei = rh, 0
	return true, nil
}

func (w *walker) removeHeader(h *sipmsg.Header) { w.msg.Remove(h.Start, h.End-h.Start) }

var errFolded = errors.New("the Route header value is not in one piece")

// removeUpTo removes the current header's value from its start up to rel
// (an offset in the value): the entries before the one starting there.
func (w *walker) removeUpTo(rel int) error {
	at, ok := abs(w.cur.h, 0)
	if !ok {
		return errFolded
	}
	w.msg.Remove(at, rel)
	return nil
}

// removeRange removes the text between two offsets of header h's value.
func (w *walker) removeRange(h *sipmsg.Header, from, to int) error {
	at, ok := abs(h, from)
	if !ok {
		return errFolded
	}
	w.msg.Remove(at, to-from)
	return nil
}

// looseRoute is loose_route_mode(mode): Kamailio's loose_route with its
// codes (1, -1, -3; 2 is outbound's, which kamgo has not). The modules'
// callbacks run once the request is routed (callbacks.go).
func (m *Module) looseRoute(c *event.Context, msg *sipmsg.Msg, mode int64) int {
	rc := m.route(c, msg, mode)
	m.runCallbacks(c, msg, rc)
	return rc
}

// route is loose_route_mode without the callbacks.
func (m *Module) route(c *event.Context, msg *sipmsg.Msg, mode int64) int {
	hdrs := routeHeaders(msg)
	if len(hdrs) == 0 || !msg.IsRequest() {
		return rrNotDriven
	}
	first, err := parseRoute(hdrs[0])
	if err != nil {
		logf(c, klog.Err, "find_first_route(): failed to parse Route HF")
		return rrNotDriven
	}
	ru, err := sipmsg.ParseURI(msg.RequestURI())
	if err != nil {
		logf(c, klog.Err, "loose_route_mode(): failed to parse Request URI")
		return rrNotDriven
	}
	toTag, ok := headerTag(msg, "to")
	if !ok {
		logf(c, klog.Err, "is_preloaded(): To header field not found")
		return rrNotDriven
	}
	w := &walker{msg: msg, hdrs: hdrs, cur: first}
	switch {
	case toTag == "":
		return m.afterLoose(c, msg, w, true)
	case mode == 0 && myself(c, msg, ru):
		return m.afterStrict(c, msg, w, ru)
	}
	return m.afterLoose(c, msg, w, false)
}

// afterLoose routes a request whose previous hop was a loose router (or
// which starts a dialog with a preloaded Route set): the entries naming
// this server are removed; the next entry is the next hop, put in $du for
// a loose router or in the Request-URI for a strict one.
func (m *Module) afterLoose(c *event.Context, msg *sipmsg.Msg, w *walker, preloaded bool) int {
	st := stateOf(c, msg)
	st.routed = routed{}
	e := w.elem()
	pu, err := sipmsg.ParseURI(e.uri)
	if err != nil {
		logf(c, klog.Err, "after_loose(): failed to parse the first route URI (%s)", e.uri)
		return rrNotDriven
	}
	status := rrDriven
	if preloaded {
		status = rrPreloaded
	}
	if myself(c, msg, pu) {
		st.routed = routed{set: true, params: pu.Params, semi: true}
		two := m.doubleRR != 0 && is2RR(pu.Params)
		if m.forceSendSocket != 0 && !two {
			m.forceSocket(c, msg, pu, e.uri, false)
		}
		more, err := w.advance()
		if err != nil {
			logf(c, klog.Err, "after_loose(): failed to find next route")
			return rrNotDriven
		}
		if !more {
			return status
		}
		if two {
			e = w.elem()
			pu2, err := sipmsg.ParseURI(e.uri)
			if err != nil {
				logf(c, klog.Err, "after_loose(): failed to parse the double route URI (%s)", e.uri)
				return rrNotDriven
			}
			m.forceSocket(c, msg, pu2, e.uri, true)
			if more, err = w.advance(); err != nil {
				logf(c, klog.Err, "after_loose(): failed to find next route")
				return rrNotDriven
			}
			if !more {
				return status
			}
		}
		e = w.elem()
		if pu, err = sipmsg.ParseURI(e.uri); err != nil {
			logf(c, klog.Err, "after_loose(): failed to parse the next route URI (%s)", e.uri)
			return rrNotDriven
		}
		st.routeAddr = true
	}
	if isStrict(pu.Params) {
		if err := m.handleStrict(msg, w, pu); err != nil {
			logf(c, klog.Err, "after_loose(): failed to handle strict router")
			return rrNotDriven
		}
		return rrDriven
	}
	msg.DstURI = maddrURI(e.uri, pu)
	if w.ei != 0 {
		// The entries of this server before it in the same header.
		if err := w.removeUpTo(e.start); err != nil {
			logf(c, klog.Err, "after_loose(): failed to remove Route HF")
			return rrNotDriven
		}
	}
	return rrDriven
}

// handleStrict sends the request to a strict router, the current entry:
// the Request-URI goes as a Route at the end of the headers, the entry
// becomes the Request-URI and is removed.
func (m *Module) handleStrict(msg *sipmsg.Msg, w *walker, pu *sipmsg.URI) error {
	msg.Insert(msg.HeadersEnd(), "Route: <"+msg.RURI+">\r\n")
	e := w.elem()
	msg.SetRequestURI(maddrURI(e.uri, pu))
	if w.lastInHeader() {
		w.removeHeader(w.cur.h)
		return nil
	}
	return w.removeUpTo(w.cur.elems[w.ei+1].start)
}

// afterStrict routes a request whose previous hop was a strict router:
// the Request-URI names this server. The top Route is the next hop; when
// it is a loose router the remote target is the last Route entry, which
// becomes the Request-URI (RFC 3261 §16.4).
func (m *Module) afterStrict(c *event.Context, msg *sipmsg.Msg, w *walker, ru *sipmsg.URI) int {
	st := stateOf(c, msg)
	st.routed = routed{}
	e := w.elem()
	pu, err := sipmsg.ParseURI(e.uri)
	if err != nil {
		logf(c, klog.Err, "after_strict(): failed to parse the first route URI")
		return rrNotDriven
	}
	if m.doubleRR != 0 && is2RR(pu.Params) && myself(c, msg, pu) {
		if s := m.socketExact(c, pu); s != nil {
			msg.ForceSocket = s
		} else if m.mismatchWarn != 0 {
			logf(c, klog.Warn, "after_strict(): no socket found for match second RR")
		}
		more, err := w.advance()
		if err != nil {
			logf(c, klog.Err, "after_strict(): searching next route failed")
			return rrNotDriven
		}
		if !more {
			return rrNotDriven
		}
		e = w.elem()
		if pu, err = sipmsg.ParseURI(e.uri); err != nil {
			logf(c, klog.Err, "after_strict(): failed to parse URI")
			return rrNotDriven
		}
	}
	if msg.NewURI == "" {
		// Kamailio keeps the parameters of the Request-URI as received.
		st.routed = routed{set: true, params: ru.Params}
	}
	if isStrict(pu.Params) {
		// The next hop is a strict router too: it goes in the
		// Request-URI.
		msg.SetRequestURI(maddrURI(e.uri, pu))
		var err error
		if w.lastInHeader() {
			w.removeHeader(w.cur.h)
		} else {
			err = w.removeUpTo(w.cur.elems[w.ei+1].start)
		}
		if err != nil {
			logf(c, klog.Err, "after_strict(): failed to remove Route HF")
			return rrNotDriven
		}
		return rrDriven
	}
	msg.DstURI = maddrURI(e.uri, pu)
	if w.ei != 0 {
		if err := w.removeUpTo(e.start); err != nil {
			logf(c, klog.Err, "after_strict(): failed to remove Route HF")
			return rrNotDriven
		}
	}
	last := w.hdrs[len(w.hdrs)-1]
	rh := w.cur
	if last != w.cur.h {
		if rh, err = parseRoute(last); err != nil {
			logf(c, klog.Err, "find_rem_target(): failed to parse last Route HF")
			logf(c, klog.Err, "after_strict(): searching for last Route URI failed")
			return rrNotDriven
		}
	}
	le := rh.elems[len(rh.elems)-1]
	lu, err := sipmsg.ParseURI(le.uri)
	if err != nil {
		logf(c, klog.Err, "get_maddr_uri(): failed to parse the URI")
		logf(c, klog.Err, "after_strict(): checking maddr failed")
		return rrNotDriven
	}
	msg.SetRequestURI(maddrURI(le.uri, lu))
	if len(rh.elems) > 1 {
		err = w.removeRange(last, rh.elems[len(rh.elems)-2].end, le.end)
	} else {
		w.removeHeader(last)
	}
	if err != nil {
		logf(c, klog.Err, "after_strict(): failed to remove Route HF")
		return rrNotDriven
	}
	return rrDriven
}

// forceSocket makes the socket a Route entry of this server names the
// one the request leaves from (force_send_socket, and the second entry of
// a double record-route); rr2on is set for the latter, which warns when
// there is no such socket.
func (m *Module) forceSocket(c *event.Context, msg *sipmsg.Msg, u *sipmsg.URI, uri string, rr2on bool) {
	if s := m.socketFor(c, u); s != nil {
		msg.ForceSocket = s
		return
	}
	if m.mismatchWarn != 0 && rr2on {
		logf(c, klog.Warn, "rr_do_force_send_socket(): no socket found to match second RR (%s)", uri)
		if !myself(c, msg, u) {
			logf(c, klog.Warn, "rr_do_force_send_socket(): second RR uri is not myself (%s)", uri)
		}
	}
}

// socketExact finds the socket of a URI's host, port (any when none is
// written) and transport.
func (m *Module) socketExact(c *event.Context, u *sipmsg.URI) *sipmsg.Socket {
	t := sip.From(c)
	if t == nil {
		return nil
	}
	port := 0
	if u.Port != "" {
		port = u.PortNumber()
	}
	return t.Socket(u.Proto(), strings.Trim(u.Host, "[]"), port)
}

// nextHopRoute is rr_next_hop_route(): 1 when loose_route took the next
// hop from the Route set.
func (m *Module) nextHopRoute(c *event.Context, msg *sipmsg.Msg) int {
	if stateOf(c, msg).routeAddr {
		return 1
	}
	return -1
}

// routeURI is $route_uri: the URI of the first Route entry; "" (with
// Kamailio's log line) without one.
func routeURI(c *event.Context, msg *sipmsg.Msg) string {
	hdrs := routeHeaders(msg)
	if len(hdrs) == 0 {
		logf(c, klog.Info, "pv_get_route_uri_f(): No route header present.")
		return ""
	}
	rh, err := parseRoute(hdrs[0])
	if err != nil {
		logf(c, klog.Err, "pv_get_route_uri_f(): Error while parsing Route header")
		return ""
	}
	return strings.TrimSpace(rh.elems[0].uri)
}
