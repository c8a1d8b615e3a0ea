package kex

import (
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/sip"
)

// RegisterCounters implements counters.Registrant: the core's statistics
// (group "core"), which Kamailio's core counts only once kex registers
// them; the SIP transport counts into them from then on. The "shmem"
// group is not registered: kamgo has no shared memory pool to report.
func (m *Module) RegisterCounters(r *counters.Registry) error {
	_, err := r.RegisterAll("core", sip.CoreCounterDefs())
	return err
}

var _ counters.Registrant = (*Module)(nil)
