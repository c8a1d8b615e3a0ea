package rtjson

import (
	"github.com/kamgo/kamgo/modules/pv"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// The document and the route index live in the event's XAVPs, as in
// Kamailio: one XAVP named by xavp_cfg holding a list whose members are
// json (the document as given, a string) and idx (how many routes were
// used, an int), json first. Each rtjson_init_routes adds a new XAVP in
// front, and the functions read the newest. Being XAVPs they travel with
// the transaction (to t_continue's route, failure_route and branch_route)
// and scripts can read them as $xavp(rtjson=>json) and $xavp(rtjson=>idx).

// initRoutes is rtjson_init_routes: the document is kept when it parses;
// 0, or -1 when it does not.
func (m *Module) initRoutes(c *event.Context, doc string) int {
	if _, ok := parseDoc(doc); !ok {
		m.logf(klog.Err, "rtjson_init_routes(): invalid json doc [[%s]]", doc)
		return -1
	}
	pv.AddXavpList(c, m.xavp, []pv.XavpField{
		{Name: "idx", Value: value.MakeInt(0)},
		{Name: "json", Value: value.MakeStr(doc)},
	})
	return 0
}

// state is what the functions read back: the document and the route index.
type state struct {
	doc string
	idx int64
}

// load reads the newest document and index; fn names the function for the
// log lines. As Kamailio's lookups, it takes the first member of each name
// and fails when that one has the wrong type.
func (m *Module) load(c *event.Context, fn string) (state, bool) {
	fields, _ := pv.XavpList(c, m.xavp)
	var doc, idx *pv.XavpField
	for i := range fields {
		f := &fields[i]
		switch {
		case f.Name == "json" && doc == nil:
			doc = f
		case f.Name == "idx" && idx == nil:
			idx = f
		}
	}
	if doc == nil || doc.List || doc.Value.K != value.Str || doc.Value.S == "" {
		m.logf(klog.Warn, "%s(): no json for routing", fn)
		return state{}, false
	}
	if idx == nil || idx.List || idx.Value.K != value.Int {
		m.logf(klog.Warn, "%s(): no idx for routing", fn)
		return state{}, false
	}
	return state{doc: doc.Value.S, idx: idx.Value.I}, true
}

// setIdx writes the route index back.
func (m *Module) setIdx(c *event.Context, idx int64) {
	if err := m.idxRef.Set(c, value.MakeInt(idx)); err != nil {
		m.logf(klog.Err, "cannot update the route index: %v", err)
	}
}

// routesOf parses the stored document and returns its routing mode (the
// routing member's string value); fn names the function for the log
// lines. ok is false, with the line logged, when the document does not
// parse or has no string routing member.
func (m *Module) routesOf(fn string, st state) (doc *jnode, routing string, ok bool) {
	doc, ok = parseDoc(st.doc)
	if !ok {
		m.logf(klog.Err, "%s(): invalid json doc [[%s]]", fn, st.doc)
		return nil, "", false
	}
	routing, ok = doc.member("routing").text()
	if !ok {
		m.logf(klog.Err, "%s(): missing or invalid routing field", fn)
		return nil, "", false
	}
	return doc, routing, true
}

// routeList returns the document's routes; fn names the function for the
// log line when there is no non-empty routes array.
func (m *Module) routeList(fn string, doc *jnode) ([]*jnode, bool) {
	r := doc.member("routes")
	if r == nil || r.kind != jArray || len(r.items) == 0 {
		m.logf(klog.Err, "%s(): missing or invalid routes field", fn)
		return nil, false
	}
	return r.items, true
}
