package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Sources maps a file name to its contents, for printing snippets.
type Sources map[string][]byte

// line returns the text of line n (1-based) of file, without its newline.
func (s Sources) line(file string, n int) (string, bool) {
	src, ok := s[file]
	if !ok || n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// WriteText prints diagnostics for people: a header line
// `file:line:col: severity: summary [CODE]`, the source line with the subject
// underlined, then the detail as a hint.
func WriteText(w io.Writer, l List, src Sources) error {
	var b strings.Builder
	for _, d := range l {
		fmt.Fprintf(&b, "%s: %s: %s [%s]\n", d.Subject, d.Severity, d.Summary, d.Code)
		if line, ok := src.line(d.Subject.File, d.Subject.Start.Line); ok && d.Subject.Start.IsValid() {
			num := fmt.Sprintf("%d", d.Subject.Start.Line)
			pad := strings.Repeat(" ", len(num))
			fmt.Fprintf(&b, " %s | %s\n", num, expandTabs(line))
			start := d.Subject.Start.Col
			end := start + 1
			if d.Subject.End.Line == d.Subject.Start.Line && d.Subject.End.Col > start {
				end = d.Subject.End.Col
			}
			if start-1 > len(line) {
				start = len(line) + 1
			}
			if end-1 > len(line)+1 {
				end = len(line) + 2
			}
			if end <= start {
				end = start + 1
			}
			prefix := expandTabs(line[:min(start-1, len(line))])
			fmt.Fprintf(&b, " %s | %s%s\n", pad, strings.Repeat(" ", len(prefix)), strings.Repeat("^", end-start))
		}
		if d.Subject.Via != "" {
			fmt.Fprintf(&b, "  note: in the expansion of #!define %s\n", d.Subject.Via)
		}
		if d.Context != "" {
			fmt.Fprintf(&b, "  in: %s\n", d.Context)
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "  %s: %s\n", r.Range, r.Message)
		}
		if d.Detail != "" {
			fmt.Fprintf(&b, "  hint: %s\n", d.Detail)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// jsonDiag is the JSON shape of one diagnostic.
type jsonDiag struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	EndLine  int    `json:"endLine"`
	EndCol   int    `json:"endCol"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Context  string `json:"context,omitempty"`
	Define   string `json:"define,omitempty"`
	Kamailio string `json:"kamailio,omitempty"`
}

// WriteJSON prints diagnostics as one JSON array.
func WriteJSON(w io.Writer, l List) error { return WriteJSONFor(w, l, "") }

// WriteJSONFor is WriteJSON naming, in each entry, the Kamailio release the
// findings are for ("kamailio": "6.1").
func WriteJSONFor(w io.Writer, l List, release string) error {
	out := make([]jsonDiag, 0, len(l))
	for _, d := range l {
		out = append(out, jsonDiag{
			File: d.Subject.File, Line: d.Subject.Start.Line, Col: d.Subject.Start.Col,
			EndLine: d.Subject.End.Line, EndCol: d.Subject.End.Col,
			Severity: d.Severity.String(), Code: d.Code, Summary: d.Summary, Detail: d.Detail,
			Context: d.Context, Define: d.Subject.Via, Kamailio: release,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
