package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/spec/conformance"
)

// writeCfg writes text to a config file in a fresh directory.
func writeCfg(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kamailio.cfg")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckConformanceVerdicts: `kamgo check` gives every recorded case of
// spec/conformance Kamailio's verdict: an error for the configs `kamailio
// -c` or Kamailio's start-up refused, none for those it ran.
func TestCheckConformanceVerdicts(t *testing.T) {
	cases, err := conformance.Load(filepath.Join("..", "..", "spec", "conformance"))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range conformance.Env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, k := range conformance.Unset {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	dev := checkVerdictDeviations(t)
	cat := module.Catalog()
	var startup, reject, ok int
	for _, c := range cases {
		// Of the modules' cases, those about start-up verdicts: the others
		// probe behaviour, and cases of a module kamgo does not run yet
		// are recorded ahead of it.
		if m, ok := strings.CutPrefix(c.Name, "modules/"); ok && strings.Contains(m, "/") {
			if _, impl := module.Lookup(strings.SplitN(m, "/", 2)[0]); !impl || !strings.Contains(m, "/startup/") {
				continue
			}
		}
		diags, _ := checkFile(writeCfg(t, c.Config(5060, 8448)), nil, cat)
		got := diags.HasErrors()
		want := c.Check != ""
		if dev[c.Name] && got != want {
			continue // a documented deviation
		}
		switch {
		case strings.HasPrefix(c.Check, "startup"):
			startup++
		case want:
			reject++
		default:
			ok++
		}
		if got != want {
			first := "no error"
			for _, d := range diags {
				if d.Severity == diag.Error {
					first = d.Error()
					break
				}
			}
			t.Errorf("%s: Kamailio %q, kamgo check: %s", c.Name, c.Check, first)
		}
	}
	t.Logf("%d cases: %d refused at start-up, %d by -c, %d accepted", len(cases), startup, reject, ok)
}

// checkVerdictDeviations reads the cases the conformance runners excuse.
func checkVerdictDeviations(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "spec", "conformance", "testdata", "deviations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			name, _, _ := strings.Cut(l, " ")
			out[name] = true
		}
	}
	return out
}

// TestCheckStartsNothing: the load behind `kamgo check` opens no socket
// and leaves no goroutine running, for a config that loads every module
// kamgo ships, listens on SIP ports, has evapi listen and workers, and
// calls functions that set up tables (save, t_relay, lock).
func TestCheckStartsNothing(t *testing.T) {
	p := writeCfg(t, `listen=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "textopsx.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "kex.so"
loadmodule "cfgutils.so"
loadmodule "evapi.so"
loadmodule "jansson.so"
loadmodule "json.so"
loadmodule "app_lua.so"
loadmodule "corex.so"
loadmodule "acc.so"
loadmodule "cfg_rpc.so"
loadmodule "counters.so"
loadmodule "ctl.so"
loadmodule "jsonrpcs.so"
loadmodule "htable.so"
loadmodule "pike.so"
loadmodule "nathelper.so"
loadmodule "rtpproxy.so"
loadmodule "rtjson.so"
loadmodule "xhttp.so"
loadmodule "auth.so"
loadmodule "dialog.so"
modparam("htable", "htable", "ipban=>size=8;autoexpire=300;")
modparam("pike", "sampling_time_unit", 2)
modparam("nathelper", "natping_interval", 30)
modparam("rtpproxy", "rtpproxy_sock", "udp:127.0.0.1:7722")
modparam("acc", "log_flag", 1)
modparam("counters", "script_counter", "calls")
modparam("corex", "alias_subdomains", "example.org")
modparam("corex", "dns_cache", "type=A;name=gw.example.org;addr=192.0.2.1;ttl=60")
modparam("evapi", "bind_addr", "127.0.0.1:8448")
modparam("evapi", "workers", 2)
modparam("cfgutils", "lock_set_size", 4)
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	record_route();
	xinfo("$ru $(ru{uri.user})\n");
	if (is_method("REGISTER")) {
		save("location");
		exit;
	}
	lock("a");
	unlock("a");
	t_relay();
}
event_route[evapi:message-received] {
	evapi_relay("$evapi(msg)");
}
event_route[xhttp:request] {
	xhttp_reply("200", "OK", "text/plain", "$(hu{url.path})");
}
`)
	for _, name := range module.Registered() {
		if b, _ := os.ReadFile(p); !strings.Contains(string(b), `"`+name+`.so"`) {
			t.Errorf("module %s is registered but the config does not load it", name)
		}
	}
	fds := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd:", err)
		}
		return len(es)
	}
	cat := module.Catalog()
	// A first run builds what is built once (grammar, catalog).
	if diags, _ := checkFile(p, nil, cat); diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	g0, f0 := runtime.NumGoroutine(), fds()
	for range 3 {
		checkFile(p, nil, cat)
	}
	// Goroutines and files an earlier test left may end meanwhile, and a
	// timer an earlier test's server left may fire (a goroutine that ends
	// at once): only more than before, for a while, means check started
	// something.
	var g, f int
	for i := 0; i < 100; i++ {
		if g, f = runtime.NumGoroutine(), fds(); g <= g0 && f <= f0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("after 3 checks: %d goroutines (was %d), %d open files (was %d)", g, g0, f, f0)
}

// TestCheckStartup: the start-up errors `kamgo check` reports, with the
// release's facts, and a config whose modules kamgo does not implement.
func TestCheckStartup(t *testing.T) {
	tests := []struct {
		name, release, cfg string
		want               string // "" when the config is clean
		line               int
	}{
		{"xlog level", "5.6", `loadmodule "xlog.so"
request_route {
	xlog("l_info", "x");
}`, "KC2204", 3},
		{"color", "6.1", `loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xinfo("$C(zz)x");
}`, "KC2204", 4},
		{"not implemented modules only", "5.6", `loadmodule "tm.so"
loadmodule "acc.so"
modparam("acc", "log_flag", 2)
request_route {
	acc_log_request("200 ok");
	t_relay();
}`, "", 0},
		{"newer release form", "6.0", `loadmodule "cfgutils.so"
request_route {
	lock("a", "b");
	unlock("a", "b");
}`, "", 0},
		{"newer release form on 5.6", "5.6", `loadmodule "cfgutils.so"
request_route {
	lock("a", "b");
}`, "KC2003", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, ok := catalogFor(tt.release, os.Stderr)
			if !ok {
				t.Fatal("no catalog")
			}
			diags, _ := checkFile(writeCfg(t, tt.cfg), nil, cat)
			var first *diag.Diagnostic
			for _, d := range diags {
				if d.Severity == diag.Error {
					first = d
					break
				}
			}
			switch {
			case tt.want == "" && first != nil:
				t.Fatalf("unexpected error: %v", first)
			case tt.want == "":
			case first == nil:
				t.Fatalf("no error, want %s", tt.want)
			case first.Code != tt.want || first.Subject.Start.Line != tt.line:
				t.Fatalf("first error %v, want %s at line %d", first, tt.want, tt.line)
			}
		})
	}
}
