package sl

import (
	"fmt"
	"io"
	"sync/atomic"
)

// counters are sl's statistics, as Kamailio's sl module keeps them: the
// replies sent by code and class, the failures, the ACKs filtered.
type counters struct {
	byCode       [len(countedCodes)]atomic.Uint64
	byClass      [7]atomic.Uint64 // 1xx..6xx, and [0] for the rest
	failures     atomic.Uint64
	filteredACKs atomic.Uint64
}

// countedCodes are the codes Kamailio counts on their own.
var countedCodes = [...]int{200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500}

func (s *counters) count(code int) {
	for i, c := range countedCodes {
		if c == code {
			s.byCode[i].Add(1)
		}
	}
	if class := code / 100; class >= 1 && class <= 6 {
		s.byClass[class].Add(1)
	} else {
		s.byClass[0].Add(1)
	}
}

// WriteMetrics implements module.MetricsWriter: the counters in the
// Prometheus text format.
func (m *Module) WriteMetrics(w io.Writer) error {
	s := &m.stats
	if _, err := fmt.Fprint(w, "# HELP kamgo_sl_replies_total Stateless replies sent, by code (the codes Kamailio counts) and by class.\n# TYPE kamgo_sl_replies_total counter\n"); err != nil {
		return err
	}
	for i, c := range countedCodes {
		if _, err := fmt.Fprintf(w, "kamgo_sl_replies_total{code=\"%d\"} %d\n", c, s.byCode[i].Load()); err != nil {
			return err
		}
	}
	for class := 1; class <= 6; class++ {
		if _, err := fmt.Fprintf(w, "kamgo_sl_replies_total{class=\"%dxx\"} %d\n", class, s.byClass[class].Load()); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "kamgo_sl_replies_total{class=\"xxx\"} %d\n"+
		"# HELP kamgo_sl_failures_total Stateless replies that could not be built or sent.\n# TYPE kamgo_sl_failures_total counter\nkamgo_sl_failures_total %d\n"+
		"# HELP kamgo_sl_filtered_acks_total ACKs to stateless replies stopped before request_route.\n# TYPE kamgo_sl_filtered_acks_total counter\nkamgo_sl_filtered_acks_total %d\n",
		s.byClass[0].Load(), s.failures.Load(), s.filteredACKs.Load())
	return err
}
