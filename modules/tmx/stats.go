package tmx

import (
	"fmt"
	"io"
)

// WriteMetrics implements module.MetricsWriter: tmx's statistics
// (Kamailio's tmx stats, read from tm's counts) in the Prometheus text
// format.
func (m *Module) WriteMetrics(w io.Writer) error {
	if m.tm == nil {
		return nil
	}
	s := m.tm.Stats()
	lines := []struct {
		name, help, kind string
		v                uint64
	}{
		{"kamgo_tmx_uas_transactions_total", "Transactions created (UAS_transactions).", "counter", s.Created},
		{"kamgo_tmx_uac_transactions_total", "Transactions tm started itself (UAC_transactions).", "counter", s.Local},
		{"kamgo_tmx_inuse_transactions", "Transactions not yet freed (inuse_transactions).", "gauge", s.Created - s.Deleted},
		{"kamgo_tmx_active_transactions", "Transactions not freed nor waiting for deletion (active_transactions).", "gauge", s.Created - s.Deleted - s.Waiting},
		{"kamgo_tmx_rpl_received_total", "Replies matched to a transaction (rpl_received).", "counter", s.Received},
		{"kamgo_tmx_rpl_absorbed_total", "Replies received and not relayed (rpl_absorbed).", "counter", sub(s.Received, s.Relayed)},
		{"kamgo_tmx_rpl_generated_total", "Replies tm made (rpl_generated).", "counter", s.Generated},
		{"kamgo_tmx_rpl_relayed_total", "Replies relayed upstream, received or made for a branch (rpl_relayed).", "counter", s.Relayed},
		{"kamgo_tmx_rpl_sent_total", "Replies sent upstream (rpl_sent).", "counter", s.Relayed + s.Generated},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", l.name, l.help, l.name, l.kind, l.name, l.v); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprint(w, "# HELP kamgo_tmx_transactions_total Transactions completed, by the class of their final reply (2xx_transactions ...).\n# TYPE kamgo_tmx_transactions_total counter\n"); err != nil {
		return err
	}
	for class := 2; class <= 6; class++ {
		if _, err := fmt.Fprintf(w, "kamgo_tmx_transactions_total{class=\"%dxx\"} %d\n", class, s.Completed[class]); err != nil {
			return err
		}
	}
	return nil
}

// sub is a-b, 0 when b is larger (counters read one after the other).
func sub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}
