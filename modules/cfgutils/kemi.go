package cfgutils

import (
	"time"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// KEMI implements module.KEMIExporter: KSR.cfgutils.*, as Kamailio's
// cfgutils exports them. Arguments are plain values: a lock key or route
// name is used as given, rand_set_prob takes any number (the native
// function's 0..100 check is its fixup's).
func (m *Module) KEMI() []module.KEMIFunc {
	s, i := module.KEMIStr, module.KEMIInt
	rc := module.KEMIRC
	type call = func(module.Host, *event.Context, []value.Value) module.KEMIValue
	lock := func(op lockOpKind) call {
		return func(_ module.Host, c *event.Context, a []value.Value) module.KEMIValue {
			return rc(m.lockDo(c, a[0].S, "", op))
		}
	}
	sleep := func(unit time.Duration) call {
		return func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
			m.sleep(time.Duration(uint32(a[0].I)) * unit)
			return rc(1)
		}
	}
	mem := func(name string) module.KEMIFunc {
		report, _ := memReport(name)(nil, nil)
		return module.KEMIFunc{Module: "cfgutils", Name: name, Ret: i,
			Call: func(_ module.Host, c *event.Context, _ []value.Value) module.KEMIValue { return rc(report(c)) }}
	}
	return []module.KEMIFunc{
		{Module: "cfgutils", Name: "lock", Params: []module.KEMIType{s}, Ret: i, Call: lock(lockOp)},
		{Module: "cfgutils", Name: "unlock", Params: []module.KEMIType{s}, Ret: i, Call: lock(unlockOp)},
		{Module: "cfgutils", Name: "trylock", Params: []module.KEMIType{s}, Ret: i, Call: lock(trylockOp)},
		{Module: "cfgutils", Name: "rand_set_prob", Params: []module.KEMIType{i}, Ret: i,
			Call: func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
				m.prob.Store(a[0].I)
				return rc(1)
			}},
		{Module: "cfgutils", Name: "rand_reset_prob", Ret: i,
			Call: func(module.Host, *event.Context, []value.Value) module.KEMIValue {
				m.prob.Store(m.initialProb)
				return rc(1)
			}},
		{Module: "cfgutils", Name: "rand_get_prob", Ret: i,
			Call: func(module.Host, *event.Context, []value.Value) module.KEMIValue { return rc(int(m.prob.Load())) }},
		{Module: "cfgutils", Name: "rand_event", Ret: i,
			Call: func(module.Host, *event.Context, []value.Value) module.KEMIValue { return rc(m.randEvent()) }},
		{Module: "cfgutils", Name: "abort", Ret: i,
			Call: func(h module.Host, c *event.Context, _ []value.Value) module.KEMIValue {
				logf(c, klog.Crit, "ki_abort(): abort called")
				if ab, ok := h.(module.Aborter); ok {
					ab.Abort("cfgutils: abort called")
				}
				return rc(0)
			}},
		mem("pkg_status"),
		mem("shm_status"),
		mem("pkg_summary"),
		mem("shm_summary"),
		{Module: "cfgutils", Name: "core_hash", Params: []module.KEMIType{s, s, i}, Ret: i,
			Call: func(_ module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
				size := uint32(2)
				if a[2].I > 0 {
					size = 1 << uint(a[2].I&31)
				}
				return rc(int(corehash.Sum(a[0].S, a[1].S, size)) + 1)
			}},
		{Module: "cfgutils", Name: "sleep", Params: []module.KEMIType{i}, Ret: i, Call: sleep(time.Second)},
		{Module: "cfgutils", Name: "usleep", Params: []module.KEMIType{i}, Ret: i, Call: sleep(time.Microsecond)},
		{Module: "cfgutils", Name: "check_route_exists", Params: []module.KEMIType{s}, Ret: i,
			Call: func(h module.Host, _ *event.Context, a []value.Value) module.KEMIValue {
				if a[0].K != value.Null && h.Has(event.Route(a[0].S, 0)) {
					return rc(1)
				}
				return rc(-1)
			}},
		{Module: "cfgutils", Name: "route_if_exists", Params: []module.KEMIType{s}, Ret: i,
			Call: func(h module.Host, c *event.Context, a []value.Value) module.KEMIValue {
				if a[0].K == value.Null {
					return rc(-1)
				}
				r, ok := h.Run(c, event.Route(a[0].S, c.Route))
				if !ok {
					return rc(-1)
				}
				return rc(r)
			}},
	}
}

// lockDo is lock, unlock and trylock on key, for the native functions
// (compileLock) and their KEMI twins.
func (m *Module) lockDo(c *event.Context, key, key2 string, op lockOpKind) int {
	if len(m.locks) == 0 {
		if key2 != "" {
			// Kamailio 6.0's line for two keys.
			logf(c, klog.Err, "cfg_lock_helper(): lock set not initialized (attempt to do op: %d on:[%s %s]) - see param lock_set_size", op, key, key2)
		} else {
			logf(c, klog.Err, "cfg_lock_helper(): lock set not initialized (attempt to do op: %d on: %s) - see param lock_set_size", op, key)
		}
		return -1
	}
	slot := m.lockSlot(key, key2)
	switch op {
	case lockOp:
		select {
		case slot <- struct{}{}:
		case <-m.done:
			return -1
		}
	case unlockOp:
		select {
		case <-slot:
		default:
		}
	case trylockOp:
		select {
		case slot <- struct{}{}:
		default:
			return -1
		}
	}
	return 1
}
