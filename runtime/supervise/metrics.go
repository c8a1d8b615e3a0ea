package supervise

import (
	"net"
	"net/http"
	"time"
)

// serveMetrics listens on Options.Metrics and serves the modules' counters
// at /metrics.
func (s *Supervisor) serveMetrics() error {
	ln, err := net.Listen("tcp", s.o.Metrics)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = s.srv.WriteMetrics(w)
	})
	s.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.maddr = ln.Addr()
	go func() { _ = s.metrics.Serve(ln) }()
	return nil
}
