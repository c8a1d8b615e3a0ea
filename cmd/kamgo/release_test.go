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

// TestCheckNewerClasses: pseudo-variable and transformation classes of a
// later release are refused when the config is checked for an older one
// (that Kamailio does not know them), except a bare $name in an
// expression, which that Kamailio reads as an AVP: a warning.
func TestCheckNewerClasses(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(`loadmodule "pv.so"
loadmodule "xlog.so"
request_route {
	xlog("calls: $shvinc(calls)\n");
	$var(nl) = $En;
	xlog("L_INFO", "a$En");
	$var(z) = $(var(x){val.n0});
	$var(t) = $tts;
	exit;
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		release  string
		code     int
		want     []string
		wantNone []string
	}{
		{"5.6", exitFound, []string{
			`kamailio.cfg:4:15: error: pseudo-variable $shvinc of module pv needs Kamailio 5.7 or newer; the config is checked for Kamailio 5.6 [KC2035]`,
			`kamailio.cfg:5:13: warning: $En is an AVP in Kamailio 5.6: the class of module pv came in Kamailio 6.0, which kamgo runs [KC2035]`,
			`kamailio.cfg:6:19: error: pseudo-variable $En of module pv needs Kamailio 6.0 or newer`,
			`kamailio.cfg:7:20: error: transformation class {val} of module pv needs Kamailio 5.7 or newer`,
			`kamailio.cfg:8:12: warning: $tts is an AVP in Kamailio 5.6: the class of module pv came in Kamailio 6.1`,
		}, nil},
		{"6.0", exitOK, []string{`kamailio.cfg:8:12: warning: $tts is an AVP in Kamailio 6.0`}, []string{"$En", "shvinc", "{val}"}},
		{"6.1", exitOK, nil, []string{"KC2035"}},
	} {
		var out, errb bytes.Buffer
		code := run([]string{"check", "--kamailio", tt.release, cfg}, &out, &errb)
		if code != tt.code {
			t.Errorf("check --kamailio %s: exit %d, want %d:\n%s%s", tt.release, code, tt.code, out.String(), errb.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("check --kamailio %s: no %q in:\n%s", tt.release, w, out.String())
			}
		}
		for _, w := range tt.wantNone {
			if strings.Contains(out.String(), w) {
				t.Errorf("check --kamailio %s: %q in:\n%s", tt.release, w, out.String())
			}
		}
	}
}
