package rtjson

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// A route is an object of the document's routes array. Its members that
// set where a branch goes are uri, dst_uri, path, socket and, for the
// first route only, branch_flags; those applied in branch_route are in
// branch.go. A member of the wrong type is ignored.

// maxURISize bounds a branch URI and destination URI, as Kamailio's
// MAX_URI_SIZE does.
const maxURISize = 1024

// pushRoutes is rtjson_push_routes: 0 when the routes are set, -1 when
// not.
func (m *Module) pushRoutes(c *event.Context) int {
	const fn = "rtjson_push_routes"
	st, ok := m.load(c, fn)
	if !ok {
		return -1
	}
	m.logf(klog.Dbg, "%s(): routes index: %d", fn, st.idx)
	doc, routing, ok := m.routesOf(fn, st)
	if !ok {
		return -1
	}
	switch routing {
	case "serial":
		m.logf(klog.Dbg, "%s(): supported routing [%s]", fn, routing)
		return m.initSerial(c, doc, st)
	case "parallel":
		m.logf(klog.Dbg, "%s(): supported routing [%s]", fn, routing)
		return m.initParallel(c, doc, st)
	}
	m.logf(klog.Err, "%s(): unsupported routing [%s]", fn, routing)
	return -1
}

// initSerial makes the first route the Request-URI's: the destination set
// is emptied, the Request-URI rewritten, and what belonged to the previous
// destination (destination URI, Path, instance, ruid, user agent, forced
// socket, reg-id, q) reset before the route's own are set. Its
// branch_flags are added to the Request-URI's. The index moves past the
// route.
func (m *Module) initSerial(c *event.Context, doc *jnode, st state) int {
	const fn = "rtjson_init_serial"
	routes, ok := m.routeList(fn, doc)
	if !ok {
		return -1
	}
	r := routes[0]
	msg := sipmsg.FromContext(c)
	// The core's clear_branches: no branches, and the Request-URI's
	// branch flags and q reset with them.
	msg.Branches = nil
	msg.RuriFlags = 0
	if uri, ok := r.member("uri").text(); ok {
		m.logf(klog.Dbg, "%s(): rewrite r-uri to: [%s]", fn, uri)
		msg.SetRequestURI(uri)
	}
	msg.DstURI, msg.PathVec = "", ""
	msg.Instance, msg.Ruid, msg.LocationUA = "", "", ""
	msg.ForceSocket = nil
	msg.RegID = 0
	msg.RuriQ = 0
	if dst, ok := r.member("dst_uri").text(); ok {
		m.logf(klog.Dbg, "%s(): rewrite dst-uri to: [%s]", fn, dst)
		msg.DstURI = dst
	}
	// Kamailio marks the Request-URI new here (ruri_mark_new): kamgo's tm
	// forwards to the Request-URI on the first t_relay of a transaction
	// anyway, which is where rtjson_push_routes can be followed by one.
	if path, ok := r.member("path").text(); ok {
		m.logf(klog.Dbg, "%s(): rewrite path to: [%s]", fn, path)
		msg.PathVec = path
	}
	if s, ok := r.member("socket").text(); ok {
		m.logf(klog.Dbg, "%s(): trying to set send socket to: [%s]", fn, s)
		if sock, _ := sip.SocketAt(c, s); sock != nil {
			msg.ForceSocket = sock
		}
	}
	if f, ok := r.member("branch_flags").uint(); ok && f != 0 {
		msg.RuriFlags |= f
	}
	m.setIdx(c, st.idx+1)
	return 0
}

// initParallel is initSerial, then a branch for each other route; a
// route that cannot be added is skipped (the index still counts it).
func (m *Module) initParallel(c *event.Context, doc *jnode, st state) int {
	routes, ok := m.routeList("rtjson_init_parallel", doc)
	if !ok {
		return -1
	}
	if rc := m.initSerial(c, doc, st); rc < 0 {
		return rc
	}
	for _, r := range routes[1:] {
		m.appendBranch(c, r)
	}
	m.setIdx(c, st.idx+int64(len(routes)))
	return 0
}

// nextRoute is rtjson_next_route: the route at the index of a serial
// document becomes a branch and the index moves past it. -1 when the
// document is not serial or has no more routes.
func (m *Module) nextRoute(c *event.Context) int {
	const fn = "rtjson_next_route"
	st, ok := m.load(c, fn)
	if !ok {
		return -1
	}
	m.logf(klog.Dbg, "%s(): routes index: %d", fn, st.idx)
	doc, routing, ok := m.routesOf(fn, st)
	if !ok {
		return -1
	}
	if routing != "serial" {
		m.logf(klog.Dbg, "%s(): not serial routing [%s]", fn, routing)
		return -1
	}
	routes, ok := m.routeList(fn, doc)
	if !ok {
		return -1
	}
	i := max(st.idx, 0)
	if i >= int64(len(routes)) {
		m.logf(klog.Dbg, "%s(): no route at index: %d", fn, st.idx)
		return -1
	}
	m.setIdx(c, st.idx+1)
	if m.appendBranch(c, routes[i]) < 0 {
		m.logf(klog.Dbg, "%s(): route index %d not appended", fn, st.idx+1)
		return -1
	}
	return 0
}

// appendBranch adds route r to the destination set: its uri (the
// Request-URI when it has none), destination URI, Path and socket, with q
// 0 and no branch flags.
func (m *Module) appendBranch(c *event.Context, r *jnode) int {
	msg := sipmsg.FromContext(c)
	uri, ok := r.member("uri").text()
	if !ok || uri == "" {
		uri = msg.RequestURI()
	}
	b := sipmsg.Branch{URI: uri, Q: 0}
	b.DstURI, _ = r.member("dst_uri").text()
	b.Path, _ = r.member("path").text()
	if s, ok := r.member("socket").text(); ok {
		b.Socket, _ = sip.SocketAt(c, s)
	}
	err := m.checkBranch(b)
	if err == nil {
		err = msg.AppendBranch(b)
	}
	if err != nil {
		if m.log != nil {
			m.log.Logf(klog.Err, "core", "append_branch(): %v", err)
		}
		m.logf(klog.Err, "rtjson_append_branch(): failed to append branch")
		return -1
	}
	return 0
}

// branchError is a branch the core's append_branch refuses.
type branchError string

func (e branchError) Error() string { return string(e) }

// checkBranch refuses URIs longer than Kamailio's buffers hold.
func (m *Module) checkBranch(b sipmsg.Branch) error {
	switch {
	case len(b.URI) > maxURISize-1:
		return branchError("too long uri: " + b.URI)
	case len(b.DstURI) > maxURISize-1:
		return branchError("too long dst_uri: " + b.DstURI)
	}
	return nil
}
