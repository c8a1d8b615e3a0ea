// Package conformance holds the Kamailio conformance cases and their loader.
//
// Each case is a txtar archive under an area folder (ops/, types/, ...):
// a cfg section appended to the shared prelude (prelude.cfg), the evapi
// messages to send, and what the real Kamailio 5.6.3 logged and relayed.
// README.md describes the format; record_test.go (build tag kamailio)
// re-records the expectations from the installed Kamailio.
package conformance

import (
	_ "embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/txtar"
)

//go:embed prelude.cfg
var prelude string

// Prelude returns the shared config text every case's cfg is appended to.
// It contains the %%SIP_PORT%% and %%EVAPI_PORT%% placeholders.
func Prelude() string { return prelude }

// PreludeLines is the number of lines the prelude occupies, i.e. the offset
// between a line number in the full config and one in the cfg section.
func PreludeLines() int { return strings.Count(prelude, "\n") }

// Env is the environment every case runs with (added to the inherited one),
// so that $env cases are deterministic.
var Env = []string{"KAMGO_CONF_A=alpha", "KAMGO_CONF_NUM=42", "KAMGO_CONF_EMPTY="}

// Case is one conformance case.
type Case struct {
	Name    string // path below the cases directory without ".txtar", e.g. "ops/001-add"
	Comment string // the archive comment: what the case probes
	Cfg     string
	// Send holds the messages to send, one netstring frame each; nil when
	// the case has no send section.
	Send []string
	// Log holds the expected script log lines ("INFO: text"); a message
	// with newlines spans several entries.
	Log   []string
	Relay []string // expected relayed payloads, "#sync" removed
	// Check is "reject LINE msg" or "startup LINE msg" when Kamailio refuses
	// the config, "" otherwise. LINE counts within Cfg (0: not known).
	Check   string
	CoreLog []string // informative: non-script errors and warnings
}

// Config builds the full Kamailio config for the given ports.
func (c Case) Config(sipPort, evapiPort int) string {
	s := strings.ReplaceAll(prelude, "%%SIP_PORT%%", strconv.Itoa(sipPort))
	s = strings.ReplaceAll(s, "%%EVAPI_PORT%%", strconv.Itoa(evapiPort))
	return s + c.Cfg
}

// ConfigTemplate is the full config with the port placeholders kept.
func (c Case) ConfigTemplate() string { return prelude + c.Cfg }

var sectionNames = map[string]bool{"cfg": true, "send": true, "log": true, "relay": true, "check": true, "corelog": true}

// Load reads every *.txtar case below dir, sorted by name.
func Load(dir string) ([]Case, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".txtar") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	cases := make([]Case, 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return nil, err
		}
		c, err := Parse(filepath.ToSlash(strings.TrimSuffix(rel, ".txtar")), data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// Parse decodes one case archive.
func Parse(name string, data []byte) (Case, error) {
	a := txtar.Parse(data)
	c := Case{Name: name, Comment: strings.TrimSpace(string(a.Comment))}
	seen := map[string]bool{}
	for _, f := range a.Files {
		if !sectionNames[f.Name] {
			return c, fmt.Errorf("unknown section %q", f.Name)
		}
		if seen[f.Name] {
			return c, fmt.Errorf("section %q appears twice", f.Name)
		}
		seen[f.Name] = true
		text := string(f.Data)
		var err error
		switch f.Name {
		case "cfg":
			c.Cfg = text
		case "send":
			c.Send, err = decodeLines(text, true)
			if c.Send == nil {
				c.Send = []string{}
			}
		case "log":
			c.Log, err = decodeLines(text, false)
		case "relay":
			c.Relay, err = decodeLines(text, true)
		case "check":
			c.Check = strings.TrimSpace(text)
		case "corelog":
			c.CoreLog, err = decodeLines(text, false)
		}
		if err != nil {
			return c, fmt.Errorf("section %s: %w", f.Name, err)
		}
	}
	switch {
	case c.Comment == "":
		return c, fmt.Errorf("missing comment")
	case !seen["cfg"] || strings.TrimSpace(c.Cfg) == "":
		return c, fmt.Errorf("missing cfg section")
	case seen["check"]:
		if !strings.HasPrefix(c.Check, "reject ") && !strings.HasPrefix(c.Check, "startup ") {
			return c, fmt.Errorf("check section must start with \"reject \" or \"startup \": %q", c.Check)
		}
		if seen["send"] || seen["log"] || seen["relay"] {
			return c, fmt.Errorf("a case with a check section has no send, log or relay")
		}
		if _, err := c.CheckLine(); err != nil {
			return c, err
		}
	case !seen["log"] || !seen["relay"]:
		return c, fmt.Errorf("missing log or relay section")
	}
	return c, nil
}

// CheckLine returns the LINE of the check section.
func (c Case) CheckLine() (int, error) {
	f := strings.Fields(c.Check)
	if len(f) < 2 {
		return 0, fmt.Errorf("check section has no line number: %q", c.Check)
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, fmt.Errorf("check section line number: %w", err)
	}
	return n, nil
}

// decodeLines splits a section into lines. A line starting with '"' is a Go
// quoted string; when always is false only such lines that unquote cleanly
// are decoded (a log line never starts with '"' unless it was quoted).
func decodeLines(text string, always bool) ([]string, error) {
	if text == "" {
		return nil, nil
	}
	text = strings.TrimSuffix(text, "\n")
	var out []string
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, `"`) {
			u, err := strconv.Unquote(l)
			if err != nil {
				if always {
					return nil, fmt.Errorf("line %d: bad quoted string: %v", i+1, err)
				}
				u = l
			}
			l = u
		}
		out = append(out, l)
	}
	return out, nil
}

// encodeLine writes s as one section line, Go-quoting it when it would not
// survive as plain text.
func encodeLine(s string) string {
	if strings.HasPrefix(s, `"`) || !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

func encodeLines(lines []string) []byte {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(encodeLine(l))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Format encodes the case as a txtar archive. A case with a check section
// has no send, log or relay sections.
func (c Case) Format() []byte {
	a := &txtar.Archive{Comment: []byte(strings.TrimSpace(c.Comment) + "\n")}
	cfg := c.Cfg
	if !strings.HasSuffix(cfg, "\n") {
		cfg += "\n"
	}
	a.Files = append(a.Files, txtar.File{Name: "cfg", Data: []byte(cfg)})
	if c.Check != "" {
		a.Files = append(a.Files, txtar.File{Name: "check", Data: []byte(c.Check + "\n")})
	} else {
		if c.Send != nil {
			a.Files = append(a.Files, txtar.File{Name: "send", Data: encodeLines(c.Send)})
		}
		a.Files = append(a.Files,
			txtar.File{Name: "log", Data: encodeLines(c.Log)},
			txtar.File{Name: "relay", Data: encodeLines(c.Relay)})
	}
	if len(c.CoreLog) > 0 {
		a.Files = append(a.Files, txtar.File{Name: "corelog", Data: encodeLines(c.CoreLog)})
	}
	return txtar.Format(a)
}

// Save writes the case to dir/Name.txtar.
func (c Case) Save(dir string) error {
	p := filepath.Join(dir, filepath.FromSlash(c.Name)+".txtar")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, c.Format(), 0o644)
}
