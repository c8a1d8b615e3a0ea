package interp

import (
	"regexp"
	"sync/atomic"

	"github.com/kamgo/kamgo/lang/ere"
)

// Patterns are POSIX extended regular expressions, translated to Go's by
// lang/check/ere: `=~` compiles them case-insensitive, switch `case /"re":`
// case-sensitive. A constant pattern is compiled once, at load; one that
// comes from a variable is compiled when it runs, through a reCache.

// reCache remembers the last pattern compiled at one call site whose
// pattern is not constant, so a pattern that rarely changes is compiled
// once instead of per event.
type reCache struct {
	last atomic.Pointer[reEntry]
}

type reEntry struct {
	pat string
	re  *regexp.Regexp
	err error
}

func (rc *reCache) get(pat string, icase bool) (*regexp.Regexp, error) {
	if e := rc.last.Load(); e != nil && e.pat == pat {
		return e.re, e.err
	}
	re, err := ere.Compile(pat, icase)
	rc.last.Store(&reEntry{pat: pat, re: re, err: err})
	return re, err
}
