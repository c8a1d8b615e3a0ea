package server

import (
	"runtime/metrics"
	"sync"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/sip"
)

// The core's statistics that no module owns, as stats.get_statistics and
// cnt.* report them: Kamailio's core registers "tcp" and "dns" itself;
// kex registers "shmem" along with the "core" group.

// registerCoreStats registers the dns group, the tcp group unless TCP is
// disabled, and shmem when kex registered the core group.
func (s *Server) registerCoreStats(set *counterSet, diags *diag.List) {
	k, err := sip.RegisterNetCounters(set.reg, !s.coreFlag("disable_tcp"), s.openConns, s.slowDNSQuery)
	if err != nil {
		diags.Errorf(CodeProvision, diag.Range{}, "core: %v", err)
	}
	set.net = k
	if set.core == nil {
		return
	}
	if _, err := set.reg.RegisterAll("shmem", shmemDefs(&goMemory{})); err != nil {
		diags.Errorf(CodeProvision, diag.Range{}, "core: %v", err)
	}
}

// NetCounters gives the SIP transport the tcp and dns counters.
func (r sipRouter) NetCounters() *sip.NetCounters { return r.s.counterSet().net }

// openConns is the number of open TCP connections.
func (s *Server) openConns() int64 {
	if t := s.sip.Load(); t != nil {
		return int64(len(t.Conns()))
	}
	return 0
}

// slowDNSQuery is the core variable dns_slow_query_ms as a duration.
func (s *Server) slowDNSQuery() time.Duration {
	st := s.Cfg()
	g, ok := st.Group("core")
	if !ok {
		return 0
	}
	i, ok := g.Var("dns_slow_query_ms")
	if !ok {
		return 0
	}
	return time.Duration(st.Int(nil, g, i)) * time.Millisecond
}

// goMemory reads the Go runtime's memory, which stands for Kamailio's
// shared memory pool: a Go process has one heap that every goroutine
// shares, and no fixed-size pool.
type goMemory struct {
	mu   sync.Mutex
	peak int64 // the largest real_used_size read so far
}

// The runtime/metrics samples shmem reads.
const (
	memTotal    = "/memory/classes/total:bytes"
	memFree     = "/memory/classes/heap/free:bytes"
	memReleased = "/memory/classes/heap/released:bytes"
	memObjects  = "/memory/classes/heap/objects:bytes"
	memCount    = "/gc/heap/objects:objects"
)

// read returns the samples, by name.
func (m *goMemory) read() map[string]int64 {
	samples := []metrics.Sample{{Name: memTotal}, {Name: memFree}, {Name: memReleased}, {Name: memObjects}, {Name: memCount}}
	metrics.Read(samples)
	out := make(map[string]int64, len(samples))
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			out[s.Name] = int64(s.Value.Uint64())
		}
	}
	return out
}

// used is real_used_size: what the runtime has mapped less its free
// heap; reading it updates the peak.
func (m *goMemory) used() int64 {
	v := m.read()
	u := v[memTotal] - v[memFree] - v[memReleased]
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peak = max(m.peak, u)
	return u
}

// shmemDefs are the shmem group's counters in Kamailio's order:
// total_size is the memory the Go runtime has mapped, free_size its free
// heap (kept or returned to the system), real_used_size the difference,
// used_size the bytes of live heap objects, max_used_size the largest
// real_used_size read so far (Go keeps no peak of its own), fragments the
// number of live heap objects.
func shmemDefs(m *goMemory) []counters.Def {
	get := func(name string) func() int64 { return func() int64 { return m.read()[name] } }
	return []counters.Def{
		{Name: "total_size", Doc: "memory mapped by the Go runtime", Func: get(memTotal), NoReset: true},
		{Name: "used_size", Doc: "bytes of live heap objects", Func: get(memObjects), NoReset: true},
		{Name: "real_used_size", Doc: "mapped memory less the free heap", Func: m.used, NoReset: true},
		{Name: "max_used_size", Doc: "largest real_used_size read", NoReset: true, Func: func() int64 {
			m.used()
			m.mu.Lock()
			defer m.mu.Unlock()
			return m.peak
		}},
		{Name: "free_size", Doc: "free heap, kept or returned to the system", NoReset: true, Func: func() int64 {
			v := m.read()
			return v[memFree] + v[memReleased]
		}},
		{Name: "fragments", Doc: "live heap objects", Func: get(memCount), NoReset: true},
	}
}

var _ sip.NetCountingRouter = sipRouter{}
