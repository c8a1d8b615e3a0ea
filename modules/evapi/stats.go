package evapi

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/kamgo/kamgo/runtime/module"
)

// counters are the module's running totals; all are updated atomically.
type counters struct {
	connections atomic.Uint64 // accepted into a slot
	rejected    atomic.Uint64 // accepted and closed: max_clients reached
	active      atomic.Int64
	framesIn    atomic.Uint64
	framesOut   atomic.Uint64
	bytesIn     atomic.Uint64
	bytesOut    atomic.Uint64
	badFrames   atomic.Uint64 // invalid frames discarded, oversized included
	oversized   atomic.Uint64 // connections closed for a frame above max_frame_size
	drops       atomic.Uint64 // frames not queued: slow_client=drop
	slow        atomic.Uint64 // clients disconnected: queue full or send_data_timeout
	qhigh       atomic.Int64  // the most bytes any client has had queued
	rbufHigh    atomic.Int64  // the largest read buffer any client has grown
}

// Stats is a snapshot of the module's counters.
type Stats struct {
	Connections   uint64 // clients accepted into a slot since start
	Rejected      uint64 // clients closed at once because max_clients was reached
	Active        int64  // clients connected now
	FramesIn      uint64 // messages received (netstring frames, or reads with netstring_format=0)
	FramesOut     uint64 // messages written to clients
	BytesIn       uint64
	BytesOut      uint64
	BadFrames     uint64 // invalid incoming frames discarded (oversized ones included)
	Oversized     uint64 // connections closed for announcing a frame above max_frame_size
	Drops         uint64 // outgoing messages dropped for a full queue (slow_client=drop)
	SlowClosed    uint64 // clients disconnected for a full queue or send_data_timeout
	QueueHighMark int64  // the most bytes any client has had queued at once
}

// Stats returns a snapshot of the counters.
func (m *Module) Stats() Stats {
	s := Stats{
		Connections: m.stats.connections.Load(),
		Rejected:    m.stats.rejected.Load(),
		Active:      m.stats.active.Load(),
		FramesIn:    m.stats.framesIn.Load(),
		FramesOut:   m.stats.framesOut.Load(),
		BytesIn:     m.stats.bytesIn.Load(),
		BytesOut:    m.stats.bytesOut.Load(),
		BadFrames:   m.stats.badFrames.Load(),
		Oversized:   m.stats.oversized.Load(),
		Drops:       m.stats.drops.Load(),
		SlowClosed:  m.stats.slow.Load(),

		QueueHighMark: m.stats.qhigh.Load(),
	}
	return s
}

// String renders the snapshot on one line, as Stop logs it.
func (s Stats) String() string {
	return fmt.Sprintf("connections=%d rejected=%d active=%d frames_in=%d frames_out=%d bytes_in=%d bytes_out=%d bad_frames=%d oversized=%d drops=%d slow_closed=%d queue_high=%d",
		s.Connections, s.Rejected, s.Active, s.FramesIn, s.FramesOut, s.BytesIn, s.BytesOut, s.BadFrames, s.Oversized, s.Drops, s.SlowClosed, s.QueueHighMark)
}

// WriteMetrics writes the counters in the Prometheus text format, for a
// /metrics endpoint.
func (s Stats) WriteMetrics(w io.Writer) error {
	rows := []struct {
		name, kind, help string
		v                any
	}{
		{"kamgo_evapi_connections_total", "counter", "Clients accepted into a slot.", s.Connections},
		{"kamgo_evapi_rejected_total", "counter", "Clients closed at once because max_clients was reached.", s.Rejected},
		{"kamgo_evapi_clients", "gauge", "Clients connected now.", s.Active},
		{"kamgo_evapi_frames_in_total", "counter", "Messages received from clients.", s.FramesIn},
		{"kamgo_evapi_frames_out_total", "counter", "Messages written to clients.", s.FramesOut},
		{"kamgo_evapi_bytes_in_total", "counter", "Bytes received from clients.", s.BytesIn},
		{"kamgo_evapi_bytes_out_total", "counter", "Bytes written to clients.", s.BytesOut},
		{"kamgo_evapi_bad_frames_total", "counter", "Invalid incoming frames discarded.", s.BadFrames},
		{"kamgo_evapi_oversized_total", "counter", "Connections closed for a frame above max_frame_size.", s.Oversized},
		{"kamgo_evapi_drops_total", "counter", "Outgoing messages dropped for a full client queue.", s.Drops},
		{"kamgo_evapi_slow_closed_total", "counter", "Clients disconnected for a full queue or send_data_timeout.", s.SlowClosed},
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %v\n", r.name, r.help, r.name, r.kind, r.name, r.v); err != nil {
			return err
		}
	}
	return nil
}

// WriteMetrics implements module.MetricsWriter.
func (m *Module) WriteMetrics(w io.Writer) error { return m.Stats().WriteMetrics(w) }

var _ module.MetricsWriter = (*Module)(nil)
