package tmx

import (
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/counters"
)

// RegisterCounters implements counters.Registrant: tm's statistics, in
// group "tmx" as Kamailio's tmx registers them, each read from tm's counts
// when asked (so none can be reset).
func (m *Module) RegisterCounters(r *counters.Registry) error {
	if m.tm == nil {
		return nil
	}
	t := m.tm
	stat := func(f func(s tm.Stats) uint64) func() int64 {
		return func() int64 { return int64(f(t.Stats())) }
	}
	class := func(c int) func() int64 { return stat(func(s tm.Stats) uint64 { return s.Completed[c] }) }
	const doc = "tm statistic"
	_, err := r.RegisterAll("tmx", []counters.Def{
		{Name: "UAS_transactions", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Created })},
		{Name: "UAC_transactions", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Local })},
		{Name: "2xx_transactions", Doc: doc, Func: class(2)},
		{Name: "3xx_transactions", Doc: doc, Func: class(3)},
		{Name: "4xx_transactions", Doc: doc, Func: class(4)},
		{Name: "5xx_transactions", Doc: doc, Func: class(5)},
		{Name: "6xx_transactions", Doc: doc, Func: class(6)},
		{Name: "inuse_transactions", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return sub(s.Created, s.Deleted) })},
		{Name: "active_transactions", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return sub(sub(s.Created, s.Deleted), s.Waiting) })},
		{Name: "rpl_received", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Received })},
		{Name: "rpl_absorbed", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return sub(s.Received, s.Relayed) })},
		{Name: "rpl_generated", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Generated })},
		{Name: "rpl_relayed", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Relayed })},
		{Name: "rpl_sent", Doc: doc, Func: stat(func(s tm.Stats) uint64 { return s.Relayed + s.Generated })},
	})
	return err
}

var _ counters.Registrant = (*Module)(nil)
