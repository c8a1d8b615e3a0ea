package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckRelease checks the seed's evapi parameters against each
// release: refused for 5.6 with the release that added them, accepted from
// 5.7 on; and that the JSON output names the release.
func TestCheckRelease(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(`loadmodule "evapi.so"
modparam("evapi", "wait_idle", 100000)
modparam("evapi", "wait_increase", 2)
request_route { exit; }
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		env  string
		code int
		want string
	}{
		{[]string{"--kamailio", "5.6"}, "", exitFound, `parameter "wait_idle" of module "evapi" needs Kamailio 5.7 or newer; the config is checked for Kamailio 5.6 [KC1011]`},
		{nil, "5.6", exitFound, `[KC1011]`},
		{[]string{"--kamailio", "5.7"}, "", exitOK, ""},
		{[]string{"--kamailio", "6.1"}, "5.6", exitOK, ""},
		{nil, "", exitOK, ""},
		{[]string{"--kamailio", "6.1", "--format", "json"}, "", exitOK, "[]"},
		{[]string{"--kamailio", "5.6", "--format", "json"}, "", exitFound, `"kamailio": "5.6"`},
		{[]string{"--kamailio", "9.9"}, "", exitUsage, ""},
	} {
		t.Setenv("KAMGO_KAMAILIO", tt.env)
		var out, errb bytes.Buffer
		code := run(append(append([]string{"check"}, tt.args...), cfg), &out, &errb)
		if code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("check %v (KAMGO_KAMAILIO=%q): exit %d, want %d; output:\n%s%s", tt.args, tt.env, code, tt.code, out.String(), errb.String())
		}
	}
}
