package dialog

import (
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// The routes the module runs: the dialog event routes (or the KEMI
// event callback) and the timeout route.

// runEvent runs event_route[dialog:start|end|failed] for a change of
// state (Kamailio's dlg_run_event_route), on msg or a faked request; with
// event_callback set, the KEMI engine's function of that name runs
// instead, with the event's name. It returns false when the dialog is
// gone after the route.
func (m *Module) runEvent(c *event.Context, d *dlg, msg *sipmsg.Msg, old, now int) bool {
	if old == now {
		return true
	}
	name := ""
	switch {
	case now == stateConfirmedNA:
		name = "dialog:start"
	case now == stateDeleted && (old == stateConfirmed || old == stateConfirmedNA):
		name = "dialog:end"
	case now == stateDeleted && (old == stateUnconfirmed || old == stateEarly):
		name = "dialog:failed"
	}
	if m.host == nil {
		return true
	}
	var run func(ec *event.Context)
	if cb := m.cfg.eventCallback; cb != "" {
		eng := module.EngineOf(m.host)
		if eng == nil {
			return true
		}
		if name == "" {
			name = "unknown"
		}
		run = func(ec *event.Context) {
			ec.Event, ec.Route = name, routetype.Event
			if rc, _ := eng.KEMIRun(ec, cb, name, false); rc < 0 {
				m.logf(ec, klog.Err, "error running event route kemi callback (%d %d)", old, now)
			}
		}
	} else {
		t := event.Event(name)
		if name == "" || !m.host.Has(t) {
			return true
		}
		run = func(ec *event.Context) { m.host.Run(ec, t) }
	}
	m.runOn(c, d, msg, run)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lookup(d.hEntry, d.hID) == nil {
		m.log.Logf(klog.Alert, Name, "after event route - dialog not found [%d:%d] (%d/%d)", d.hEntry, d.hID, old, now)
		return false
	}
	return true
}

// runOn calls run with a context of its own for d, whose dialog is d; on
// c's worker when there is one, else on one of the core's.
func (m *Module) runOn(c *event.Context, d *dlg, msg *sipmsg.Msg, run func(ec *event.Context)) {
	ec := &event.Context{}
	ec.Reset()
	ec.Log = m.log
	if msg == nil {
		msg = sipmsg.Faked()
	}
	sipmsg.Set(ec, msg)
	if tr := m.tr.Load(); tr != nil {
		sip.Attach(ec, tr)
	}
	x := &dctx{spiral: -1}
	m.mu.Lock()
	x.setDlg(d)
	m.mu.Unlock()
	ec.Set(ctxKey, x)
	if c != nil && c.Worker != nil {
		ec.Worker = c.Worker
		if c.Log != nil {
			ec.Log = c.Log
		}
		run(ec)
		return
	}
	pool := m.host.Workers()
	if pool == nil {
		return
	}
	w := pool.Get()
	defer pool.Release(w)
	ec.Worker = w
	run(ec)
}

// runTimeoutRoute runs, for an expired dialog, the route
// $dlg_ctx(timeout_route) named, as a request route on a faked request
// (with event_callback, the KEMI function with "dialog:timeout").
func (m *Module) runTimeoutRoute(d *dlg, name string, id int) {
	if m.host == nil {
		return
	}
	if cb := m.cfg.eventCallback; cb != "" && id == 0 {
		eng := module.EngineOf(m.host)
		if eng == nil {
			return
		}
		m.runOn(nil, d, nil, func(ec *event.Context) {
			ec.Event, ec.Route = "dialog:timeout", routetype.Event
			if rc, _ := eng.KEMIRun(ec, cb, "dialog:timeout", false); rc < 0 {
				m.logf(ec, klog.Err, "error running event route kemi callback")
			}
		})
		return
	}
	if id <= 0 {
		return
	}
	t := event.Route(name, routetype.Request)
	m.runOn(nil, d, nil, func(ec *event.Context) {
		ec.Route = routetype.Request
		m.host.Run(ec, t)
	})
}
