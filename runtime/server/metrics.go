package server

import (
	"io"

	"github.com/kamgo/kamgo/runtime/module"
)

// WriteMetrics writes the counters of every loaded module that exports
// any, in the Prometheus text format.
func (s *Server) WriteMetrics(w io.Writer) error {
	for _, l := range s.mods {
		if m, ok := l.inst.(module.MetricsWriter); ok {
			if err := m.WriteMetrics(w); err != nil {
				return err
			}
		}
	}
	return nil
}
