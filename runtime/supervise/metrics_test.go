package supervise

import (
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMetrics: the endpoint serves the modules' counters in the
// Prometheus text format.
func TestMetrics(t *testing.T) {
	t.Parallel()
	o, log, _ := setup(t, configs(t, 1)["a.cfg"])
	o.Metrics = "127.0.0.1:0"
	r := serve(t, o, log)
	addr := r.sup.MetricsAddr()
	if addr == nil {
		t.Fatal("no metrics address")
	}
	if n := log.Count(regexp.MustCompile(`^INFO: <core>: metrics on http://` + regexp.QuoteMeta(addr.String()) + `/metrics$`)); n != 1 {
		t.Errorf("the metrics address is not logged:\n%s", log.Text())
	}
	c := r.dial()
	for i := range 3 {
		ask(t, c, strconv.Itoa(i))
	}
	resp, err := http.Get("http://" + addr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/plain; version=0.0.4" {
		t.Errorf("status %d, content type %q", resp.StatusCode, ct)
	}
	for _, want := range []string{
		"# TYPE kamgo_evapi_frames_in_total counter\nkamgo_evapi_frames_in_total 3\n",
		"kamgo_evapi_connections_total 1\n",
		"kamgo_evapi_clients 1\n",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if resp, err := http.Get("http://" + addr.String() + "/other"); err != nil || resp.StatusCode != 404 {
		t.Errorf("/other: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestMetricsNone: without an address there is no endpoint.
func TestMetricsNone(t *testing.T) {
	t.Parallel()
	o, log, _ := setup(t, configs(t, 1)["a.cfg"])
	r := serve(t, o, log)
	if r.sup.MetricsAddr() != nil {
		t.Errorf("metrics on %v", r.sup.MetricsAddr())
	}
}

// TestMetricsListenFails: an address that cannot be bound fails the start
// and stops the modules already started.
func TestMetricsListenFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	o, log, _ := setup(t, configs(t, 1)["a.cfg"])
	o.Metrics = ln.Addr().String()
	if sup, err := Start(o); err == nil || sup != nil {
		t.Fatalf("Start: %v, want an error", err)
	}
	if n := log.Count(regexp.MustCompile(`^CRITICAL: <core>: metrics: listen tcp ` + regexp.QuoteMeta(o.Metrics) + `: .*address already in use$`)); n != 1 {
		t.Errorf("no metrics failure logged:\n%s", log.Text())
	}
	// evapi logs its counters when it stops.
	if n := log.Count(reStats); n != 1 || log.Count(reRunning) != 0 {
		t.Errorf("evapi was not stopped, or kamgo logged running:\n%s", log.Text())
	}
}
