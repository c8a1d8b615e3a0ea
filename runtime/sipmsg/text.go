package sipmsg

import (
	"sort"
	"strings"
)

// The message text in parts, as Kamailio's $msg(...) and $mbu show it.
// White space trimming is C's: spaces, tabs, CR and LF.

func trim(s string) string { return strings.Trim(s, " \t\r\n") }

// firstLineEnd is the length of the first line with its line end.
func (m *Msg) firstLineEnd() int {
	if i := strings.IndexByte(m.Buf, '\n'); i >= 0 {
		return i + 1
	}
	return len(m.Buf)
}

// FirstLine is the first line without its line end.
func (m *Msg) FirstLine() string { return trim(m.Buf[:m.firstLineEnd()]) }

// HeaderText is the header section, trimmed; ok is false when the message
// has no end of headers.
func (m *Msg) HeaderText() (string, bool) {
	end, _ := headEnd(m.Buf)
	if end < 0 {
		return "", false
	}
	return trim(m.Buf[m.firstLineEnd():end]), true
}

// HeadText is the first line and the headers, trimmed.
func (m *Msg) HeadText() (string, bool) {
	end, _ := headEnd(m.Buf)
	if end < 0 {
		return "", false
	}
	return trim(m.Buf[:end]), true
}

// TailText is the message from the first header's name to the end; ok is
// false when the message has no headers.
func (m *Msg) TailText() (string, bool) {
	if len(m.Headers) == 0 {
		return "", false
	}
	return strings.TrimLeft(m.Buf[m.firstLineEnd():], " \t\r\n"), true
}

// Rebuilt is the message as it would be sent: the Request-URI rewritten and
// the Edits applied (overlapping edits after the first are dropped).
func (m *Msg) Rebuilt() string { return m.Build() }

// Build is Rebuilt with more edits: those the sender makes (its Via, the
// received and rport parameters ...). Edits at one offset apply in order:
// the Request-URI, m.Edits, then extra.
func (m *Msg) Build(extra ...Edit) string {
	edits := make([]Edit, 0, len(m.Edits)+len(extra)+1)
	if m.IsRequest() && m.NewURI != "" {
		if at := strings.IndexByte(m.Buf, ' '); at >= 0 && at < m.firstLineEnd() {
			edits = append(edits, Edit{At: at + 1, Len: len(m.RURI), Text: m.NewURI})
		}
	}
	edits = append(edits, m.Edits...)
	edits = append(edits, extra...)
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].At < edits[j].At })
	var b strings.Builder
	b.Grow(len(m.Buf) + 256)
	pos := 0
	for _, e := range edits {
		if e.At < pos || e.At+e.Len > len(m.Buf) {
			continue
		}
		b.WriteString(m.Buf[pos:e.At])
		b.WriteString(e.Text)
		pos = e.At + e.Len
	}
	b.WriteString(m.Buf[pos:])
	return b.String()
}

// SetBufByte changes byte i of the message text in place ($msgbuf). The
// parsed fields follow the new text when it still parses, as Kamailio's
// point into the buffer; otherwise they stay as they were.
func (m *Msg) SetBufByte(i int, b byte) {
	buf := []byte(m.Buf)
	buf[i] = b
	m.Buf = string(buf)
	if p, err := Parse(m.Buf); err == nil {
		m.Method, m.RURI, m.Version = p.Method, p.RURI, p.Version
		m.Status, m.Reason = p.Status, p.Reason
		m.Headers, m.Body = p.Headers, p.Body
	}
}
