package htable

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// expiredKey holds, in the context of event_route[htable:expired:NAME],
// the item that expired ($shtrecord).
var expiredKey = event.NewKey()

// setFakedMsg gives c the faked request Kamailio runs module events on.
func setFakedMsg(c *event.Context) { sipmsg.Set(c, sipmsg.Faked()) }

// hasExpiredEvent reports whether expired items of t run something: the
// table's event_route, or the KEMI event_callback when the configuration
// runs a KEMI engine.
func (m *Module) hasExpiredEvent(t *Table) bool {
	if m.strs["event_callback"] != "" {
		return module.EngineOf(m.host) != nil
	}
	return m.host.Has(event.Event(t.evName))
}

// expire is one run of the expiry timer over the slots start,
// start+step, ... of every table with autoexpire (Kamailio's ht_timer): an
// item whose expiry has passed is removed, after its table's expired
// event ran for it with the slot still locked, as in Kamailio. The event
// runs on a worker of the core's pool, which is then also the owner of
// the slot locks, so that the route can read and write the table.
func (m *Module) expire(start, step int) {
	now := m.now()
	var w *event.Worker
	var o owner = new(byte)
	for _, t := range m.tables {
		if t.autoexpire > 0 && w == nil && m.hasExpiredEvent(t) {
			pool := m.host.Workers()
			w = pool.Get()
			defer pool.Release(w)
			o = w
		}
	}
	for _, t := range m.tables {
		if t.autoexpire <= 0 {
			continue
		}
		events := m.hasExpiredEvent(t)
		for i := start; i < len(t.slots); i += step {
			sl := &t.slots[i]
			sl.lock.lock(o)
			for k := 0; k < len(sl.cells); {
				c := sl.cells[k]
				if c.expire == 0 || c.expire >= now {
					k++
					continue
				}
				if events {
					m.runExpired(w, t, c.value())
				}
				// The route may have changed the slot: find the item again.
				if k = indexOf(sl.cells, c); k >= 0 {
					sl.remove(k)
				} else {
					k = 0
				}
			}
			sl.lock.unlock(o)
		}
	}
}

// runExpired runs the expired event of t for v on worker w.
func (m *Module) runExpired(w *event.Worker, t *Table, v Value) {
	c := &event.Context{}
	c.Reset()
	c.Worker, c.Log = w, m.log
	setFakedMsg(c)
	c.Set(expiredKey, v)
	module.RunEvent(m.host, c, t.evName, m.strs["event_callback"])
}
