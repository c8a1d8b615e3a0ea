package evapi

import (
	"fmt"
	"sync"

	"github.com/kamgo/kamgo/internal/netstring"
	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
)

// frame is one outgoing message, encoded once into a pooled buffer; each
// client it goes to writes it at once or copies it into its queue, so the
// buffer is free again as soon as the send returns.
type frame struct {
	b   []byte // the encoded frame: a window of buf
	buf []byte // backing array
	tag []byte // the evaluated tag of a multicast or unicast
}

var framePool = sync.Pool{New: func() any { return &frame{buf: make([]byte, 0, 256), tag: make([]byte, 0, 64)} }}

// maxPooledFrame keeps rare huge frames from pinning memory in the pool.
const maxPooledFrame = 64 << 10

func (f *frame) release() {
	f.b = nil
	if cap(f.buf) <= maxPooledFrame && cap(f.tag) <= maxPooledFrame {
		f.buf, f.tag = f.buf[:0], f.tag[:0]
		framePool.Put(f)
	}
}

// payloadFunc appends a call's evaluated data argument to dst.
type payloadFunc func(c *event.Context, dst []byte) []byte

// compileData compiles a data argument. A string literal is a format string
// compiled once and appended straight into the outgoing frame; anything
// else goes through module.Arg.Str.
func compileData(h module.Host, a *module.Arg) (payloadFunc, error) {
	if s, ok := a.Expr.(*ast.StrLit); ok {
		f, err := h.CompileFormat(s.Value, s.Rng)
		if err != nil {
			return nil, err
		}
		if s.Value == "$evapi(msg)" {
			// The echo and forward form: the frame's bytes go straight
			// into the outgoing frame, with no string made in between.
			return func(c *event.Context, dst []byte) []byte {
				if e := envOf(c); e != nil && e.hasMsg && !e.c.scriptClosed.Load() {
					return append(dst, e.msg...)
				}
				return f.Append(c, dst)
			}, nil
		}
		return f.Append, nil
	}
	str, err := a.Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context, dst []byte) []byte { return append(dst, str(c)...) }, nil
}

// target selects the clients of one send.
type target uint8

const (
	toAll      target = iota // evapi_relay
	toTagAll                 // evapi_multicast
	toTagFirst               // evapi_unicast
)

// zeros reserve the room for a frame header in front of a payload, so the
// payload can be formatted straight into the frame before its length is
// known.
var zeros [netstring.HeaderRoom]byte

// build encodes the payload produced by data into a pooled frame, or
// returns nil when the payload is empty.
func (m *Module) build(c *event.Context, data payloadFunc) *frame {
	f := framePool.Get().(*frame)
	off := 0
	b := f.buf[:0]
	if m.netstring {
		off = netstring.HeaderRoom
		b = append(b, zeros[:]...)
	}
	b = data(c, b)
	plen := len(b) - off
	if plen == 0 {
		f.buf = b
		f.release()
		return nil
	}
	if m.netstring {
		start := netstring.PutHeader(b, off, plen)
		b = append(b, ',')
		f.b = b[start:]
	} else {
		f.b = b
	}
	f.buf = b
	return f
}

// send writes or queues f for the selected clients (those tagged f.tag for
// a multicast or unicast) and returns how many were selected, or -1 when
// context_mlimit refused the frame. The caller releases f. Frames for the clients
// of the loop running the current event are written at the end of the
// loop's round (see client.enqueue).
func (m *Module) send(c *event.Context, f *frame, t target) int {
	if m.contextMLimit > 0 && m.live.Load() >= m.contextMLimit {
		m.log.Log(klog.Err, Name, "_evapi_relay(): evapi context condition failure - dropping message")
		return -1
	}
	// On a loop, a fan-out, or a send while more frames of the current
	// read follow, waits for the end of the round; a unicast answering
	// the last frame of a read is written at once.
	var lp *loop
	batch := false
	if e := envOf(c); e != nil && e.lp != nil {
		lp = e.lp
		batch = t != toTagFirst || e.more
	}
	n := 0
	m.mu.RLock()
	for _, cl := range m.slots[:m.hi] {
		if cl == nil || t != toAll && cl.tag != string(f.tag) {
			continue
		}
		cl.enqueue(f.b, lp != nil && cl.lp == lp, batch)
		n++
		if t == toTagFirst {
			break
		}
	}
	m.mu.RUnlock()
	return n
}

// relayResult turns a send into Kamailio's outcome. Kamailio's SIP workers
// hand the message to the dispatcher and report success whether or not a
// client is connected; only inside the dispatcher (the evapi event routes)
// does "no client connected" fail. kamgo knows the answer everywhere but
// keeps that rule so that request routes behave as in Kamailio.
func (m *Module) relayResult(c *event.Context, n int) bool {
	if n > 0 {
		return true
	}
	if n < 0 {
		return false
	}
	if envOf(c) == nil {
		m.log.Log(klog.Dbg, Name, "_evapi_relay(): message not delivered - no client connected")
		return true
	}
	m.log.Log(klog.Warn, Name, "_evapi_relay(): message not delivered - no client connected")
	return false
}

func (m *Module) funcs() []module.Func {
	return []module.Func{
		{Name: "evapi_relay", MinArgs: 1, MaxArgs: 1, Compile: m.compileRelay(false, toAll)},
		{Name: "evapi_async_relay", MinArgs: 1, MaxArgs: 1, Compile: m.compileRelay(true, toAll)},
		{Name: "evapi_multicast", MinArgs: 2, MaxArgs: 2, Compile: m.compileRelay(false, toTagAll)},
		{Name: "evapi_async_multicast", MinArgs: 2, MaxArgs: 2, Compile: m.compileRelay(true, toTagAll)},
		{Name: "evapi_unicast", MinArgs: 2, MaxArgs: 2, Compile: m.compileRelay(false, toTagFirst)},
		{Name: "evapi_async_unicast", MinArgs: 2, MaxArgs: 2, Compile: m.compileRelay(true, toTagFirst)},
		{Name: "evapi_close", MinArgs: 0, MaxArgs: 1, Compile: m.compileClose},
		{Name: "evapi_set_tag", MinArgs: 1, MaxArgs: 1, Compile: m.compileSetTag},
	}
}

// wrapperName is the C function whose log lines a call reproduces.
func wrapperName(async bool, t target) string {
	n := map[target]string{toAll: "relay", toTagAll: "multicast", toTagFirst: "unicast"}[t]
	if async {
		return "w_evapi_async_" + n + "()"
	}
	return "w_evapi_" + n + "()"
}

func (m *Module) compileRelay(async bool, t target) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		want := 1
		if t != toAll {
			want = 2
		}
		if len(args) != want {
			return nil, fmt.Errorf("%s takes %d parameters, got %d", wrapperName(async, t)[2:], want, len(args))
		}
		data, err := compileData(h, args[0])
		if err != nil {
			return nil, err
		}
		var tagf payloadFunc
		if t != toAll {
			if tagf, err = compileData(h, args[1]); err != nil {
				return nil, err
			}
		}
		fn := wrapperName(async, t)
		return func(c *event.Context) int {
			if async {
				if m.tm == nil {
					m.log.Log(klog.Err, Name, fn+": evapi async relay is disabled - tm module not loaded")
					return -1
				}
				// The data is evaluated after suspension so that
				// $T(id_index) and $T(id_label) name the suspended
				// transaction.
				if err := m.tm.SuspendRequest(c); err != nil {
					m.log.Logf(klog.Err, Name, "%s: failed to suspend request processing: %v", fn, err)
					return -1
				}
			}
			fail := -1
			if async {
				fail = -2
			}
			f := m.build(c, data)
			if f == nil {
				m.log.Log(klog.Err, Name, fn+": invalid data parameter")
				return -1
			}
			if tagf != nil {
				if f.tag = tagf(c, f.tag[:0]); len(f.tag) == 0 {
					f.release()
					m.log.Log(klog.Err, Name, fn+": invalid tag parameter")
					return -1
				}
			}
			if !m.relayResult(c, m.send(c, f, t)) {
				tag := string(f.tag)
				f.release()
				if t == toAll {
					m.log.Logf(klog.Err, Name, "%s: failed to relay event: %s", fn, lastData(c, data))
				} else {
					m.log.Logf(klog.Err, Name, "%s: failed to relay event: [[%s]] to [%s] ", fn, lastData(c, data), tag)
				}
				return fail
			}
			f.release()
			return 1
		}, nil
	}
}

// lastData re-evaluates the data for an error line; only failures pay.
func lastData(c *event.Context, data payloadFunc) string { return string(data(c, nil)) }

func (m *Module) compileClose(h module.Host, args []*module.Arg) (module.Call, error) {
	// The optional parameter is accepted and ignored, as in Kamailio.
	return func(c *event.Context) int {
		e := envOf(c)
		if e == nil {
			return -1
		}
		return m.closeClient(e.c)
	}, nil
}

// closeClient implements evapi_close(): the slot is free at once and no
// connection-closed route runs. It returns 1, or -2 when the connection was
// already closed.
func (m *Module) closeClient(c *client) int {
	if c.scriptClosed.Swap(true) {
		return -2
	}
	m.mu.Lock()
	held := c.idx >= 0 && c.idx < len(m.slots) && m.slots[c.idx] == c
	m.mu.Unlock()
	if !held {
		return -2
	}
	m.freeSlot(c)
	// No more frames are queued for it; its loop (or, in connection-new,
	// the accepting goroutine) writes what is queued and closes it.
	c.qmu.Lock()
	c.closed = true
	c.qmu.Unlock()
	return 1
}

func (m *Module) compileSetTag(h module.Host, args []*module.Arg) (module.Call, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("evapi_set_tag takes 1 parameter, got %d", len(args))
	}
	tagf, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		e := envOf(c)
		if e == nil {
			return -1
		}
		tag := tagf(c)
		m.mu.Lock()
		defer m.mu.Unlock()
		cl := e.c
		if cl.scriptClosed.Load() || cl.idx < 0 || cl.idx >= len(m.slots) || m.slots[cl.idx] != cl {
			m.log.Log(klog.Err, Name, "evapi_set_tag(): connection not established")
			return -1
		}
		if len(tag) > maxTagLen {
			m.log.Logf(klog.Err, Name, "evapi_set_tag(): tag size too big: %d / %d", len(tag), maxTagLen+1)
			return -1
		}
		cl.tag = tag
		return 1
	}, nil
}
