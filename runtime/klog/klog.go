// Package klog owns kamgo's log output: Kamailio's levels (L_ALERT..L_DBG),
// the `debug` threshold, the log prefix of the message a goroutine handles
// (scope.go), and two line formats — Kamailio's own
// ("INFO: <script>: text", so existing log greps keep working) and JSON
// through log/slog.
package klog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
)

// Level is a Kamailio log level; lower is more severe.
type Level int

// Kamailio's levels with their numeric values.
const (
	Alert  Level = -5
	Bug    Level = -4
	Crit   Level = -3
	Err    Level = -1
	Warn   Level = 0
	Notice Level = 1
	Info   Level = 2
	Dbg    Level = 3
)

// levelNames are Kamailio's level labels. Level -2 (Kamailio's L_CRIT,
// which a script reaches only with a numeric level: xlog's "L_CRIT" is
// Crit) has an empty label in Kamailio's table, and prints none.
var levelNames = map[Level]string{
	Alert: "ALERT", Bug: "BUG", Crit: "CRITICAL", -2: "", Err: "ERROR", Warn: "WARNING",
	Notice: "NOTICE", Info: "INFO", Dbg: "DEBUG",
}

func (l Level) String() string {
	if s, ok := levelNames[l]; ok {
		return s
	}
	return fmt.Sprintf("L%d", int(l))
}

// ParseLevel maps a script level name ("L_INFO", "L_ERR", "INFO" ...) or a
// number to a Level.
func ParseLevel(s string) (Level, bool) {
	switch strings.TrimPrefix(strings.ToUpper(s), "L_") {
	case "ALERT":
		return Alert, true
	case "BUG":
		return Bug, true
	case "CRIT", "CRITICAL":
		return Crit, true
	case "ERR", "ERROR":
		return Err, true
	case "WARN", "WARNING":
		return Warn, true
	case "NOTICE":
		return Notice, true
	case "INFO":
		return Info, true
	case "DBG", "DEBUG":
		return Dbg, true
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil {
		return Level(n), true
	}
	return 0, false
}

// Format selects the line format.
type Format int

// Line formats.
const (
	Text Format = iota // Kamailio style
	JSON               // slog JSON
)

// Logger writes log lines. It is safe for concurrent use. Lines above the
// threshold (the `debug` core parameter, default Warn... set by the loader)
// are dropped before formatting.
type Logger struct {
	mu        sync.Mutex
	w         io.Writer
	format    Format
	threshold atomic.Int64
	slog      *slog.Logger
	hook      atomic.Pointer[func(Level, string, string)]
	// scopes maps goroutine ids to their *Scope; nscopes counts them
	// (scope.go).
	scopes  sync.Map
	nscopes atomic.Int64
}

// New returns a logger writing to w in the given format with threshold
// Info, Kamailio's debug=2.
func New(w io.Writer, f Format) *Logger {
	l := &Logger{w: w, format: f}
	l.threshold.Store(int64(Info))
	if f == JSON {
		l.slog = slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return l
}

// SetThreshold sets the most verbose level that is printed (debug=N).
func (l *Logger) SetThreshold(lv Level) { l.threshold.Store(int64(lv)) }

// Threshold returns the current threshold.
func (l *Logger) Threshold() Level { return Level(l.threshold.Load()) }

// SetHook installs a function that sees every printed line (tests,
// conformance capture). nil removes it.
func (l *Logger) SetHook(h func(lv Level, origin, msg string)) {
	if h == nil {
		l.hook.Store(nil)
		return
	}
	l.hook.Store(&h)
}

// Enabled reports whether lines at lv are printed.
func (l *Logger) Enabled(lv Level) bool { return int64(lv) <= l.threshold.Load() }

// Log prints msg at lv. origin is "script" for config output or a module
// name ("evapi", "core"); it is shown as <origin>. A trailing newline in msg
// is not doubled.
func (l *Logger) Log(lv Level, origin, msg string) {
	if !l.Enabled(lv) {
		return
	}
	l.emit(lv, "", origin, msg)
}

// LogPrefixed is Log with a per-line prefix (an expanded log_prefix); ""
// is the prefix of the calling goroutine's scope, as for Log.
func (l *Logger) LogPrefixed(lv Level, prefix, origin, msg string) {
	if !l.Enabled(lv) {
		return
	}
	l.emit(lv, prefix, origin, msg)
}

func (l *Logger) emit(lv Level, prefix, origin, msg string) {
	msg = strings.TrimSuffix(msg, "\n")
	if prefix == "" && l.nscopes.Load() != 0 {
		prefix = l.Prefix()
	}
	if h := l.hook.Load(); h != nil {
		(*h)(lv, origin, msg)
	}
	if l.w == nil {
		return
	}
	if l.format == JSON {
		l.slog.LogAttrs(context.Background(), slogLevel(lv), msg,
			slog.String("level_name", lv.String()), slog.String("origin", origin), slog.String("prefix", prefix))
		return
	}
	var b strings.Builder
	l.head(&b, lv, prefix)
	b.WriteByte('<')
	b.WriteString(origin)
	b.WriteString(">: ")
	b.WriteString(msg)
	b.WriteByte('\n')
	l.mu.Lock()
	_, _ = io.WriteString(l.w, b.String())
	l.mu.Unlock()
}

// head writes what starts a text line: the level, then the log prefix,
// where Kamailio prints log_prefix: "INFO: {1 abc} <script>: ...".
func (l *Logger) head(b *strings.Builder, lv Level, prefix string) {
	b.WriteString(lv.String())
	b.WriteString(": ")
	b.WriteString(prefix)
}

// LogHead is LogPrefixed with head printed in place of "<origin>: "
// (xlog's prefix parameter). The hook sees origin.
func (l *Logger) LogHead(lv Level, prefix, origin, head, msg string) {
	if !l.Enabled(lv) {
		return
	}
	if l.format == JSON {
		l.emit(lv, prefix, origin, msg)
		return
	}
	msg = strings.TrimSuffix(msg, "\n")
	if h := l.hook.Load(); h != nil {
		(*h)(lv, origin, msg)
	}
	if l.w == nil {
		return
	}
	if prefix == "" && l.nscopes.Load() != 0 {
		prefix = l.Prefix()
	}
	var b strings.Builder
	l.head(&b, lv, prefix)
	b.WriteString(head)
	b.WriteString(msg)
	b.WriteByte('\n')
	l.mu.Lock()
	_, _ = io.WriteString(l.w, b.String())
	l.mu.Unlock()
}

// Logf is Log with formatting, for modules.
func (l *Logger) Logf(lv Level, origin, format string, args ...any) {
	if !l.Enabled(lv) {
		return
	}
	l.emit(lv, "", origin, fmt.Sprintf(format, args...))
}

func slogLevel(lv Level) slog.Level {
	switch {
	case lv <= Err:
		return slog.LevelError
	case lv == Warn:
		return slog.LevelWarn
	case lv <= Info:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
