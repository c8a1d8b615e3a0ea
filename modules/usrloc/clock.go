package usrloc

import (
	"os"
	"time"
)

// Clock is the time usrloc measures expiry against and runs its timer on.
// The module uses the system clock; tests give it one they advance by
// hand (internal/fakeclock), so that no test waits for real time.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed; the returned function cancels
	// it.
	AfterFunc(d time.Duration, f func()) (stop func())
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// pid is the process id, part of each contact id as in Kamailio's.
var pid = os.Getpid()

// timeOf is the time of Unix seconds and microseconds.
func timeOf(sec, usec uint64) time.Time { return time.Unix(int64(sec), int64(usec)*1000) }
