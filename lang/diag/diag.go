// Package diag owns positions, ranges and diagnostics: the error values every
// phase of kamgo (preprocessor, parser, checker, runtime loader) reports, the
// writers that print them for people (text with a source snippet) and for
// tools (JSON), and the registry of diagnostic codes: each package declares
// its codes once, as Code values with their explanations (code.go), inside
// the range of IDs allocated to it.
package diag

import (
	"fmt"
	"sort"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes. Offset is the 0-based byte offset. The zero Pos means "unknown".
type Pos struct {
	Line, Col, Offset int
}

// IsValid reports whether p names a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Before reports whether p comes before q in the same file.
func (p Pos) Before(q Pos) bool {
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Range is a span of source text. End is exclusive. Via names the #!define
// whose expansion produced the text, when the range points at a define's use.
type Range struct {
	File       string
	Start, End Pos
	Via        string
}

// Point returns a range of one byte at pos.
func Point(file string, pos Pos) Range {
	end := pos
	end.Col++
	end.Offset++
	return Range{File: file, Start: pos, End: end}
}

// Join returns the smallest range covering r and s (same file assumed).
func (r Range) Join(s Range) Range {
	if !r.Start.IsValid() {
		return s
	}
	if !s.Start.IsValid() {
		return r
	}
	out := r
	if s.Start.Before(out.Start) {
		out.Start = s.Start
	}
	if out.End.Before(s.End) {
		out.End = s.End
	}
	return out
}

func (r Range) String() string {
	if !r.Start.IsValid() {
		return r.File
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Col)
}

// Severity orders diagnostics by importance.
type Severity int

// Severities, most severe first.
const (
	Error Severity = iota
	Warning
	Info
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// Diagnostic is one finding. Code is the ID of a declared Code (KC0xxx
// syntax and preprocessor, KC1xxx/KC2xxx semantic and loading), never
// reused; Lookup gives its explanation.
// Context names the enclosing block (e.g. "route[RELAY]") when known.
type Diagnostic struct {
	Severity Severity
	Code     string
	Summary  string
	Detail   string
	Subject  Range
	Context  string
	Related  []Related
}

// Related points at another place that explains a diagnostic.
type Related struct {
	Message string
	Range   Range
}

func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s: %s [%s]", d.Subject, d.Severity, d.Summary, d.Code)
}

// List is a collection of diagnostics that is itself an error when it holds
// at least one error-severity diagnostic.
type List []*Diagnostic

// Add appends a diagnostic built from its parts.
func (l *List) Add(sev Severity, code string, r Range, summary, detail string) *Diagnostic {
	d := &Diagnostic{Severity: sev, Code: code, Subject: r, Summary: summary, Detail: detail}
	*l = append(*l, d)
	return d
}

// Errorf appends an error-severity diagnostic with a formatted summary.
func (l *List) Errorf(code string, r Range, format string, args ...any) *Diagnostic {
	return l.Add(Error, code, r, fmt.Sprintf(format, args...), "")
}

// Warnf appends a warning with a formatted summary.
func (l *List) Warnf(code string, r Range, format string, args ...any) *Diagnostic {
	return l.Add(Warning, code, r, fmt.Sprintf(format, args...), "")
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns l as an error when it holds errors, else nil.
func (l List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

func (l List) Error() string {
	switch len(l) {
	case 0:
		return "no diagnostics"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", l[0].Error(), len(l)-1)
}

// Sort orders diagnostics by file, then position, keeping the original order
// among equals.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Subject, l[j].Subject
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start.Before(b.Start)
	})
}
