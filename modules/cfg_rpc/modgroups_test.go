package cfgrpc_test

import (
	"strings"
	"testing"

	_ "github.com/kamgo/kamgo/modules/counters"
	_ "github.com/kamgo/kamgo/modules/kex"
	_ "github.com/kamgo/kamgo/modules/maxfwd"
	_ "github.com/kamgo/kamgo/modules/registrar"
	_ "github.com/kamgo/kamgo/modules/siputils"
	_ "github.com/kamgo/kamgo/modules/sl"
	_ "github.com/kamgo/kamgo/modules/tm"
	_ "github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
)

const modGroupsCfg = `#!KAMAILIO
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "kex.so"
loadmodule "counters.so"
loadmodule "cfg_rpc.so"
modparam("maxfwd", "max_limit", 40)
modparam("registrar", "default_expires", 600)
request_route {
	mf_process_maxfwd_header("10");
	xlog("L_INFO", "mf=$hdr(Max-Forwards)\n");
	xlogm("L_INFO", "seen $rm\n");
	drop;
}
`

// TestModuleGroups: the groups modules declare answer cfg.get and
// cfg.set, and a change reaches the next message.
func TestModuleGroups(t *testing.T) {
	f := load(t, modGroupsCfg)
	list := f.call(t, "cfg.list")
	for _, v := range []string{"maxfwd: max_limit", "xlog: methods_filter", "siputils: ring_timeout",
		"registrar: default_expires", "registrar: realm_pref", "tm: fr_timer", "tm: fr_inv_timer_next", "tm: enable_uac_fr"} {
		if !strings.Contains(list, v) {
			t.Errorf("cfg.list lacks %q", v)
		}
	}
	run := func() string {
		t.Helper()
		*f.lines = nil
		msg := "OPTIONS sip:u@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK1\r\nMax-Forwards: 60\r\n" +
			"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		f.srv.Dispatch(event.Request(), event.NewWorker(0), func(c *event.Context) { setMsg(t, c, msg) })
		return strings.Join(*f.lines, "\n")
	}
	steps := []struct {
		method string
		params []any
		want   string // reply
		lines  string // what the next message logs; "" to skip
	}{
		{"cfg.get", []any{"maxfwd", "max_limit"}, "40", "INFO: mf=40"},
		{"cfg.seti", []any{"maxfwd", "max_limit", 300}, "fault 400", ""},
		{"cfg.seti", []any{"maxfwd", "max_limit", 5}, "", "INFO: mf= 5"},
		{"cfg.seti", []any{"xlog", "methods_filter", 0}, "", "INFO: mf= 5\nINFO: seen OPTIONS"},
		{"cfg.get", []any{"registrar", "default_expires"}, "600", ""},
		{"stats.get_statistics", []any{"default_expire"}, "registrar:default_expire = 600", ""},
		{"cfg.seti", []any{"registrar", "default_expires", 1800}, "", ""},
		{"stats.get_statistics", []any{"default_expire"}, "registrar:default_expire = 1800", ""},
		{"stats.get_statistics", []any{"default_expires_range"}, "registrar:default_expires_range = 0", ""},
		{"cfg.seti", []any{"registrar", "default_expires_range", 20}, "", ""},
		{"stats.get_statistics", []any{"default_expires_range"}, "registrar:default_expires_range = 20", ""},
		{"cfg.seti", []any{"registrar", "default_q", 2000}, "fault 400", ""},
		{"cfg.seti", []any{"siputils", "ring_timeout", 0}, "fault 400", ""},
		{"cfg.seti", []any{"siputils", "ring_timeout", 5}, "", ""},
		{"cfg.get", []any{"tm", "fr_timer"}, "fault 400", ""}, // converted on change: not readable, as in Kamailio
		{"cfg.get", []any{"tm", "fr_inv_timer_next"}, "30000", ""},
		{"cfg.seti", []any{"tm", "retr_timer1", 70000}, "fault 400", ""},
		{"cfg.seti", []any{"tm", "default_code", 300}, "fault 400", ""},
		{"cfg.seti", []any{"tm", "cancel_b_method", 2}, "", ""},
	}
	for _, s := range steps {
		if got := f.call(t, s.method, s.params...); got != s.want {
			t.Errorf("%s %v = %q, want %q", s.method, s.params, got, s.want)
		}
		if s.lines != "" {
			if got := run(); got != s.lines {
				t.Errorf("after %s %v the message logs %q, want %q", s.method, s.params, got, s.lines)
			}
		}
	}
}
