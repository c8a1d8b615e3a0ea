//go:build kamailio

package ctl_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/kamref"
)

// TestKamcmdCfgLog: the cfg framework's log lines for the changes kamcmd
// makes, set at once, refused (a value that does not convert, a fixup
// that says no), prepared, committed and rolled back, are Kamailio's:
// the function, the text, the value as given. The contexts' addresses
// differ and are masked.
func TestKamcmdCfgLog(t *testing.T) {
	text := strings.Replace(cfgText, `loadmodule "ctl.so"`, "loadmodule \"cfg_rpc.so\"\nloadmodule \"ctl.so\"", 1)
	k, g := startKamailioText(t, text), startKamgoText(t, text)
	// Kamailio listens on its SIP socket (an IPv4 one: dns_try_ipv6's
	// fixup says no); so does kamgo.
	if err := g.srv.StartSIP(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.srv.StopSIP(context.Background()) })
	steps := [][]string{
		{"cfg.seti", "core", "debug", "3"},
		{"cfg.sets", "core", "debug", "abc"},
		{"cfg.sets", "core", "debug", "4"},
		{"cfg.seti", "core", "dns_try_ipv6", "1"},
		{"cfg.set_delayed_int", "core", "debug", "2"},
		{"cfg.commit"},
		{"cfg.set_delayed_string", "core", "debug", "5"},
		{"cfg.rollback"},
	}
	for _, s := range steps {
		kamcmd(t, k.socket("unix"), s...)
		kamcmd(t, g.socket("unix"), s...)
	}
	const last = "deleting the config changes"
	var want, got string
	for range 500 {
		want = cfgLines(kamailioText(k.kamailio))
		got = cfgLines(g.log.Lines())
		if strings.Contains(want, last) && strings.Contains(got, last) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(want, "convert_val(): ") || !strings.Contains(want, "fixup failed") {
		t.Fatalf("Kamailio's lines lack a refusal:\n%s\nall:\n%s", want, strings.Join(kamailioText(k.kamailio), "\n"))
	}
	if got != want {
		t.Errorf("cfg lines:\n kamgo\n%s\n Kamailio\n%s", got, want)
	}
}

// kamailioText is Kamailio's log as kamgo prints lines: "LEVEL: <origin>: text".
func kamailioText(in *kamref.Instance) []string {
	var out []string
	for _, l := range in.Log() {
		out = append(out, l.Level+": "+l.Origin+": "+l.Text)
	}
	return out
}

var (
	cfgLineRE = regexp.MustCompile(`^(\w+): <core>: ((cfg_\w+|convert_val)\(\): .*|.*dns_try_ipv6.*)$`)
	contextRE = regexp.MustCompile(`\[context=0x[0-9a-f]+\]`)
)

// cfgLines keeps the core's lines of the cfg framework, contexts masked.
func cfgLines(lines []string) string {
	var keep []string
	for _, l := range lines {
		if m := cfgLineRE.FindStringSubmatch(l); m != nil {
			keep = append(keep, m[1]+": "+contextRE.ReplaceAllString(m[2], "[context=P]"))
		}
	}
	return strings.Join(keep, "\n")
}
