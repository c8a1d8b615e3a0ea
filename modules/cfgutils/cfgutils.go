// Package cfgutils is kamgo's cfgutils module: random events (rand_event,
// rand_set_prob ...) and $RANDOM, sleep and usleep, global flags, named
// locks, core_hash, route_if_exists/check_route_exists, abort and the
// memory reports.
package cfgutils

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/runtime/corehash"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

// Module is one loaded cfgutils module.
type Module struct {
	initialProb int64
	prob        atomic.Int64
	gflags      atomic.Uint32
	lockBits    int64           // lock_set_size as set
	locks       []chan struct{} // one-slot semaphores: unlock never panics
	hashFile    string
	configHash  string // MD5 of hash_file, hex (Kamailio's RPC reads it)

	// sleep blocks for d or until the module stops; tests replace it.
	sleep func(d time.Duration)

	stopOnce sync.Once
	done     chan struct{} // closed by Stop: sleeping and locking workers wake up
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "cfgutils", New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{initialProb: 10, done: make(chan struct{})}
	m.prob.Store(10)
	m.sleep = m.realSleep
	return m
}

// Exports implements module.Exporter. bind_cfgutils is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "initial_probability", Type: module.ParamInt, Default: value.MakeInt(10)},
			{Name: "initial_gflags", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "hash_file", Type: module.ParamStr},
			{Name: "lock_set_size", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: []module.Func{
			{Name: "rand_set_prob", MinArgs: 1, MaxArgs: 1, Compile: m.compileSetProb},
			{Name: "rand_reset_prob", Compile: m.noArg(func(*event.Context) int { m.prob.Store(m.initialProb); return 1 })},
			{Name: "rand_get_prob", Compile: m.noArg(func(*event.Context) int { return int(m.prob.Load()) })},
			{Name: "rand_event", Compile: m.noArg(func(*event.Context) int { return m.randEvent() })},
			{Name: "sleep", MinArgs: 1, MaxArgs: 1, Compile: m.compileSleep("sleep", time.Second)},
			{Name: "usleep", MinArgs: 1, MaxArgs: 1, Compile: m.compileSleep("usleep", time.Microsecond)},
			{Name: "abort", Compile: compileAbort},
			{Name: "pkg_status", Compile: memReport("pkg_status")},
			{Name: "shm_status", Compile: memReport("shm_status")},
			{Name: "pkg_summary", Compile: memReport("pkg_summary")},
			{Name: "shm_summary", Compile: memReport("shm_summary")},
			{Name: "set_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.setGflag)},
			{Name: "reset_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.resetGflag)},
			{Name: "is_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag(m.isGflag)},
			// The two-key forms are Kamailio 6.0's: module.Func has no Ext
			// per form, and the catalog's join accepts a form a later
			// release exports (checking for 5.6 refuses it).
			{Name: "lock", MinArgs: 1, MaxArgs: 2, Compile: m.compileLock(lockOp)},
			{Name: "unlock", MinArgs: 1, MaxArgs: 2, Compile: m.compileLock(unlockOp)},
			{Name: "trylock", MinArgs: 1, MaxArgs: 2, Compile: m.compileLock(trylockOp)},
			{Name: "core_hash", MinArgs: 3, MaxArgs: 3, Compile: compileCoreHash},
			{Name: "check_route_exists", MinArgs: 1, MaxArgs: 1, Compile: compileCheckRoute},
			{Name: "route_if_exists", MinArgs: 1, MaxArgs: 1, Compile: compileRouteIfExists},
		},
		Classes: []*pv.Class{{Name: "RANDOM", Module: "cfgutils", Compile: compileRandom}},
	}
}

func (m *Module) noArg(f module.Call) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(module.Host, []*module.Arg) (module.Call, error) { return f, nil }
}

// SetParam implements module.ParamSetter. Values are checked when
// Kamailio checks them, at startup (Provision).
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "initial_probability":
		m.initialProb = v.I
	case "initial_gflags":
		m.gflags.Store(uint32(v.I))
	case "hash_file":
		m.hashFile = v.String()
	case "lock_set_size":
		m.lockBits = v.I
	default:
		return fmt.Errorf("cfgutils: unknown parameter %q", name)
	}
	return nil
}

// Provision implements module.Provisioner: it checks the probability,
// hashes hash_file and builds the lock set, as Kamailio's mod_init does.
// A lock_set_size above 14 (or negative: Kamailio reads it unsigned)
// becomes 14, with a warning.
func (m *Module) Provision(h module.Host) error {
	if m.hashFile != "" {
		sum, err := md5File(m.hashFile)
		if err != nil {
			return fmt.Errorf("cfgutils: could not hash the config file: %v", err)
		}
		m.configHash = sum
	}
	if m.initialProb > 100 {
		return fmt.Errorf("cfgutils: invalid probability <%d>", m.initialProb)
	}
	m.prob.Store(m.initialProb)
	bits := m.lockBits
	if bits != 0 {
		if bits < 0 || bits > 14 {
			if lg := h.Log(); lg != nil {
				lg.Logf(klog.Warn, "cfgutils", "mod_init(): lock set size too large (%d), making it 14", int32(bits))
			}
			bits = 14
		}
		m.locks = make([]chan struct{}, 1<<bits)
		for i := range m.locks {
			m.locks[i] = make(chan struct{}, 1)
		}
	}
	return nil
}

// Start implements module.Starter; nothing runs in the background.
func (m *Module) Start(context.Context) error { return nil }

// Stop implements module.Starter: workers blocked in sleep or lock
// return at once.
func (m *Module) Stop(context.Context) error {
	m.stopOnce.Do(func() { close(m.done) })
	return nil
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)

func compileCoreHash(h module.Host, args []*module.Arg) (module.Call, error) {
	s1, err := args[0].Str(h)
	if err != nil {
		return nil, fmt.Errorf("core_hash: %v", err)
	}
	s2, err := args[1].Str(h)
	if err != nil {
		return nil, fmt.Errorf("core_hash: %v", err)
	}
	size, err := args[2].Int(h)
	if err != nil {
		return nil, fmt.Errorf("core_hash: %v", err)
	}
	return func(c *event.Context) int {
		n, ok := size(c)
		if !ok {
			return -1
		}
		sz := uint32(2)
		if n > 0 {
			// C's 1<<n on x86 uses the count modulo 32.
			sz = 1 << uint(n&31)
		}
		return int(corehash.Sum(s1(c), s2(c), sz)) + 1
	}, nil
}
