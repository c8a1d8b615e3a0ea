package siptest

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kamgo/kamgo/runtime/klog"
)

// Record is one log record: a line "LEVEL: <origin>: text" of kamgo's
// text log, with the lines after it that do not start a record (a
// message with line breaks) joined to Text with "\n".
type Record struct {
	Level, Origin, Text string
}

// String is the record as "LEVEL: origin: text".
func (r Record) String() string { return r.Level + ": " + r.Origin + ": " + r.Text }

var recordRE = regexp.MustCompile(`^([A-Z]+): <([a-z0-9_]+)>: (.*)$`)

// Records reads kamgo's text log lines as records; lines before the
// first record are dropped.
func Records(lines []string) []Record {
	var out []Record
	for _, l := range lines {
		if m := recordRE.FindStringSubmatch(l); m != nil {
			out = append(out, Record{m[1], m[2], m[3]})
		} else if n := len(out); n > 0 {
			out[n-1].Text += "\n" + l
		}
	}
	return out
}

// Strings are records as String writes them.
func Strings(rs []Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// ScriptLog collects the script's log lines as the recorded cases hold
// them ("LEVEL: text", a message with line breaks as several lines) and
// signals each new one. Its Hook goes in Options.Hook.
type ScriptLog struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
}

// NewScriptLog returns an empty ScriptLog.
func NewScriptLog() *ScriptLog { return &ScriptLog{more: make(chan struct{}, 1)} }

// Hook takes a log record; records of other origins than the script's are
// ignored.
func (l *ScriptLog) Hook(lv klog.Level, origin, msg string) {
	if origin != "script" {
		return
	}
	parts := strings.Split(strings.TrimSuffix(msg, "\n"), "\n")
	parts[0] = lv.String() + ": " + parts[0]
	l.mu.Lock()
	l.lines = append(l.lines, parts...)
	l.mu.Unlock()
	select {
	case l.more <- struct{}{}:
	default:
	}
}

// Lines are the lines so far.
func (l *ScriptLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// WaitLines returns the lines once there are n, or those there are after
// Wait.
func (l *ScriptLog) WaitLines(n int) []string {
	timeout := time.After(Wait)
	for {
		if got := l.Lines(); len(got) >= n {
			return got
		}
		select {
		case <-l.more:
		case <-timeout:
			return l.Lines()
		}
	}
}
