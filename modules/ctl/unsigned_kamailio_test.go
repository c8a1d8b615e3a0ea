//go:build kamailio

package ctl_test

import (
	"strings"
	"testing"
)

// TestKamcmdUnsigned: usrloc adds a contact's flags and methods as C
// unsigned integers ('u'); kamcmd prints all bits set as -1 from both.
func TestKamcmdUnsigned(t *testing.T) {
	text := strings.Replace(cfgText, "request_route { exit; }",
		"loadmodule \"sl.so\"\nloadmodule \"usrloc.so\"\nloadmodule \"registrar.so\"\nrequest_route { if (method == \"REGISTER\") { save(\"location\"); } exit; }", 1)
	kam, kg := startKamailioText(t, text), startKamgoText(t, text)
	add := []string{"--", "ul.add", "location", "alice", "sip:alice@10.0.0.1", "3600", "0.5", ".", "0", "-1", "-1"}
	var want []string
	for i, tg := range []target{kam, kg} {
		if out, code := kamcmd(t, tg.socket("unix"), add...); code != 0 {
			t.Fatalf("ul.add: %d %s", code, out)
		}
		out, code := kamcmd(t, tg.socket("unix"), "ul.lookup", "location", "alice")
		var lines []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.TrimSpace(l); strings.HasPrefix(f, "CFlags:") || strings.HasPrefix(f, "Methods:") || strings.HasPrefix(f, "Flags:") {
				lines = append(lines, f)
			}
		}
		if code != 0 || len(lines) != 3 {
			t.Fatalf("ul.lookup: %d %s", code, out)
		}
		if i == 0 {
			want = lines
			if lines[1] != "CFlags: -1" || lines[2] != "Methods: -1" {
				t.Fatalf("Kamailio: %q", lines)
			}
		} else if strings.Join(lines, "|") != strings.Join(want, "|") {
			t.Errorf("kamgo %q, Kamailio %q", lines, want)
		}
	}
}
