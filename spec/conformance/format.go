package conformance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/txtar"
)

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

// Format encodes the case as a txtar archive, sections in the order
// varies, cfg, send or sip, then check, or log, relay; then corelog. A
// case with a check section has no send, sip, log or relay sections.
func (c Case) Format() []byte {
	a := &txtar.Archive{Comment: []byte(strings.TrimSpace(c.Comment) + "\n")}
	add := func(name string, data []byte) { a.Files = append(a.Files, txtar.File{Name: name, Data: data}) }
	if len(c.Varies) > 0 {
		var b strings.Builder
		for _, sec := range []string{"log", "relay", "corelog"} {
			if r, ok := c.Varies[sec]; ok {
				b.WriteString(sec + ": " + r + "\n")
			}
		}
		add("varies", []byte(b.String()))
	}
	cfg := c.Cfg
	if !strings.HasSuffix(cfg, "\n") {
		cfg += "\n"
	}
	add("cfg", []byte(cfg))
	if c.Check != "" {
		add("check", []byte(c.Check+"\n"))
	} else {
		if c.Send != nil {
			add("send", encodeLines(c.Send))
		}
		if c.SIP != nil {
			add("sip", encodeLines(c.SIP))
		}
		add("log", encodeLines(c.Log))
		add("relay", encodeLines(c.Relay))
	}
	if len(c.CoreLog) > 0 {
		add("corelog", encodeLines(c.CoreLog))
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
