package lint

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/kamgo/kamgo/lang/diag"
)

// ConfigFile is the name of the per-project lint configuration, looked
// for beside the configuration file.
const ConfigFile = ".kamgo.toml"

// Config selects the rules that run and their severities. The zero value
// runs the rules that are on by default, at their default severities.
type Config struct {
	// Checks are selection items applied in order to the default set:
	// "all", "none", "default", an ID or a name, a family ("KL1*"), each
	// optionally preceded by "-" to switch it off.
	Checks []string
	// Severity overrides the severity of rules (by ID or name) and of
	// check's warnings (by KC code): "error", "warning" or "info".
	Severity map[string]string
	// File is where the configuration was read from, for messages.
	File string

	enabled map[string]bool // computed from Checks
	sevs    map[string]diag.Severity
}

// fileShape is the shape of .kamgo.toml:
//
//	[lint]
//	checks = ["all", "-KL9001"]
//	[lint.severity]
//	KL1001 = "error"
type fileShape struct {
	Lint struct {
		Checks   []string          `toml:"checks"`
		Severity map[string]string `toml:"severity"`
	} `toml:"lint"`
}

// FindConfig returns the path of the .kamgo.toml beside the configuration
// file cfgPath, or "" when there is none.
func FindConfig(cfgPath string) string {
	p := filepath.Join(filepath.Dir(cfgPath), ConfigFile)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}

// LoadConfig reads a .kamgo.toml file.
func LoadConfig(path string) (*Config, error) {
	var f fileShape
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s:%d: %s", path, perr.Position.Line, perr.Message)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%s: unknown setting %s", path, und[0])
	}
	c := &Config{Checks: f.Lint.Checks, Severity: f.Lint.Severity, File: path}
	if err := c.compile(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return c, nil
}

// With returns a copy of c with more selection items applied after c's
// own (the --checks flag after the file).
func (c *Config) With(checks []string) (*Config, error) {
	out := &Config{File: c.File, Severity: c.Severity}
	out.Checks = append(append(out.Checks, c.Checks...), checks...)
	if err := out.compile(); err != nil {
		return nil, err
	}
	return out, nil
}

// ParseChecks splits a --checks value ("all,-KL9001").
func ParseChecks(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *Config) compile() error {
	c.enabled = map[string]bool{}
	for _, r := range Rules() {
		c.enabled[r.ID] = r.Default
	}
	for _, item := range c.Checks {
		on := true
		name := item
		if strings.HasPrefix(name, "-") {
			on, name = false, name[1:]
		}
		switch {
		case name == "all":
			for id := range c.enabled {
				c.enabled[id] = on
			}
		case name == "none":
			for id := range c.enabled {
				c.enabled[id] = !on
			}
		case name == "default":
			for _, r := range Rules() {
				if r.Default {
					c.enabled[r.ID] = on
				}
			}
		case strings.HasSuffix(name, "*"):
			prefix := strings.ToUpper(strings.TrimSuffix(name, "*"))
			n := 0
			for id := range c.enabled {
				if strings.HasPrefix(id, prefix) {
					c.enabled[id] = on
					n++
				}
			}
			if n == 0 {
				return fmt.Errorf("checks: %q selects no rule", item)
			}
		default:
			r, ok := Lookup(name)
			if !ok {
				return fmt.Errorf("checks: unknown rule %q", name)
			}
			c.enabled[r.ID] = on
		}
	}
	c.sevs = map[string]diag.Severity{}
	for k, v := range c.Severity {
		var s diag.Severity
		switch strings.ToLower(v) {
		case "error":
			s = diag.Error
		case "warning":
			s = diag.Warning
		case "info":
			s = diag.Info
		default:
			return fmt.Errorf("severity of %s: %q is not error, warning or info", k, v)
		}
		id := strings.ToUpper(k)
		if r, ok := Lookup(k); ok {
			id = r.ID
		} else if !strings.HasPrefix(id, "KC") {
			return fmt.Errorf("severity: unknown rule %q", k)
		}
		c.sevs[id] = s
	}
	return nil
}

// Enabled reports whether rule r runs.
func (c *Config) Enabled(r *Rule) bool {
	if c.enabled == nil {
		if err := c.compile(); err != nil {
			return r.Default
		}
	}
	return c.enabled[r.ID]
}

// SeverityOf returns the severity r's findings get.
func (c *Config) SeverityOf(r *Rule) diag.Severity {
	if s, ok := c.sevs[r.ID]; ok {
		return s
	}
	return r.Severity
}

// checkSeverity returns the severity of one of check's findings: a
// warning may be raised or lowered by code; errors stay errors, since they
// are Kamailio's verdict.
func (c *Config) checkSeverity(d *diag.Diagnostic) diag.Severity {
	if d.Severity == diag.Error {
		return d.Severity
	}
	if s, ok := c.sevs[d.Code]; ok {
		return s
	}
	return d.Severity
}
