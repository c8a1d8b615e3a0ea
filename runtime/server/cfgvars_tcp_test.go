package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/freeport"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/value"
)

// TestTCPGroup: the tcp group has Kamailio's variables and defaults, the
// core parameters set them, the variables with a fixup are not readable,
// the read-only ones do not change, and a change of one the transport
// follows reaches the running transport.
func TestTCPGroup(t *testing.T) {
	port, err := freeport.Pick()
	if err != nil {
		t.Fatal(err)
	}
	s, dl := Load(parse(t, fmt.Sprintf(`listen=tcp:127.0.0.1:%d
tcp_keepidle=30
tcp_max_connections=100
tcp_connection_lifetime=300
tcp_crlf_ping=no
request_route { exit; }
`, port)), Options{})
	if dl.HasErrors() {
		t.Fatal(dl)
	}
	st := s.Cfg()
	tcp := cfgvars.Target{Group: "tcp"}
	for name, want := range map[string]int64{"no_connect": 0, "fd_cache": 1, "async": 1, "connect_wait": 1,
		"conn_wq_max": 32768, "wq_max": 10485760, "delayed_ack": 1, "keepalive": 1, "keepidle": 30, "crlf_ping": 0,
		"alias_flags": 1, "new_conn_alias_flags": 2, "wait_data_ms": 5000, "rd_buf_size": 16384, "wq_blk_size": 2100} {
		if v, _, err := st.Get(tcp, name); err != nil || v.I != want {
			t.Errorf("tcp.%s = %v %v, want %d", name, v, err, want)
		}
	}
	for _, name := range []string{"connect_timeout", "send_timeout", "connection_lifetime", "max_connections", "max_tls_connections"} {
		if _, _, err := st.Get(tcp, name); err == nil {
			t.Errorf("tcp.%s read back", name)
		}
	}
	if err := st.SetNow(tcp, "async", value.MakeInt(0)); err == nil {
		t.Error("tcp.async changed")
	}
	if err := st.SetNow(tcp, "crlf_ping", value.MakeInt(2)); err == nil {
		t.Error("tcp.crlf_ping took 2")
	}

	ctx := context.Background()
	if err := s.StartSIP(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.StopSIP(ctx)
	o := s.SIP().TCPOptions()
	if o.Lifetime != 300*time.Second || o.MaxConnections != 100 || o.CRLFPing || o.KeepIdle != 30*time.Second || !o.KeepAlive {
		t.Errorf("transport options at start %+v", o)
	}
	for name, v := range map[string]int64{"connection_lifetime": -1, "max_connections": 500, "crlf_ping": 1, "no_connect": 1, "connect_timeout": 3} {
		if err := st.SetNow(tcp, name, value.MakeInt(v)); err != nil {
			t.Fatalf("tcp.%s: %v", name, err)
		}
	}
	o = s.SIP().TCPOptions()
	// -1 is the default lifetime; 500 is above the hard limit (100).
	if o.Lifetime != 120*time.Second || o.MaxConnections != 100 || !o.CRLFPing || !o.NoConnect || o.ConnectTimeout != 3*time.Second {
		t.Errorf("transport options after cfg.set %+v", o)
	}
	if got := run(t, s, false, "core.tcp_options"); got != "{connect_timeout: 3, send_timeout: 10, connection_lifetime: 120, "+
		"max_connections(soft): 100, max_tls_connections(soft): 2048, no_connect: 1, fd_cache: 1, async: 1, "+
		"connect_wait: 1, conn_wq_max: 32768, wq_max: 10485760, defer_accept: 0, delayed_ack: 1, syncnt: 0, linger2: 0, "+
		"keepalive: 1, keepidle: 30, keepintvl: 0, keepcnt: 0, crlf_ping: 1, accept_aliases: 0, "+
		"alias_flags: 1, new_conn_alias_flags: 2}" {
		t.Errorf("core.tcp_options = %s", got)
	}
}
