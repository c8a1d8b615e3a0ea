// Package freeport hands out ports on 127.0.0.1 for servers that must be
// told their port before they bind: a Kamailio or kamgo config under test,
// a benchmark. Where a server can bind ":0" and report its port, let it.
//
// Ports come from 24000-32767, below the kernel's ephemeral range, so no
// client socket's source port can take one between the pick and the bind,
// and a port nobody was given is never open; and above 20000-23999, where
// the probe configurations of testdata/kamailio-c listen on fixed ports
// while Kamailio starts them (a pick there once took one from under a
// probe run in parallel). A port is free for TCP and
// UDP when it is picked (a SIP listener takes both), and is never handed
// out twice while the process that picked it runs: within a process a set
// remembers it, across processes (parallel test binaries) a byte-range
// lock on a shared file in the temporary directory holds it until the
// process exits.
package freeport

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

// Lo and Hi bound the ports handed out: Lo <= port < Hi.
const Lo, Hi = 24000, 32768

var (
	mu   sync.Mutex
	next int
	used = map[int]bool{}
	lock *os.File // the shared lock file; nil when it cannot be opened
)

// lockFile is the file whose byte N is locked by the process holding port
// N.
var lockFile = filepath.Join(os.TempDir(), "kamgo-freeport.lock")

// Pick returns a port that was free for TCP and UDP on 127.0.0.1 a moment
// ago and that this process has not handed out before.
func Pick() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	if next == 0 {
		next = Lo + (os.Getpid()*97)%(Hi-Lo)
		// Without the file ports are still unique within the process.
		lock, _ = os.OpenFile(lockFile, os.O_RDWR|os.O_CREATE, 0o666)
	}
	for range Hi - Lo {
		port := next
		if next++; next >= Hi {
			next = Lo
		}
		if used[port] || !free(port) || !reserve(port) {
			continue
		}
		used[port] = true
		return port, nil
	}
	return 0, errors.New("freeport: no free port in " + strconv.Itoa(Lo) + "-" + strconv.Itoa(Hi-1))
}

// Addr is Pick as a "127.0.0.1:PORT" address.
func Addr() (string, error) {
	p, err := Pick()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), nil
}

// reserve locks byte port of the lock file for this process, and reports
// false when another process holds it. The lock goes with the process.
func reserve(port int) bool {
	if lock == nil {
		return true
	}
	err := syscall.FcntlFlock(lock.Fd(), syscall.F_SETLK, &syscall.Flock_t{
		Type: syscall.F_WRLCK, Whence: 0, Start: int64(port), Len: 1,
	})
	// Any other failure means the file cannot lock: go without.
	return err != syscall.EAGAIN && err != syscall.EACCES
}

// free reports whether port can be bound on 127.0.0.1 for TCP and UDP.
func free(port int) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	defer l.Close()
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	u.Close()
	return true
}
