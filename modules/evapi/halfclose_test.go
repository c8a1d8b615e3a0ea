package evapi

import (
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kamgo/kamgo/runtime/value"
)

// TestHalfClose: 50 clients each send their last frames and at once shut
// down their write side (loopback TCP). Each still gets the replies to its
// own frames before the server closes the connection: its relay, or the
// unicast to its own tag. It runs with both ways a loop waits.
func TestHalfClose(t *testing.T) {
	for _, held := range []bool{true, false} {
		t.Run(map[bool]string{true: "held", false: "parked"}[held], func(t *testing.T) {
			withLoopsHeld(t, held)
			testHalfClose(t)
		})
	}
}

// withLoopsHeld makes the loops the test starts hold a P and block in
// epoll_wait (held), or park in the runtime's poller, whatever the
// process's P count.
func withLoopsHeld(t *testing.T, held bool) {
	mode, hold, release := holdMode, holdP, releaseP
	holdMode, holdP, releaseP = 2, func() bool { return true }, func() {}
	if held {
		holdMode = 1
	}
	t.Cleanup(func() { holdMode, holdP, releaseP = mode, hold, release })
}

func testHalfClose(t *testing.T) {
	const n = 50
	for _, mode := range []string{"relay", "uni"} {
		t.Run(mode, func(t *testing.T) {
			m, _, r := setup(t, map[string]value.Value{"max_clients": value.MakeInt(n)}, false)
			cs := connect(t, m, n)
			got := make([]string, n)
			var wg sync.WaitGroup
			for i, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id := strconv.Itoa(i)
					last := ns("relay:" + id)
					if mode == "uni" {
						last = ns("tag:t"+id) + ns("uni:t"+id+":"+id)
					}
					tc := c.c.(*net.TCPConn)
					if _, err := tc.Write([]byte(last)); err != nil {
						got[i] = "write: " + err.Error()
						return
					}
					tc.CloseWrite()
					tc.SetReadDeadline(time.Now().Add(20 * time.Second))
					b, err := io.ReadAll(tc)
					got[i] = string(b)
					if err != nil {
						got[i] += " error: " + err.Error()
					}
				}()
			}
			wg.Wait()
			for i := range cs {
				id := strconv.Itoa(i)
				want := ns("relay:" + id)
				if mode == "uni" {
					want = ns("uni:t" + id + ":" + id)
				}
				if !strings.Contains(got[i], want) || strings.Contains(got[i], "error:") {
					t.Errorf("client %d got %.120q, want %q and the end of the stream", i, got[i], want)
				}
			}
			waitFor(t, "every connection-closed", func() bool { return len(r.closedList()) == n })
			waitFor(t, "all closed", func() bool { return m.Stats().Active == 0 })
			if got := m.loops[0].hold.held; got != (holdMode == 1) || got != m.loops[0].p.Blocking() {
				t.Errorf("loop held = %v, blocking = %v", got, m.loops[0].p.Blocking())
			}
		})
	}
}
