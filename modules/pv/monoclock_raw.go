//go:build linux || darwin

package pv

import "golang.org/x/sys/unix"

// monotonicNanos reads the raw monotonic clock (not slewed by NTP), as
// $TV(Sm) shows it; ok is false when the system refuses the read.
func monotonicNanos() (ns uint64, ok bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC_RAW, &ts); err != nil {
		return 0, false
	}
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec), true
}
