package rtjson

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// updateBranch is rtjson_update_branch, in branch_route: the settings of
// the route the branch was made for (the one before the index) apply to
// it. Only serial documents have them. 0 when applied, -1 when not.
func (m *Module) updateBranch(c *event.Context) int {
	const fn = "rtjson_update_branch"
	st, ok := m.load(c, fn)
	if !ok {
		return -1
	}
	if st.idx <= 0 {
		m.logf(klog.Warn, "%s(): invalid branch idx for routing", fn)
		return -1
	}
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
	if st.idx-1 >= int64(len(routes)) {
		return -1
	}
	return m.prepareBranch(c, routes[st.idx-1])
}

// prepareBranch applies route r to the branch being made: its final
// response timers (fr_timer, fr_inv_timer in milliseconds; 0 or absent
// leaves one as it is) through tm, and headers.extra, header lines added
// after the last header as append_hf adds them. headers.from and
// headers.to need the uac module, which kamgo does not have: as Kamailio
// without uac, they are not applied.
func (m *Module) prepareBranch(c *event.Context, r *jnode) int {
	const fn = "rtjson_prepare_branch"
	if m.setFr != nil {
		fr, _ := r.member("fr_timer").uint()
		frInv, _ := r.member("fr_inv_timer").uint()
		if fr != 0 || frInv != 0 {
			m.setFr(c, frInv, fr)
		}
	}
	h := r.member("headers")
	if h == nil || h.kind != jObject || len(h.items) == 0 {
		m.logf(klog.Dbg, "%s(): no header operations - done", fn)
		return 0
	}
	if extra, ok := h.member("extra").text(); ok && len(extra) > 4 {
		m.logf(klog.Dbg, "%s(): appending extra headers: [%s]", fn, extra)
		msg := sipmsg.FromContext(c)
		msg.Insert(msg.HeadersEnd(), extra)
	}
	return 0
}
