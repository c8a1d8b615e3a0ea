//go:build dragonfly || freebsd || openbsd || solaris

package pv

import "golang.org/x/sys/unix"

// monotonicNanos reads the monotonic clock, as $TV(Sm) shows it (these
// systems have no raw one); ok is false when the system refuses the read.
func monotonicNanos() (ns uint64, ok bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, false
	}
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec), true
}
