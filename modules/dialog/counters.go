package dialog

import (
	"sync/atomic"

	cnt "github.com/kamgo/kamgo/runtime/counters"
)

// stats are the dialog statistics, as Kamailio's dialog counts them.
type stats struct {
	active, early, processed, expired, failed atomic.Int64
}

// RegisterCounters implements cnt.Registrant: the "dialog" group of
// Kamailio's statistics (with enable_stats). active_dialogs and
// early_dialogs cannot be reset.
func (m *Module) RegisterCounters(r *cnt.Registry) error {
	if m.cfg.enableStats == 0 {
		return nil
	}
	const doc = "dialog statistic"
	_, err := r.RegisterAll("dialog", []cnt.Def{
		{Name: "active_dialogs", Doc: doc, Func: m.stats.active.Load, NoReset: true},
		{Name: "early_dialogs", Doc: doc, Func: m.stats.early.Load, NoReset: true},
		{Name: "processed_dialogs", Doc: doc, Func: m.stats.processed.Load, Offset: true},
		{Name: "expired_dialogs", Doc: doc, Func: m.stats.expired.Load, Offset: true},
		{Name: "failed_dialogs", Doc: doc, Func: m.stats.failed.Load, Offset: true},
	})
	return err
}

var _ cnt.Registrant = (*Module)(nil)
