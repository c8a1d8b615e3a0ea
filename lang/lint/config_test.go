package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigFile reads .kamgo.toml files: selections, severities, and the
// errors a person gets for a bad one, with its position.
func TestConfigFile(t *testing.T) {
	p := writeConfig(t, "[lint]\nchecks = [\"none\", \"KL1*\", \"-KL1004\", \"unused-route\"]\n[lint.severity]\nKL1001 = \"error\"\nmethod-case = \"info\"\nKC2013 = \"error\"\n")
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	on := func(id string) bool { r, _ := Lookup(id); return c.Enabled(r) }
	if !on("KL1001") || on("KL1004") || !on("KL3001") || on("KL2001") {
		t.Errorf("selection wrong: KL1001 %v KL1004 %v KL3001 %v KL2001 %v", on("KL1001"), on("KL1004"), on("KL3001"), on("KL2001"))
	}
	r1, _ := Lookup("KL1001")
	r7, _ := Lookup("KL1007")
	if c.SeverityOf(r1) != diag.Error || c.SeverityOf(r7) != diag.Info {
		t.Errorf("severities: %v %v", c.SeverityOf(r1), c.SeverityOf(r7))
	}
	w := &diag.Diagnostic{Severity: diag.Warning, Code: "KC2013"}
	if c.checkSeverity(w) != diag.Error {
		t.Errorf("check warning severity not raised")
	}
	if e := (&diag.Diagnostic{Severity: diag.Error, Code: "KC2001"}); c.checkSeverity(e) != diag.Error {
		t.Errorf("check errors must stay errors")
	}
	// --checks applies after the file.
	c2, err := c.With([]string{"KL2001", "-KL1001"})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := Lookup("KL2001"); !c2.Enabled(r) {
		t.Error("KL2001 not enabled by With")
	}
	if c2.Enabled(r1) {
		t.Error("KL1001 not disabled by With")
	}
	if FindConfig(filepath.Join(filepath.Dir(p), "kamailio.cfg")) != p {
		t.Error("FindConfig does not find the file beside the config")
	}
	if FindConfig(filepath.Join(t.TempDir(), "kamailio.cfg")) != "" {
		t.Error("FindConfig finds a file where there is none")
	}

	bad := []struct{ text, want string }{
		{"[lint]\nchecks = [\"KL0000\"]\n", "unknown rule"},
		{"[lint]\nchecks = [\"KL8*\"]\n", "selects no rule"},
		{"[lint.severity]\nKL1001 = \"loud\"\n", "not error, warning or info"},
		{"[lint.severity]\nnope = \"error\"\n", "unknown rule"},
		{"[lint]\nchecks = \"all\"\n", ".kamgo.toml"},
		{"[lint]\ncheks = [\"all\"]\n", "unknown setting lint.cheks"},
		{"[lint\n", ".kamgo.toml:2"},
	}
	for _, b := range bad {
		_, err := LoadConfig(writeConfig(t, b.text))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.text, err, b.want)
		}
	}
}

// TestDefaults checks the zero Config: default rules at default
// severities.
func TestDefaults(t *testing.T) {
	var c Config
	for _, r := range Rules() {
		if c.Enabled(r) != r.Default || c.SeverityOf(r) != r.Severity {
			t.Errorf("%s: enabled %v severity %v", r.ID, c.Enabled(r), c.SeverityOf(r))
		}
	}
	if got := ParseChecks(" all, -KL9001 ,,KL1*"); strings.Join(got, "|") != "all|-KL9001|KL1*" {
		t.Errorf("ParseChecks = %q", got)
	}
}
