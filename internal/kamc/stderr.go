package kamc

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Report is what ParseStderr reads from one Kamailio run.
type Report struct {
	Line, Col int
	// Message is the text of the first located parse error (yyerror_at)
	// when there is one, since that is what names the problem at the
	// position; otherwise the first error line's text.
	Message string
	// Detail is the first error line's text when it differs from Message
	// (e.g. "failed to find command x (params 2)" before "unknown command").
	Detail string
	// Errors counts the error-level log lines.
	Errors int
}

var (
	// " 0(123) ERROR: <core> [core/cfg.y:3790]: yyerror_at(): text"; the
	// level is empty for a few lexer lines (" 0(123) : <core> ...").
	logLineRE = regexp.MustCompile(`^\s*\d+\(\d+\) ([A-Z]*): (\S+) \[[^\]]*\]: (.*)$`)
	funcRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\(\): `)
	yyOneRE   = regexp.MustCompile(`^parse error in config file .*?, line (\d+), column (\d+)(?:-\d+)?: ?(.*)$`)
	yySpanRE  = regexp.MustCompile(`^parse error in config file .*?, from line (\d+), column (\d+),? to line \d+, column \d+: ?(.*)$`)
	// "error at cfg line 3", "error at inc/b.inc line 2" (lexer) and
	// "fixing failed (code=-1) at cfg:/x.cfg:5" (fixups at startup).
	lexAtRE = regexp.MustCompile(`error at \S+ line (\d+)`)
	cfgAtRE = regexp.MustCompile(` at cfg:.*:(\d+)$`)
)

var errorLevels = map[string]bool{
	"": true, "ERROR": true, "CRITICAL": true, "BUG": true, "ALERT": true, "EMERGENCY": true,
}

// ParseStderr finds the first error location and message in Kamailio's
// stderr. Lines that are not log lines (the "bad config file" summary,
// "Listening on" lists) are used only when no log line is an error.
func ParseStderr(stderr string) Report {
	var r Report
	var first, located, fallback string
	yyLine, yyCol, otherLine := 0, 0, 0
	haveYY, firstIsYY := false, false
	for _, raw := range strings.Split(stderr, "\n") {
		m := logLineRE.FindStringSubmatch(raw)
		if m == nil {
			t := strings.TrimSpace(raw)
			if fallback == "" && (strings.HasPrefix(t, "ERROR:") || strings.HasPrefix(t, "error ")) {
				fallback = t
			}
			continue
		}
		level, text := m[1], strings.TrimSpace(funcRE.ReplaceAllString(m[3], ""))
		if !errorLevels[level] || strings.Contains(m[3], "handle_sigs()") {
			continue
		}
		r.Errors++
		if first == "" {
			first = text
		}
		sm := yyOneRE.FindStringSubmatch(text)
		if sm == nil {
			sm = yySpanRE.FindStringSubmatch(text)
		}
		if sm != nil {
			if r.Errors == 1 {
				firstIsYY = true
			}
			if !haveYY {
				haveYY = true
				yyLine, yyCol = atoi(sm[1]), atoi(sm[2])
			}
			if located == "" && sm[3] != "" {
				located = sm[3]
			}
			continue
		}
		if otherLine == 0 {
			if lm := lexAtRE.FindStringSubmatch(text); lm != nil {
				otherLine = atoi(lm[1])
			} else if lm := cfgAtRE.FindStringSubmatch(text); lm != nil {
				otherLine = atoi(lm[1])
			}
		}
	}
	// A located parse error names the problem at its position, so it wins
	// over earlier unlocated lines (which become Detail).
	if haveYY {
		r.Line, r.Col = yyLine, yyCol
	} else {
		r.Line = otherLine
	}
	switch {
	case located != "":
		r.Message = located
	case first != "":
		r.Message = first
	default:
		r.Message = fallback
	}
	if first != "" && first != r.Message && !firstIsYY {
		r.Detail = first
	}
	r.Message = oneLine(r.Message)
	r.Detail = oneLine(r.Detail)
	return r
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// pointerRE matches addresses Kamailio prints (e.g. in bind errors),
// which differ from run to run.
var pointerRE = regexp.MustCompile(`0x[0-9a-f]{8,}`)

// oneLine keeps a message fit for one TSV cell and stable across runs:
// whitespace controls become spaces, other control bytes and invalid
// UTF-8 are escaped, pointers are masked.
func oneLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == utf8.RuneError && n == 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return strings.TrimSpace(pointerRE.ReplaceAllString(b.String(), "0xADDR"))
}
