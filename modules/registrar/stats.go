package registrar

import (
	"fmt"
	"io"
	"sync/atomic"
)

// counters are registrar's statistics, as Kamailio counts them:
// registrations save accepted and refused.
type counters struct {
	accepted, rejected atomic.Uint64
}

// WriteMetrics implements module.MetricsWriter.
func (m *Module) WriteMetrics(w io.Writer) error {
	_, err := fmt.Fprintf(w, "# HELP kamgo_registrar_accepted_regs_total REGISTERs save accepted (Kamailio's registrar:accepted_regs).\n"+
		"# TYPE kamgo_registrar_accepted_regs_total counter\nkamgo_registrar_accepted_regs_total %d\n"+
		"# HELP kamgo_registrar_rejected_regs_total REGISTERs save refused (Kamailio's registrar:rejected_regs).\n"+
		"# TYPE kamgo_registrar_rejected_regs_total counter\nkamgo_registrar_rejected_regs_total %d\n",
		m.stats.accepted.Load(), m.stats.rejected.Load())
	return err
}
