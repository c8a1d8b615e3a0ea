// Package cfgutils is kamgo's cfgutils module: random events (rand_event,
// rand_set_prob ...), sleep and usleep, global flags, named locks,
// core_hash, route_if_exists/check_route_exists and the $RANDOM
// pseudo-variable.
package cfgutils

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
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
	lockSize    int
	locks       []chan struct{} // one-slot semaphores: unlock never panics
	hashFile    string

	stopOnce sync.Once
	done     chan struct{} // closed by Stop: sleeping workers wake up
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "cfgutils", New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{initialProb: 10, done: make(chan struct{})}
	m.prob.Store(10)
	return m
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	intArg := func(name string, f func(c *event.Context, n int64) int) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(h module.Host, args []*module.Arg) (module.Call, error) {
			get, err := intOf(h, args[0])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
			return func(c *event.Context) int {
				n, ok := get(c)
				if !ok {
					return -1
				}
				return f(c, n)
			}, nil
		}
	}
	noArg := func(f func() int) func(module.Host, []*module.Arg) (module.Call, error) {
		return func(module.Host, []*module.Arg) (module.Call, error) {
			return func(*event.Context) int { return f() }, nil
		}
	}
	return module.Exports{
		Params: []module.Param{
			{Name: "initial_probability", Type: module.ParamInt, Default: value.MakeInt(10)},
			{Name: "initial_gflags", Type: module.ParamInt, Default: value.MakeInt(0)},
			{Name: "hash_file", Type: module.ParamStr},
			{Name: "lock_set_size", Type: module.ParamInt, Default: value.MakeInt(0)},
		},
		Funcs: []module.Func{
			{Name: "rand_set_prob", MinArgs: 1, MaxArgs: 1, Compile: m.compileSetProb},
			{Name: "rand_reset_prob", Compile: noArg(func() int { m.prob.Store(m.initialProb); return 1 })},
			{Name: "rand_get_prob", Compile: noArg(func() int { return int(m.prob.Load()) })},
			{Name: "rand_event", Compile: noArg(m.randEvent)},
			{Name: "sleep", MinArgs: 1, MaxArgs: 1, Compile: intArg("sleep", func(_ *event.Context, n int64) int {
				return m.sleep(time.Duration(n) * time.Second)
			})},
			{Name: "usleep", MinArgs: 1, MaxArgs: 1, Compile: intArg("usleep", func(_ *event.Context, n int64) int {
				return m.sleep(time.Duration(n) * time.Microsecond)
			})},
			{Name: "abort", Compile: func(module.Host, []*module.Arg) (module.Call, error) {
				return nil, fmt.Errorf("abort: not supported by kamgo")
			}},
			{Name: "pkg_status", Compile: m.memLog("pkg_status")},
			{Name: "shm_status", Compile: m.memLog("shm_status")},
			{Name: "pkg_summary", Compile: m.memLog("pkg_summary")},
			{Name: "shm_summary", Compile: m.memLog("shm_summary")},
			{Name: "set_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag("set_gflag", func(bit uint32) int {
				for i := 0; i < 64; i++ {
					old := m.gflags.Load()
					if m.gflags.CompareAndSwap(old, old|bit) {
						break
					}
				}
				return 1
			})},
			{Name: "reset_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag("reset_gflag", func(bit uint32) int {
				for i := 0; i < 64; i++ {
					old := m.gflags.Load()
					if m.gflags.CompareAndSwap(old, old&^bit) {
						break
					}
				}
				return 1
			})},
			{Name: "is_gflag", MinArgs: 1, MaxArgs: 1, Compile: m.compileFlag("is_gflag", func(bit uint32) int {
				if m.gflags.Load()&bit != 0 {
					return 1
				}
				return -1
			})},
			{Name: "lock", MinArgs: 1, MaxArgs: 1, Compile: m.compileLock("lock", 0)},
			{Name: "unlock", MinArgs: 1, MaxArgs: 1, Compile: m.compileLock("unlock", 1)},
			{Name: "trylock", MinArgs: 1, MaxArgs: 1, Compile: m.compileLock("trylock", 2)},
			{Name: "core_hash", MinArgs: 3, MaxArgs: 3, Compile: compileCoreHash},
			{Name: "check_route_exists", MinArgs: 1, MaxArgs: 1, Compile: compileCheckRoute},
			{Name: "route_if_exists", MinArgs: 1, MaxArgs: 1, Compile: compileRouteIfExists},
		},
		Classes: []*pv.Class{{Name: "RANDOM", Module: "cfgutils", Compile: func(_ *pv.Table, p *ast.PVar) (pv.Spec, error) {
			if p.Name != nil {
				return nil, fmt.Errorf("takes no name")
			}
			return pv.GetterFunc(func(*event.Context) value.Value { return value.MakeInt(int64(rand.Int32())) }), nil
		}}},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	n, _ := intValue(v)
	switch name {
	case "initial_probability":
		if n < 0 || n > 100 {
			return fmt.Errorf("cfgutils: initial_probability must be 0..100")
		}
		m.initialProb = n
		m.prob.Store(n)
	case "initial_gflags":
		m.gflags.Store(uint32(n))
	case "hash_file":
		m.hashFile = v.String()
	case "lock_set_size":
		if n < 0 || n > 14 {
			return fmt.Errorf("cfgutils: lock_set_size must be 0..14 (the set has 2^n locks)")
		}
		m.lockSize = int(n)
	default:
		return fmt.Errorf("cfgutils: unknown parameter %q", name)
	}
	return nil
}

// Provision implements module.Provisioner: it builds the lock set.
func (m *Module) Provision(module.Host) error {
	if m.lockSize > 0 {
		m.locks = make([]chan struct{}, 1<<m.lockSize)
		for i := range m.locks {
			m.locks[i] = make(chan struct{}, 1)
		}
	}
	return nil
}

// Start implements module.Starter; nothing runs in the background.
func (m *Module) Start(context.Context) error { return nil }

// Stop implements module.Starter: sleeping workers return at once.
func (m *Module) Stop(context.Context) error {
	m.stopOnce.Do(func() { close(m.done) })
	return nil
}

func (m *Module) randEvent() int {
	p := m.prob.Load()
	switch {
	case p <= 0:
		return -1
	case p >= 100:
		return 1
	}
	if rand.Float64() < float64(p)/100 {
		return 1
	}
	return -1
}

// sleep blocks the worker like Kamailio blocks its process, but returns
// early when the module stops.
func (m *Module) sleep(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-m.done:
	}
	return 1
}

func (m *Module) compileSetProb(_ module.Host, args []*module.Arg) (module.Call, error) {
	n, ok := args[0].IntLiteral()
	if !ok {
		s, lit := args[0].Literal()
		if !lit {
			return nil, fmt.Errorf("rand_set_prob: the probability must be a number")
		}
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("rand_set_prob: %q is not a number", s)
		}
		n = v
	}
	if n < 0 || n > 100 {
		return nil, fmt.Errorf("rand_set_prob: the probability must be 0..100, got %d", n)
	}
	return func(*event.Context) int { m.prob.Store(n); return 1 }, nil
}

func (m *Module) memLog(name string) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, _ []*module.Arg) (module.Call, error) {
		log := h.Log()
		return func(c *event.Context) int {
			lg := c.Log
			if lg == nil {
				lg = log
			}
			if lg != nil {
				lg.Logf(klog.Notice, "cfgutils", "%s: memory status is not available in kamgo (Go runtime)", name)
			}
			return 1
		}, nil
	}
}

func (m *Module) compileFlag(name string, f func(bit uint32) int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		get, err := intOf(h, args[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return func(c *event.Context) int {
			n, ok := get(c)
			if !ok || n < 0 || n > 31 {
				return -1
			}
			return f(1 << uint(n))
		}, nil
	}
}

// compileLock builds lock (op 0), unlock (1) and trylock (2). Without
// lock_set_size every operation fails, as in Kamailio.
func (m *Module) compileLock(name string, op int) func(module.Host, []*module.Arg) (module.Call, error) {
	return func(h module.Host, args []*module.Arg) (module.Call, error) {
		key, err := args[0].Str(h)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		log := h.Log()
		return func(c *event.Context) int {
			if len(m.locks) == 0 {
				lg := c.Log
				if lg == nil {
					lg = log
				}
				if lg != nil {
					lg.Logf(klog.Err, "cfgutils", "lock set not initialized (attempt to do op: %d on: %s) - see param lock_set_size", op, key(c))
				}
				return -1
			}
			k := key(c)
			slot := m.locks[coreHash(k, "", uint32(len(m.locks)))]
			switch op {
			case 0:
				select {
				case slot <- struct{}{}:
				case <-m.done:
					return -1
				}
			case 1:
				select {
				case <-slot:
				default:
				}
			case 2:
				select {
				case slot <- struct{}{}:
				default:
					return -1
				}
			}
			return 1
		}, nil
	}
}

func compileCoreHash(h module.Host, args []*module.Arg) (module.Call, error) {
	s1, err := args[0].Str(h)
	if err != nil {
		return nil, fmt.Errorf("core_hash: %v", err)
	}
	s2, err := args[1].Str(h)
	if err != nil {
		return nil, fmt.Errorf("core_hash: %v", err)
	}
	size, err := intOf(h, args[2])
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
		return int(coreHash(s1(c), s2(c), sz)) + 1
	}, nil
}

func compileCheckRoute(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		if h.Has(event.Route(name(c), 0)) {
			return 1
		}
		return -1
	}, nil
}

func compileRouteIfExists(h module.Host, args []*module.Arg) (module.Call, error) {
	name, err := args[0].Str(h)
	if err != nil {
		return nil, err
	}
	return func(c *event.Context) int {
		rc, ok := h.Run(c, event.Route(name(c), c.Route))
		if !ok {
			return -1
		}
		return rc
	}, nil
}

// intOf compiles an int-or-pseudo-variable argument (Kamailio's igp fixup).
func intOf(h module.Host, a *module.Arg) (func(c *event.Context) (int64, bool), error) {
	if n, ok := a.IntLiteral(); ok {
		return func(*event.Context) (int64, bool) { return n, true }, nil
	}
	if s, ok := a.Literal(); ok && !strings.Contains(s, "$") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return func(*event.Context) (int64, bool) { return n, true }, nil
	}
	eval := a.Eval
	if s, ok := a.Literal(); ok {
		r, err := h.CompilePV(s, a.Expr.Span())
		if err != nil {
			return nil, err
		}
		eval = r.Get
	}
	return func(c *event.Context) (int64, bool) { return intValue(eval(c)) }, nil
}

func intValue(v value.Value) (int64, bool) {
	switch v.K {
	case value.Int:
		return v.I, true
	case value.Str:
		n, err := strconv.ParseInt(strings.TrimSpace(v.S), 10, 64)
		return n, err == nil
	}
	return 0, false
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)

// coreHash is Kamailio's core_hash (a core function, so each module that
// needs it carries it): bytes are signed as C chars are on x86.
func coreHash(s1, s2 string, size uint32) uint32 {
	var h uint32
	add := func(s string) {
		p := 0
		for ; p+4 <= len(s); p += 4 {
			v := sc(s[p])<<24 + sc(s[p+1])<<16 + sc(s[p+2])<<8 + sc(s[p+3])
			h += v ^ (v >> 3)
		}
		var v uint32
		for ; p < len(s); p++ {
			v = v<<8 + sc(s[p])
		}
		h += v ^ (v >> 3)
	}
	add(s1)
	if s2 != "" {
		add(s2)
	}
	h = (h + (h >> 11)) + ((h >> 13) + (h >> 23))
	if size != 0 {
		return h & (size - 1)
	}
	return h
}

func sc(b byte) uint32 { return uint32(int32(int8(b))) }
