package evapi

import (
	"syscall"
	"testing"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/value"
)

// hotPath is one client on a loop that is not running, with
// message-received routed to evapi_unicast("$evapi(msg)",
// "c$evapi(conidx)") or evapi_relay("$evapi(msg)"), as in
// bench/kamailio-bench.cfg. feed parses one read of frames on the loop
// (frame in, route, frame queued) and then discards what was queued. The
// client counts as armed (its socket full), so every frame is queued and
// no socket write is measured: a unicast answering the last frame of a
// read is otherwise written at once, with one write(2) and no allocation.
type hotPath struct {
	m *Module
	l *loop
	c *client
}

func newHotPath(tb testing.TB, relay bool) *hotPath {
	tb.Helper()
	m, h := newTestModule(tb, map[string]value.Value{"max_clients": value.MakeInt(8)})
	send := call(tb, h, m, "evapi_unicast", lit("$evapi(msg)"), lit("c$evapi(conidx)"))
	if relay {
		send = call(tb, h, m, "evapi_relay", lit("$evapi(msg)"))
	}
	h.routes[EventMessageReceived] = send
	m.dispatcher = event.NewPool(1, 0)
	m.slots = make([]*client, m.maxClients)
	l, err := newLoop(m)
	if err != nil {
		tb.Fatal(err)
	}
	l.w = event.NewWorker(1)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { syscall.Close(fds[0]); syscall.Close(fds[1]); l.close() })
	c := newClient(m, fds[0], nil, 0)
	c.lp, c.idx, c.tag = l, 0, "c0"
	c.armed = true
	m.slots[0], m.hi = c, 1
	return &hotPath{m: m, l: l, c: c}
}

func (p *hotPath) feed(tb testing.TB, read []byte) {
	if used, fatal := p.c.parse(p.l, read); used != len(read) || fatal {
		tb.Fatalf("parse used %d of %d, fatal %v", used, len(read), fatal)
	}
	c := p.c
	c.qmu.Lock()
	c.m.live.Add(-int64(c.counted))
	c.out, c.outFrames, c.counted, c.pending = c.out[:0], 0, 0, false
	c.qmu.Unlock()
	clear(p.l.dirty)
	p.l.dirty = p.l.dirty[:0]
}

var hotFrame = netstring.Append(nil, "0:12345:1764915400123456789")

// TestHotPathAllocs: a frame read, its route run and its reply queued
// allocate nothing, for a unicast and a relay.
func TestHotPathAllocs(t *testing.T) {
	for _, relay := range []bool{false, true} {
		p := newHotPath(t, relay)
		p.feed(t, hotFrame) // warm the buffers up
		if n := testing.AllocsPerRun(1000, func() { p.feed(t, hotFrame) }); n != 0 {
			t.Errorf("relay=%v: %.1f allocations per message, want 0", relay, n)
		}
		if s := p.m.Stats(); s.FramesIn < 1001 {
			t.Errorf("relay=%v: %d frames in", relay, s.FramesIn)
		}
	}
}

// BenchmarkHotPath measures frame in -> route -> frame queued, one frame
// per read and 32 frames per read.
func BenchmarkHotPath(b *testing.B) {
	for _, tc := range []struct {
		name   string
		relay  bool
		frames int
	}{{"unicast", false, 1}, {"unicast-x32", false, 32}, {"relay", true, 1}} {
		b.Run(tc.name, func(b *testing.B) {
			p := newHotPath(b, tc.relay)
			var read []byte
			for i := 0; i < tc.frames; i++ {
				read = append(read, hotFrame...)
			}
			p.feed(b, read)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.feed(b, read)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tc.frames), "ns/msg")
		})
	}
}
