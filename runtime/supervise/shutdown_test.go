package supervise

import (
	"errors"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestShutdownSignal: SIGTERM and SIGINT stop the modules (their
// connections close, evapi logs its counters) and the metrics endpoint,
// and Serve returns nil.
func TestShutdownSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			o, log, _ := setup(t, configs(t, 1)["a.cfg"])
			o.Metrics = "127.0.0.1:0"
			r := serve(t, o, log)
			c := r.dial()
			if got := ask(t, c, "1"); got != "A:1" {
				t.Fatalf("reply %q", got)
			}
			idle, err := net.Dial("tcp", r.sup.MetricsAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer idle.Close()
			r.signal(sig)
			if err := r.result(); err != nil {
				t.Fatalf("Serve: %v", err)
			}
			r.waitFor(regexp.MustCompile(`^INFO: <core>: `+sig.String()+` received, stopping$`), 1)
			if n := log.Count(regexp.MustCompile(`^INFO: <evapi>: stats: connections=1 .* frames_in=1 `)); n != 1 {
				t.Errorf("no evapi counters logged:\n%s", log.Text())
			}
			if _, err := c.Recv(wait); !errors.Is(err, io.EOF) {
				t.Errorf("the evapi connection: %v, want EOF", err)
			}
			// Closed once accepted (EOF), or reset when the listener
			// closed with the connection still in its backlog.
			_ = idle.SetReadDeadline(time.Now().Add(wait))
			if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("the metrics connection: %v, want it closed", err)
			}
		})
	}
}

// TestShutdownContext: the end of Serve's context stops too.
func TestShutdownContext(t *testing.T) {
	t.Parallel()
	o, log, _ := setup(t, configs(t, 1)["a.cfg"])
	r := serve(t, o, log)
	r.stop()
	if err := r.result(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if n := log.Count(regexp.MustCompile(`^INFO: <core>: context canceled, stopping$`)); n != 1 || log.Count(reStats) != 1 {
		t.Errorf("log:\n%s", log.Text())
	}
}

// TestAbort: a module's abort (cfgutils' abort()) stops kamgo with an
// error.
func TestAbort(t *testing.T) {
	t.Parallel()
	cfg := strings.Replace(configs(t, 1)["a.cfg"], `loadmodule "evapi.so"`, "loadmodule \"evapi.so\"\nloadmodule \"cfgutils.so\"", 1)
	cfg = strings.Replace(cfg, `evapi_relay("A:$evapi(msg)");`, `if ($evapi(msg) == "abort") { abort(); } evapi_relay("A:$evapi(msg)");`, 1)
	o, log, _ := setup(t, cfg)
	r := serve(t, o, log)
	c := r.dial()
	if got := ask(t, c, "1"); got != "A:1" {
		t.Fatalf("reply %q", got)
	}
	if err := c.Send("abort"); err != nil {
		t.Fatal(err)
	}
	err := r.result()
	if err == nil || !strings.Contains(err.Error(), "abort called") {
		t.Fatalf("Serve: %v, want the abort", err)
	}
	if log.Count(regexp.MustCompile(`^CRITICAL: <core>: stopping: cfgutils: abort called$`)) != 1 || log.Count(reStats) != 1 {
		t.Errorf("log:\n%s", log.Text())
	}
}
