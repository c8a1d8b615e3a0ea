package evapi

import (
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.evapi.*, with Kamailio's KEMI
// names and results, which differ from the native functions': the data
// and tag are plain strings (no pseudo-variables), relay, relay_unicast
// and relay_multicast log no "failed to relay" line, send empty data as
// given, and an empty tag selects every client (the first one for
// unicast); close returns 0 once it closed the connection.
func (m *Module) KEMI() []module.KEMIFunc {
	s := module.KEMIStr
	i := module.KEMIInt
	return []module.KEMIFunc{
		{Module: Name, Name: "relay", Params: []module.KEMIType{s}, Ret: i, Call: m.kemiRelay(toAll)},
		{Module: Name, Name: "relay_unicast", Params: []module.KEMIType{s, s}, Ret: i, Call: m.kemiRelay(toTagFirst)},
		{Module: Name, Name: "relay_multicast", Params: []module.KEMIType{s, s}, Ret: i, Call: m.kemiRelay(toTagAll)},
		{Module: Name, Name: "close", Params: nil, Ret: i, Call: m.kemiClose},
		{Module: Name, Name: "set_tag", Params: []module.KEMIType{s}, Ret: i, Call: m.kemiSetTag},
		{Module: Name, Name: "async_relay", Params: []module.KEMIType{s}, Ret: i, Call: m.kemiAsync(toAll)},
		{Module: Name, Name: "async_unicast", Params: []module.KEMIType{s, s}, Ret: i, Call: m.kemiAsync(toTagFirst)},
		{Module: Name, Name: "async_multicast", Params: []module.KEMIType{s, s}, Ret: i, Call: m.kemiAsync(toTagAll)},
	}
}

// kemiFrame encodes data as one outgoing frame; empty data is an empty
// netstring ("0:,"), which Kamailio's KEMI functions send as it is.
func (m *Module) kemiFrame(c *event.Context, data string) *frame {
	f := m.build(c, func(_ *event.Context, dst []byte) []byte { return append(dst, data...) })
	if f == nil && m.netstring {
		f = framePool.Get().(*frame)
		f.buf = append(f.buf[:0], "0:,"...)
		f.b = f.buf
	}
	return f
}

// kemiSend relays data to the clients t and tag select. An empty tag
// selects every client, as a message without a tag does in Kamailio's
// dispatcher. It returns the number of clients, -1 when context_mlimit
// refused the frame.
func (m *Module) kemiSend(c *event.Context, data, tag string, t target) int {
	f := m.kemiFrame(c, data)
	if f == nil {
		// Raw mode and no data: Kamailio writes nothing, to every client.
		return max(int(m.stats.active.Load()), 0)
	}
	if tag == "" {
		if t == toTagFirst {
			return m.sendFirst(c, f)
		}
		t = toAll
	}
	f.tag = append(f.tag[:0], tag...)
	n := m.send(c, f, t)
	f.release()
	return n
}

// sendFirst sends f to the lowest-slot client, tagged or not.
func (m *Module) sendFirst(c *event.Context, f *frame) int {
	m.mu.RLock()
	var first *client
	for _, cl := range m.slots[:m.hi] {
		if cl != nil {
			first = cl
			break
		}
	}
	if first == nil {
		m.mu.RUnlock()
		f.release()
		return 0
	}
	f.tag = append(f.tag[:0], first.tag...)
	m.mu.RUnlock()
	// The first client is the first one with its own tag too.
	n := m.send(c, f, toTagFirst)
	f.release()
	return n
}

func (m *Module) kemiRelay(t target) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		tag := ""
		if t != toAll {
			tag = a[1].S
		}
		if !m.relayResult(c, m.kemiSend(c, a[0].S, tag, t)) {
			return module.KEMIRC(-1)
		}
		return module.KEMIRC(1)
	}
}

// kemiAsync is async_relay, async_unicast and async_multicast: the
// transaction is suspended first, then the data and tag are checked as the
// native functions check them.
func (m *Module) kemiAsync(t target) func(module.Host, *event.Context, []value.Value) module.KEMIValue {
	fn := map[target]string{toAll: "ki_evapi_async_relay()", toTagAll: "ki_evapi_async_multicast()", toTagFirst: "ki_evapi_async_unicast()"}[t]
	return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
		if m.tm == nil {
			m.log.Log(klog.Err, Name, fn+": evapi async relay is disabled - tm module not loaded")
			return module.KEMIRC(-1)
		}
		if err := m.tm.SuspendRequest(c); err != nil {
			m.log.Logf(klog.Err, Name, "%s: failed to suspend request processing: %v", fn, err)
			return module.KEMIRC(-1)
		}
		data, tag := a[0].S, ""
		if data == "" {
			m.log.Log(klog.Err, Name, fn+": invalid data parameter")
			return module.KEMIRC(-1)
		}
		if t != toAll {
			if tag = a[1].S; tag == "" {
				m.log.Log(klog.Err, Name, fn+": invalid tag parameter")
				return module.KEMIRC(-1)
			}
		}
		if !m.relayResult(c, m.kemiSend(c, data, tag, t)) {
			if t == toAll {
				m.log.Logf(klog.Err, Name, "%s: failed to relay event: %s", fn, data)
			} else {
				m.log.Logf(klog.Err, Name, "%s: failed to relay event: [[%s]] to [%s] ", fn, data, tag)
			}
			return module.KEMIRC(-2)
		}
		return module.KEMIRC(1)
	}
}

// kemiClose is evapi.close(): 0 once closed, -1 outside evapi events, -2
// when already closed (Kamailio's evapi_cfg_close, which the native
// evapi_close turns into 1).
func (m *Module) kemiClose(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
	e := envOf(c)
	if e == nil {
		return module.KEMIRC(-1)
	}
	rc := m.closeClient(e.c)
	if rc > 0 {
		rc = 0
	}
	return module.KEMIRC(rc)
}

// kemiSetTag is evapi.set_tag(tag), as evapi_set_tag() without the
// format string.
func (m *Module) kemiSetTag(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
	e := envOf(c)
	if e == nil {
		return module.KEMIRC(-1)
	}
	tag := a[0].S
	m.mu.Lock()
	defer m.mu.Unlock()
	cl := e.c
	if cl.scriptClosed.Load() || cl.idx < 0 || cl.idx >= len(m.slots) || m.slots[cl.idx] != cl {
		m.log.Log(klog.Err, Name, "evapi_set_tag(): connection not established")
		return module.KEMIRC(-1)
	}
	if len(tag) > maxTagLen {
		m.log.Logf(klog.Err, Name, "evapi_set_tag(): tag size too big: %d / %d", len(tag), maxTagLen+1)
		return module.KEMIRC(-1)
	}
	cl.tag = tag
	return module.KEMIRC(1)
}
