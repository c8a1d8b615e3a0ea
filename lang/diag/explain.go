package diag

import (
	"fmt"
	"io"
	"strings"
)

// WriteCodeList prints one line per code: the ID, two spaces, the title.
func WriteCodeList(w io.Writer, codes []Code) error {
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "%s  %s", c.ID, c.Title)
		if c.Reserved {
			b.WriteString(" (reserved)")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteExplain prints everything about one code for people: the title, the
// explanation, the example and its fix. Config fragments are indented by
// four spaces, tabs expanded.
func WriteExplain(w io.Writer, c Code) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.ID, c.Title)
	if c.Reserved {
		b.WriteString("\nReserved: no check reports this code; the ID stays allocated to it.\n")
	}
	if t := strings.TrimSpace(c.Explain); t != "" {
		fmt.Fprintf(&b, "\n%s\n", t)
	}
	section(&b, "Example", c.Example)
	section(&b, "Fix", c.Fix)
	_, err := io.WriteString(w, b.String())
	return err
}

// section prints a titled config fragment, indented, or nothing when the
// fragment is empty.
func section(b *strings.Builder, title, text string) {
	text = strings.Trim(text, "\n")
	if strings.TrimSpace(text) == "" {
		return
	}
	fmt.Fprintf(b, "\n%s:\n\n", title)
	for _, line := range strings.Split(text, "\n") {
		if line = expandTabs(line); strings.TrimSpace(line) == "" {
			b.WriteByte('\n')
			continue
		}
		fmt.Fprintf(b, "    %s\n", line)
	}
}
