// Package linelog collects text written line by line (a child process's
// stderr, a logger's output) and lets a caller read the lines or wait,
// bounded, until enough of them match a pattern.
package linelog

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Log is an io.Writer that keeps what is written as lines. A line is
// complete once its '\n' is written, or at Close. It is safe for
// concurrent use. The zero Log is ready to use.
type Log struct {
	mu      sync.Mutex
	lines   []string
	partial []byte
	cut     bool          // the last line had no '\n' (set by Close)
	closed  bool          // no more lines will come
	changed chan struct{} // closed and replaced whenever lines are added or the log closes
}

// ErrClosed reports that the log was closed before the lines waited for
// were written.
var ErrClosed = errors.New("linelog: closed")

// Write adds p; it never fails. Bytes written after Close are dropped.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	if l.closed {
		return n, nil
	}
	added := false
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			break
		}
		l.lines = append(l.lines, string(append(l.partial, p[:i]...)))
		l.partial = l.partial[:0]
		p = p[i+1:]
		added = true
	}
	if added {
		l.notifyLocked()
	}
	return n, nil
}

// Close ends the log: a last line without '\n' becomes a line, and
// waiters stop waiting.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	if len(l.partial) > 0 {
		l.lines = append(l.lines, string(l.partial))
		l.partial = nil
		l.cut = true
	}
	l.closed = true
	l.notifyLocked()
	return nil
}

func (l *Log) notifyLocked() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// Lines returns the complete lines so far, without their '\n'.
func (l *Log) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Text returns the complete lines as they were written (a line cut short
// by Close has no '\n').
func (l *Log) Text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 0 {
		return ""
	}
	s := strings.Join(l.lines, "\n")
	if !l.cut {
		s += "\n"
	}
	return s
}

// Count returns how many complete lines match re.
func (l *Log) Count(re *regexp.Regexp) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if re.MatchString(s) {
			n++
		}
	}
	return n
}

// Wait waits until at least n lines match re. It fails when that takes
// longer than d, or when the log is closed with fewer.
func (l *Log) Wait(re *regexp.Regexp, n int, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	seen, matched := 0, 0
	for {
		l.mu.Lock()
		for ; seen < len(l.lines); seen++ {
			if re.MatchString(l.lines[seen]) {
				matched++
			}
		}
		closed := l.closed
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		l.mu.Unlock()
		switch {
		case matched >= n:
			return nil
		case closed:
			return fmt.Errorf("%w with %d of %d lines matching %q", ErrClosed, matched, n, re)
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("linelog: %d of %d lines matching %q within %v", matched, n, re, d)
		}
	}
}
