package conformance

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"
)

var sectionNames = map[string]bool{
	"cfg": true, "send": true, "sip": true, "log": true, "relay": true,
	"check": true, "corelog": true, "varies": true,
}

// Load reads every *.txtar case below dir, sorted by name. Files in
// directories named testdata are not cases.
func Load(dir string) ([]Case, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
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
		case "sip":
			c.SIP, err = decodeLines(text, true)
		case "log":
			c.Log, err = decodeLines(text, false)
		case "relay":
			c.Relay, err = decodeLines(text, true)
		case "check":
			c.Check = strings.TrimSpace(text)
		case "corelog":
			c.CoreLog, err = decodeLines(text, false)
		case "varies":
			c.Varies, err = parseVaries(text)
		}
		if err != nil {
			return c, fmt.Errorf("section %s: %w", f.Name, err)
		}
	}
	if err := c.validate(seen); err != nil {
		return c, err
	}
	return c, nil
}

// validate checks the rules of README.md that tie sections together.
func (c Case) validate(seen map[string]bool) error {
	switch {
	case c.Comment == "":
		return fmt.Errorf("missing comment")
	case !seen["cfg"] || strings.TrimSpace(c.Cfg) == "":
		return fmt.Errorf("missing cfg section")
	case seen["send"] && seen["sip"]:
		return fmt.Errorf("a case has a send or a sip section, not both")
	case seen["sip"] && len(c.SIP) == 0:
		return fmt.Errorf("empty sip section")
	case seen["varies"] && len(c.Varies) == 0:
		return fmt.Errorf("empty varies section")
	case seen["check"]:
		if !strings.HasPrefix(c.Check, "reject ") && !strings.HasPrefix(c.Check, "startup ") {
			return fmt.Errorf("check section must start with \"reject \" or \"startup \": %q", c.Check)
		}
		if seen["send"] || seen["sip"] || seen["log"] || seen["relay"] || seen["varies"] {
			return fmt.Errorf("a case with a check section has no send, sip, log, relay or varies")
		}
		if _, err := c.CheckLine(); err != nil {
			return err
		}
	case !seen["log"] || !seen["relay"]:
		return fmt.Errorf("missing log or relay section")
	}
	return nil
}

// variesSections are the sections a varies line may name.
var variesSections = map[string]bool{"log": true, "relay": true, "corelog": true}

// parseVaries reads "section: reason" lines.
func parseVaries(text string) (map[string]string, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		sec, reason, _ := strings.Cut(l, ":")
		reason = strings.TrimSpace(reason)
		switch {
		case !variesSections[sec]:
			return nil, fmt.Errorf("varies: %q is not \"log: reason\", \"relay: reason\" or \"corelog: reason\"", l)
		case reason == "":
			return nil, fmt.Errorf("varies: %s gives no reason", sec)
		case out[sec] != "":
			return nil, fmt.Errorf("varies: %s appears twice", sec)
		}
		out[sec] = reason
	}
	return out, nil
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
