// Package htable is kamgo's htable module: named in-memory hash tables of
// string and integer items shared by every worker, as Kamailio's htable
// keeps them in shared memory. It owns the table definitions (the
// `htable` modparam), the items with their expiry (autoexpire,
// updateexpire, per-item expiry), the slot locks (2^size slots, each a
// lock a worker can take again while it holds it), the script iterators,
// the $sht family of pseudo-variables, the functions, the htable.* RPC
// commands, the KEMI functions, event_route[htable:mod-init] and the
// expiry timer that runs event_route[htable:expired:NAME].
//
// Return codes, log lines and RPC replies follow Kamailio 5.6.3's htable;
// kamgo has no database and no DMQ, so the definitions and parameters that
// need them are refused at start (the package README lists this and the
// other differences).
package htable

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "htable.so"` names it.
const Name = "htable"

// Events the module raises.
const (
	EventModInit = "htable:mod-init"
	// EventExpiredPrefix is followed by a table's name.
	EventExpiredPrefix = "htable:expired:"
)

// defaultTimerInterval is timer_interval's default, in seconds; Kamailio
// also falls back to it for a value of 0 or less.
const defaultTimerInterval = 20

func init() { module.Register(new(Module)) }

// Clock is the time items expire against and the timer runs on. The
// module uses the system clock; tests give it one they advance by hand
// (internal/fakeclock), so that no test waits for real time.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has passed; the returned function cancels
	// it.
	AfterFunc(d time.Duration, f func()) (stop func())
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// Module is one loaded htable module.
type Module struct {
	specs  []string          // the htable modparams, in order
	ints   map[string]int64  // integer parameters
	strs   map[string]string // string parameters
	tables []*Table          // Kamailio's list order: the last defined first
	byName map[string]*Table

	host  module.Host
	log   *klog.Logger
	clock Clock

	mu      sync.Mutex
	stops   []func()
	stopped bool
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{ints: map[string]int64{}, strs: map[string]string{}, byName: map[string]*Table{}, clock: systemClock{}}
	for _, p := range params {
		switch p.Default.K {
		case value.Int:
			m.ints[p.Name] = p.Default.I
		case value.Str:
			m.strs[p.Name] = p.Default.S
		}
	}
	return m
}

// params are Kamailio 5.6.3's htable parameters. The database ones are
// accepted with their defaults; db_url is refused when set (kamgo has no
// database), as are enable_dmq and dmq_init_sync (no DMQ).
var params = []module.Param{
	{Name: "htable", Type: module.ParamStr, Multi: true},
	{Name: "db_url", Type: module.ParamStr, Default: value.MakeStr("")},
	{Name: "key_name_column", Type: module.ParamStr, Default: value.MakeStr("key_name")},
	{Name: "key_type_column", Type: module.ParamStr, Default: value.MakeStr("key_type")},
	{Name: "value_type_column", Type: module.ParamStr, Default: value.MakeStr("value_type")},
	{Name: "key_value_column", Type: module.ParamStr, Default: value.MakeStr("key_value")},
	{Name: "expires_column", Type: module.ParamStr, Default: value.MakeStr("expires")},
	{Name: "array_size_suffix", Type: module.ParamStr, Default: value.MakeStr("::size")},
	{Name: "fetch_rows", Type: module.ParamInt, Default: value.MakeInt(100)},
	{Name: "timer_interval", Type: module.ParamInt, Default: value.MakeInt(defaultTimerInterval)},
	{Name: "db_expires", Type: module.ParamInt, Default: value.MakeInt(0)},
	{Name: "enable_dmq", Type: module.ParamInt, Default: value.MakeInt(0)},
	{Name: "dmq_init_sync", Type: module.ParamInt, Default: value.MakeInt(0)},
	{Name: "timer_procs", Type: module.ParamInt, Default: value.MakeInt(0)},
	{Name: "event_callback", Type: module.ParamStr, Default: value.MakeStr("")},
	{Name: "event_callback_mode", Type: module.ParamInt, Default: value.MakeInt(0)},
}

// Exports implements module.Exporter. bind_htable is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params:  params,
		Funcs:   m.funcs(),
		Classes: m.classes(),
		Events:  []string{EventModInit, EventExpiredPrefix + "*"},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	for _, p := range params {
		if p.Name != name {
			continue
		}
		switch {
		case name == "htable":
			m.specs = append(m.specs, v.String())
		case p.Type == module.ParamInt:
			m.ints[name] = v.I
		default:
			m.strs[name] = v.String()
		}
		return nil
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// Provision implements module.Provisioner: it builds the tables, refusing
// what needs a database or DMQ.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if u := m.strs["db_url"]; u != "" {
		return fmt.Errorf("db_url %q: kamgo has no database, htable keeps its tables in memory only", u)
	}
	if m.ints["enable_dmq"] > 0 {
		return fmt.Errorf("enable_dmq: kamgo has no dmq module, tables cannot be replicated")
	}
	if m.ints["dmq_init_sync"] > 0 {
		return fmt.Errorf("dmq_init_sync: kamgo has no dmq module, tables cannot be replicated")
	}
	for _, spec := range m.specs {
		t, err := parseSpec(spec)
		if err != nil {
			m.logf(klog.Err, "ht_table_spec(): %v", err)
			return fmt.Errorf("htable %q: %w", spec, err)
		}
		if _, dup := m.byName[t.Name]; dup {
			m.logf(klog.Err, "ht_add_table(): htable already configured [%s]", t.Name)
			return fmt.Errorf("htable %q: table %s already configured", spec, t.Name)
		}
		t.init(m)
		m.byName[t.Name] = t
		m.tables = append([]*Table{t}, m.tables...)
	}
	return nil
}

// SetClock replaces the system clock; call it before Start.
func (m *Module) SetClock(c Clock) { m.clock = c }

// Table returns the table named name.
func (m *Module) Table(name string) (*Table, bool) {
	t, ok := m.byName[name]
	return t, ok
}

// now is the time in seconds, as Kamailio's time(NULL).
func (m *Module) now() int64 { return m.clock.Now().Unix() }

// hasAutoexpire reports whether a table expires items: only then does
// Kamailio start the timer.
func (m *Module) hasAutoexpire() bool {
	for _, t := range m.tables {
		if t.autoexpire > 0 {
			return true
		}
	}
	return false
}

// timerInterval is timer_interval, with Kamailio's fallback.
func (m *Module) timerInterval() time.Duration {
	iv := m.ints["timer_interval"]
	if iv <= 0 {
		iv = defaultTimerInterval
	}
	return time.Duration(iv) * time.Second
}

// Start implements module.Starter: it runs event_route[htable:mod-init]
// and starts the expiry timer (one per timer_procs, each sweeping its
// share of the slots) when a table has autoexpire.
func (m *Module) Start(ctx context.Context) error {
	if err := m.modInit(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = false
	if !m.hasAutoexpire() {
		return nil
	}
	n := int(m.ints["timer_procs"])
	step := max(n, 1)
	for i := range step {
		m.arm(i, step)
	}
	return nil
}

// arm schedules the next sweep of the slots start, start+step, ....
// m.mu must be held.
func (m *Module) arm(start, step int) {
	idx := len(m.stops)
	if start < len(m.stops) {
		idx = start
	} else {
		m.stops = append(m.stops, nil)
	}
	m.stops[idx] = m.clock.AfterFunc(m.timerInterval(), func() {
		m.expire(start, step)
		m.mu.Lock()
		defer m.mu.Unlock()
		if !m.stopped {
			m.arm(start, step)
		}
	})
}

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	for _, s := range m.stops {
		if s != nil {
			s()
		}
	}
	m.stops = nil
	return nil
}

// Procs implements module.ProcLister: Kamailio forks timer_procs "HTable
// Timer" processes when a table has autoexpire; otherwise the core's
// timer runs the sweep.
func (m *Module) Procs() []module.Proc {
	n := int(m.ints["timer_procs"])
	if n <= 0 || !m.hasAutoexpire() {
		return nil
	}
	out := make([]module.Proc, n)
	for i := range out {
		out[i] = module.Proc{Desc: "HTable Timer", Rank: module.RankTimer}
	}
	return out
}

// modInit runs event_route[htable:mod-init] (or the KEMI event_callback)
// once, on a faked request, before the server takes traffic. A drop in it
// refuses the start, as Kamailio's child init fails then.
func (m *Module) modInit() error {
	cb := m.strs["event_callback"]
	if !m.host.Has(event.Event(EventModInit)) && (cb == "" || module.EngineOf(m.host) == nil) {
		return nil
	}
	c, release := m.eventContext()
	defer release()
	module.RunEvent(m.host, c, EventModInit, cb)
	if c.Dropped {
		m.logf(klog.Err, "child_init(): exit due to 'drop' in event route")
		return fmt.Errorf("drop in event_route[%s]", EventModInit)
	}
	return nil
}

// eventContext returns a context on a worker of the core's pool, with a
// faked request as its message, for an event the module raises; release
// gives the worker back.
func (m *Module) eventContext() (*event.Context, func()) {
	pool := m.host.Workers()
	w := pool.Get()
	c := &event.Context{}
	c.Reset()
	c.Worker, c.Log = w, m.log
	setFakedMsg(c)
	return c, func() { pool.Release(w) }
}

func (m *Module) logf(lv klog.Level, format string, args ...any) {
	if m.log != nil {
		m.log.Logf(lv, Name, format, args...)
	}
}

// clogf logs for an event, after the event's log_prefix as Kamailio
// prints it during message processing.
func clogf(c *event.Context, lv klog.Level, format string, args ...any) {
	if c != nil && c.Log != nil && c.Log.Enabled(lv) {
		c.Log.LogPrefixed(lv, c.LogPrefix, Name, fmt.Sprintf(format, args...))
	}
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ module.ProcLister  = (*Module)(nil)
)
