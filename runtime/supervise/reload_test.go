package supervise

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/internal/proctest"
)

// reloadRun serves a.cfg with the given evapi workers.
func reloadRun(t *testing.T, workers int, watch bool, debounce time.Duration) (*run, map[string]string) {
	t.Helper()
	cfgs := configs(t, workers)
	o, log, _ := setup(t, cfgs["a.cfg"])
	o.Watch, o.WatchDebounce = watch, debounce
	return serve(t, o, log), cfgs
}

// TestReloadSignal: SIGHUP reloads the file on the open connection, and
// refuses a broken one.
func TestReloadSignal(t *testing.T) {
	t.Parallel()
	r, cfgs := reloadRun(t, 1, false, 0)
	c := r.dial()
	local := c.NetConn().LocalAddr().String()
	if got := ask(t, c, "0"); got != "A:0" {
		t.Fatalf("before the reload: %q, want A:0", got)
	}
	reload := reReloaded("SIGHUP")
	for i := 1; i <= 10; i++ {
		v := map[bool]string{true: "a", false: "b"}[i%2 == 0]
		proctest.WriteFile(t, r.file, cfgs[v+".cfg"])
		r.signal(syscall.SIGHUP)
		r.waitFor(reload, i)
		msg := strconv.Itoa(i)
		if got, want := ask(t, c, msg), strings.ToUpper(v)+":"+msg; got != want {
			t.Errorf("after SIGHUP %d: %q, want %q", i, got, want)
		}
	}
	proctest.WriteFile(t, r.file, cfgs["syntax-error.cfg"])
	r.signal(syscall.SIGHUP)
	r.waitFor(reRefused("SIGHUP"), 1)
	if got := ask(t, c, "x"); got != "A:x" {
		t.Errorf("after a refused reload: %q, want A:x", got)
	}
	if c.NetConn().LocalAddr().String() != local {
		t.Errorf("the connection changed")
	}
	if n := r.log.Count(reConnNew); n != 1 {
		t.Errorf("%d connection-new events, want 1", n)
	}
	if n := r.log.Count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events across reloads, want 0", n)
	}
}

// TestReloadWatch: with Watch a good change is applied to the open
// connection: same socket, no connection-closed.
func TestReloadWatch(t *testing.T) {
	t.Parallel()
	r, cfgs := reloadRun(t, 1, true, 0)
	c := r.dial()
	if got := ask(t, c, "1"); got != "A:1" {
		t.Fatalf("before the reload: %q, want A:1", got)
	}
	reload := reReloaded("file changed")
	for i, v := range []string{"b", "a", "b"} {
		proctest.WriteFile(t, r.file, cfgs[v+".cfg"])
		r.waitFor(reload, i+1)
		msg := strconv.Itoa(i + 2)
		if got, want := ask(t, c, msg), strings.ToUpper(v)+":"+msg; got != want {
			t.Errorf("after reload %d: %q, want %q", i+1, got, want)
		}
	}
	if n := r.log.Count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events across reloads, want 0", n)
	}
}

// TestReloadRefused: broken changes are refused with their diagnostics in
// the log, the old program keeps serving, and the watch keeps working.
func TestReloadRefused(t *testing.T) {
	t.Parallel()
	r, cfgs := reloadRun(t, 1, true, 0)
	c := r.dial()
	if got := ask(t, c, "0"); got != "A:0" {
		t.Fatalf("before the reloads: %q, want A:0", got)
	}
	refused := reRefused("file changed")
	for i, tc := range []struct{ cfg, diag string }{
		{"syntax-error.cfg", `^\S*kamailio\.cfg:1[78]:\d+: error: .*\[KC0501\]$`},
		{"unknown-function.cfg", `^\S*kamailio\.cfg:17:2: error: unknown function evapi_rely .*\[KC2001\]$`},
		{"modparam-change.cfg", `error: configuration changes need a restart; the running configuration is kept \[KC2107\]$`},
	} {
		proctest.WriteFile(t, r.file, cfgs[tc.cfg])
		r.waitFor(refused, i+1)
		r.waitFor(regexp.MustCompile(tc.diag), 1)
		if tc.cfg == "modparam-change.cfg" {
			r.waitFor(regexp.MustCompile(`^  hint: changed: \+modparam evapi max_clients int:4$`), 1)
		}
		msg := strconv.Itoa(i + 1)
		if got := ask(t, c, msg); got != "A:"+msg {
			t.Errorf("after refusing %s: %q, want %q", tc.cfg, got, "A:"+msg)
		}
	}
	proctest.WriteFile(t, r.file, cfgs["b.cfg"])
	r.waitFor(reReloaded("file changed"), 1)
	if got := ask(t, c, "4"); got != "B:4" {
		t.Errorf("after the good change: %q, want B:4", got)
	}
	if n := r.log.Count(reReloaded("file changed")); n != 1 {
		t.Errorf("%d reloads applied, want 1", n)
	}
	if n := r.log.Count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events, want 0", n)
	}
}

// TestReloadUnderLoad: 100 reloads alternating two variants while a
// client keeps a window of numbered messages in flight: every message gets
// exactly one reply, from one variant or the other, and both are seen. The
// "sighup" subtest rewrites the file and signals; the "watch" one only
// rewrites it.
func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"sighup", "watch"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			reloadUnderLoad(t, mode == "watch")
		})
	}
}

// loadClient keeps a window of numbered messages in flight on one
// connection and counts the replies.
type loadClient struct {
	c                  *netstring.Conn
	sent, recvd        atomic.Int64
	progress           chan struct{} // a token after every reply
	stopSend, stopRecv chan struct{}
	sendDone, recvDone chan struct{}

	mu       sync.Mutex
	got      map[int]int
	variants map[string]int
	bad      []string
	sendErr  error
	recvErr  error
}

const (
	loadWindow  = 16
	loadMaxMsgs = 1_000_000
	loadRate    = 20000 // messages per second at most, so the count bound holds
	loadSilence = 15 * time.Second
)

func startLoad(c *netstring.Conn) *loadClient {
	l := &loadClient{c: c, progress: make(chan struct{}, 1),
		stopSend: make(chan struct{}), stopRecv: make(chan struct{}),
		sendDone: make(chan struct{}), recvDone: make(chan struct{}),
		got: map[int]int{}, variants: map[string]int{}}
	sem := make(chan struct{}, loadWindow)
	go func() {
		defer close(l.sendDone)
		begin := time.Now()
		for n := 0; n < loadMaxMsgs; n++ {
			if n%200 == 0 {
				if ahead := time.Duration(n)*time.Second/loadRate - time.Since(begin); ahead > 0 {
					time.Sleep(ahead) // pacing, not synchronisation
				}
			}
			select {
			case <-l.stopSend:
				return
			case sem <- struct{}{}:
			}
			if err := c.Send(strconv.Itoa(n)); err != nil {
				l.sendErr = err
				return
			}
			l.sent.Add(1)
		}
	}()
	go func() {
		defer close(l.recvDone)
		// Short receives (a partial frame stays buffered) so that the
		// receiver notices when it is done; loadSilence without a reply
		// is an error.
		var quiet time.Duration
		for {
			select {
			case <-l.stopRecv:
				if l.recvd.Load() >= l.sent.Load() {
					return
				}
			default:
			}
			s, err := c.Recv(50 * time.Millisecond)
			if errors.Is(err, netstring.ErrTimeout) {
				if quiet += 50 * time.Millisecond; quiet > loadSilence {
					l.recvErr = err
					return
				}
				continue
			}
			if err != nil {
				l.recvErr = err
				return
			}
			quiet = 0
			v, num, ok := strings.Cut(s, ":")
			n, err := strconv.Atoi(num)
			l.mu.Lock()
			if !ok || err != nil || (v != "A" && v != "B") {
				l.bad = append(l.bad, s)
			} else {
				l.got[n]++
				l.variants[v]++
			}
			l.mu.Unlock()
			l.recvd.Add(1)
			select {
			case <-sem:
			default:
			}
			select {
			case l.progress <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

// waitProgress waits until n more replies arrived, so that every program
// serves some events.
func (l *loadClient) waitProgress(t *testing.T, n int64) {
	t.Helper()
	target := l.recvd.Load() + n
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for l.recvd.Load() < target {
		select {
		case <-l.progress:
		case <-l.recvDone:
			t.Fatalf("the client stopped: %v", l.recvErr)
		case <-timer.C:
			t.Fatalf("no progress: %d replies, want %d (sent %d)", l.recvd.Load(), target, l.sent.Load())
		}
	}
}

// finish stops sending and waits for the outstanding replies.
func (l *loadClient) finish() {
	select {
	case <-l.stopSend:
		return
	default:
	}
	close(l.stopSend)
	<-l.sendDone
	close(l.stopRecv)
	<-l.recvDone
}

func reloadUnderLoad(t *testing.T, watch bool) {
	const reloads = 100
	reload := reReloaded("SIGHUP")
	if watch {
		reload = reReloaded("file changed")
	}
	r, cfgs := reloadRun(t, 4, watch, 20*time.Millisecond)
	l := startLoad(r.dial())
	defer l.finish()

	l.waitProgress(t, loadWindow)
	for i := 1; i <= reloads; i++ {
		v := map[bool]string{true: "a", false: "b"}[i%2 == 0]
		before := r.log.Count(reload)
		proctest.WriteFile(t, r.file, cfgs[v+".cfg"])
		if !watch {
			r.signal(syscall.SIGHUP)
		}
		r.waitFor(reload, before+1)
		l.waitProgress(t, loadWindow)
	}
	l.finish()

	if l.sendErr != nil || l.recvErr != nil {
		t.Fatalf("client: send: %v, receive: %v", l.sendErr, l.recvErr)
	}
	n := int(l.sent.Load())
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bad) > 0 {
		t.Errorf("%d unexpected replies, first %q", len(l.bad), l.bad[0])
	}
	var missing, dup []int
	for i := 0; i < n; i++ {
		switch l.got[i] {
		case 1:
		case 0:
			missing = append(missing, i)
		default:
			dup = append(dup, i)
		}
	}
	if len(l.got) != n-len(missing) {
		t.Errorf("replies for messages never sent")
	}
	if len(missing) > 0 || len(dup) > 0 {
		t.Errorf("%d messages: %d without a reply (first %v), %d with more than one (first %v)",
			n, len(missing), head(missing), len(dup), head(dup))
	}
	if l.variants["A"] == 0 || l.variants["B"] == 0 {
		t.Errorf("variants seen: %v, want both", l.variants)
	}
	if applied := r.log.Count(reload); applied < reloads {
		t.Errorf("%d reloads applied, want %d", applied, reloads)
	}
	if n := r.log.Count(reConnClosed); n != 0 {
		t.Errorf("%d connection-closed events, want 0", n)
	}
	// The last variant written was a.cfg.
	if got := ask(t, l.c, "last"); got != "A:last" {
		t.Errorf("after the last reload: %q, want A:last", got)
	}
	t.Logf("%d reloads under load: %d messages, %d replies (A %d, B %d)", reloads, n, l.recvd.Load(), l.variants["A"], l.variants["B"])
}

func head(s []int) []int {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
