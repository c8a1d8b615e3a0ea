package kamref

import (
	"regexp"
	"strconv"
	"strings"
)

// LogLine is one parsed Kamailio log record.
type LogLine struct {
	Rank   int    // process rank, the number before the pid
	PID    int    // process id
	Level  string // ERROR, WARNING, NOTICE, INFO, DEBUG, CRITICAL, ALERT, BUG
	Origin string // "<script>", "<core>" or a module name
	// Prefix is the expanded log_prefix Kamailio printed between the
	// level and the origin, "" when none.
	Prefix string
	// Text is the message without the prefix; for module and core records the
	// C "[file:line]: " part is removed. Continuation lines (a message that
	// contains newlines) are joined with "\n"; the final newline is dropped.
	Text string
}

// Script reports whether the record was written by the configuration
// (xlog and friends).
func (l LogLine) Script() bool { return l.Origin == "<script>" }

// String renders the record as "LEVEL: text", the form used by the
// conformance cases.
func (l LogLine) String() string { return l.Level + ": " + l.Text }

// recordStart matches the prefix Kamailio puts before each record:
// " 5(123) INFO: <script>: text" or " 0(12) ERROR: tm [t.c:33]: f(): text",
// with the expanded log_prefix, if any, after the level: " 1(9) INFO:
// {1 7 OPTIONS x} <script>: text". The log prefix is the shortest text
// after which an origin follows.
var recordStart = regexp.MustCompile(`(\d+)\((\d+)\) (ALERT|BUG|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG): ((?:[^\n]*? )??)(<[a-z]+>|[A-Za-z0-9_]+)(?: \[[^\]]*\])?: `)

// ParseLog splits raw stderr lines into records. A record whose text has no
// trailing newline runs into the next record on the same physical line;
// such lines are split at every record prefix. A physical line without a
// prefix continues the previous record.
func ParseLog(lines []string) []LogLine {
	var out []LogLine
	for _, line := range lines {
		locs := recordStart.FindAllStringSubmatchIndex(line, -1)
		first := len(line)
		if len(locs) > 0 {
			first = locs[0][0]
		}
		if head := line[:first]; strings.TrimLeft(head, " ") != "" || len(locs) == 0 {
			// Text before any prefix continues the previous record.
			if n := len(out); n > 0 {
				if len(locs) > 0 {
					head = trimPad(head, line[locs[0][2]:locs[0][3]])
				}
				out[n-1].Text += "\n" + head
			}
		}
		for i, m := range locs {
			end := len(line)
			text := ""
			if i+1 < len(locs) {
				end = locs[i+1][0]
				text = trimPad(line[m[1]:end], line[locs[i+1][2]:locs[i+1][3]])
			} else {
				text = line[m[1]:end]
			}
			rank, _ := strconv.Atoi(line[m[2]:m[3]])
			pid, _ := strconv.Atoi(line[m[4]:m[5]])
			out = append(out, LogLine{Rank: rank, PID: pid, Level: line[m[6]:m[7]], Prefix: line[m[8]:m[9]], Origin: line[m[10]:m[11]], Text: text})
		}
	}
	return out
}

// trimPad removes the space Kamailio pads a one-digit rank with ("%2d")
// from text that runs into a record with that rank.
func trimPad(text, rank string) string {
	if len(rank) == 1 {
		return strings.TrimSuffix(text, " ")
	}
	return text
}
