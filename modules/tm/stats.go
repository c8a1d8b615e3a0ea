package tm

import (
	"fmt"
	"io"
	"sync/atomic"
)

// counters are tm's statistics, as Kamailio's tm keeps them (tm.stats):
// transactions created and freed, replies received, generated and sent by
// class, and what kamgo counts besides (retransmissions absorbed, ACKs of
// negative replies, branch timeouts, requests relayed). local counts the
// transactions tm started itself (t_uac and the requests modules send in
// a dialog); created counts them too.
type counters struct {
	created, deleted                atomic.Uint64
	local                           atomic.Uint64
	repliesReceived, relayedReplies atomic.Uint64
	generated                       atomic.Uint64
	byClass                         [7]atomic.Uint64
	retransmissions, ackAbsorbed    atomic.Uint64
	timeouts, relayedRequests       atomic.Uint64
}

func (s *counters) replyCount(code int) {
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
	lines := []struct {
		name, help string
		v          uint64
	}{
		{"kamgo_tm_transactions_current", "Transactions alive now (tm.stats current).", uint64(m.table.size())},
		{"kamgo_tm_transactions_created_total", "Transactions created.", s.created.Load()},
		{"kamgo_tm_transactions_freed_total", "Transactions freed.", s.deleted.Load()},
		{"kamgo_tm_replies_received_total", "Replies matched to a transaction.", s.repliesReceived.Load()},
		{"kamgo_tm_replies_relayed_total", "Replies relayed upstream.", s.relayedReplies.Load()},
		{"kamgo_tm_replies_generated_total", "Replies made by tm (t_reply, errors, timeouts).", s.generated.Load()},
		{"kamgo_tm_requests_relayed_total", "Requests sent on branches.", s.relayedRequests.Load()},
		{"kamgo_tm_retransmissions_absorbed_total", "Request retransmissions answered with the last reply.", s.retransmissions.Load()},
		{"kamgo_tm_acks_absorbed_total", "ACKs of negative or local replies absorbed.", s.ackAbsorbed.Load()},
		{"kamgo_tm_branch_timeouts_total", "Branches that timed out (local 408).", s.timeouts.Load()},
	}
	for _, l := range lines {
		kind := "counter"
		if l.name == "kamgo_tm_transactions_current" {
			kind = "gauge"
		}
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", l.name, l.help, l.name, kind, l.name, l.v); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprint(w, "# HELP kamgo_tm_replies_total Replies sent upstream, by class.\n# TYPE kamgo_tm_replies_total counter\n"); err != nil {
		return err
	}
	for class := 1; class <= 6; class++ {
		if _, err := fmt.Fprintf(w, "kamgo_tm_replies_total{class=\"%dxx\"} %d\n", class, s.byClass[class].Load()); err != nil {
			return err
		}
	}
	return nil
}
