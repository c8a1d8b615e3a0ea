//go:build !(linux || darwin || dragonfly || freebsd || openbsd || solaris)

package pv

import "time"

// monoBase is the origin of monotonicNanos where the system clock cannot
// be read directly.
var monoBase = time.Now()

// monotonicNanos is, on systems without clock_gettime, the time since the
// process started on Go's monotonic clock: it never goes back, which is
// what $TV(Sm) is for, but counts from another origin.
func monotonicNanos() (ns uint64, ok bool) {
	return uint64(time.Since(monoBase)), true
}
