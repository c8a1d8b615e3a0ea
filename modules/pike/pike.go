// Package pike is kamgo's pike module: flood detection by source
// address. It owns the tree of address prefixes Kamailio's pike keeps
// (tree.go), the counting of requests per sampling unit, the marking of
// an address as blocked when its requests in a unit reach the limit
// (pike_check_req, pike_check_ip), the timers that start a new sampling
// unit and forget addresses remove_latency seconds after their last
// request, the pike.top RPC command and the blocked_ips counter.
//
// Return codes, log lines and the RPC reply follow Kamailio 5.6.3's pike;
// the package README lists where kamgo differs.
package pike

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	cnt "github.com/kamgo/kamgo/runtime/counters"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "pike.so"` names it.
const Name = "pike"

func init() { module.Register(new(Module)) }

// Clock is the time the sampling units and the removal latency run on.
// The module uses the system clock; tests give it one they advance by
// hand (internal/fakeclock), so that no test waits for real time.
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

// Module is one loaded pike module.
type Module struct {
	timeUnit int64 // sampling_time_unit, seconds
	maxReqs  int64 // reqs_density_per_unit
	timeout  int64 // remove_latency, seconds
	logLevel int64 // pike_log_level

	log     *klog.Logger
	clock   Clock
	started time.Time // tick 0

	mu      sync.Mutex // the tree and its timer list
	tree    *tree
	blocked *cnt.Counter

	tmu     sync.Mutex
	stops   [2]func()
	stopped bool
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module {
		return &Module{timeUnit: 2, maxReqs: 30, timeout: 120, logLevel: int64(klog.Warn), clock: systemClock{}}
	}}
}

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "sampling_time_unit", Type: module.ParamInt, Default: value.MakeInt(2)},
			{Name: "reqs_density_per_unit", Type: module.ParamInt, Default: value.MakeInt(30)},
			{Name: "remove_latency", Type: module.ParamInt, Default: value.MakeInt(120)},
			{Name: "pike_log_level", Type: module.ParamInt, Default: value.MakeInt(int64(klog.Warn))},
		},
		Funcs: []module.Func{
			{Name: "pike_check_req", MinArgs: 0, MaxArgs: 0, Compile: func(module.Host, []*module.Arg) (module.Call, error) {
				return m.checkReq, nil
			}},
			{Name: "pike_check_ip", MinArgs: 1, MaxArgs: 1, Compile: func(h module.Host, args []*module.Arg) (module.Call, error) {
				ip, err := args[0].Str(h)
				if err != nil {
					return nil, err
				}
				return func(c *event.Context) int { return m.checkIP(c, ip(c)) }, nil
			}},
		},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	switch name {
	case "sampling_time_unit":
		m.timeUnit = v.I
	case "reqs_density_per_unit":
		m.maxReqs = v.I
	case "remove_latency":
		m.timeout = v.I
	case "pike_log_level":
		m.logLevel = v.I
	default:
		return fmt.Errorf("unknown parameter %s", name)
	}
	return nil
}

// Provision implements module.Provisioner.
func (m *Module) Provision(h module.Host) error {
	m.log = h.Log()
	if m.timeUnit <= 0 {
		return fmt.Errorf("sampling_time_unit must be at least 1 second, not %d", m.timeUnit)
	}
	m.log.Log(klog.Info, Name, "pike_init(): PIKE - initializing")
	m.log.Log(klog.Info, Name, "init_lock_set(): probing 256 set size")
	m.tree = newTree(m.maxReqs)
	return nil
}

// RegisterCounters implements cnt.Registrant: pike:blocked_ips, the
// number of addresses pike started blocking.
func (m *Module) RegisterCounters(r *cnt.Registry) error {
	c, err := r.Register(Name, cnt.Def{Name: "blocked_ips", Doc: "Addresses pike has started to block."})
	m.blocked = c
	return err
}

// SetClock replaces the system clock; call it before Start.
func (m *Module) SetClock(c Clock) { m.clock = c }

// ticks is the number of seconds since the module started, the time
// Kamailio's pike measures expiry in.
func (m *Module) ticks() uint32 {
	return uint32(m.clock.Now().Sub(m.started) / time.Second)
}

// Start implements module.Starter: the timer that forgets idle addresses
// runs every second, the one that starts a new sampling unit every
// sampling_time_unit seconds.
func (m *Module) Start(context.Context) error {
	m.tmu.Lock()
	defer m.tmu.Unlock()
	m.started = m.clock.Now()
	m.stopped = false
	m.every(0, time.Second, func() { m.clean(m.ticks()) })
	m.every(1, time.Duration(m.timeUnit)*time.Second, m.swap)
	return nil
}

// every runs f every d until Stop. m.tmu must be held.
func (m *Module) every(i int, d time.Duration, f func()) {
	m.stops[i] = m.clock.AfterFunc(d, func() {
		f()
		m.tmu.Lock()
		defer m.tmu.Unlock()
		if !m.stopped {
			m.every(i, d, f)
		}
	})
}

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error {
	m.tmu.Lock()
	defer m.tmu.Unlock()
	m.stopped = true
	for i, s := range m.stops {
		if s != nil {
			s()
			m.stops[i] = nil
		}
	}
	return nil
}

// checkReq is pike_check_req(): the request's source address.
func (m *Module) checkReq(c *event.Context) int {
	msg := sipmsg.FromContext(c)
	if msg == nil {
		return 1
	}
	ip, err := netip.ParseAddr(msg.Src.IP)
	if err != nil {
		// Not an address: nothing to count, and not blocked.
		return 1
	}
	return m.check(c, ip.Unmap())
}

// checkIP is pike_check_ip(addr): an IPv4 address given as text (Kamailio
// parses nothing else here).
func (m *Module) checkIP(c *event.Context, s string) int {
	if s == "" {
		return -1
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Is4() {
		clogf(c, klog.Err, "pike_check_ip(): failed to parse ip address: %s", s)
		return -1
	}
	return m.check(c, ip)
}

// check counts one request from ip (Kamailio's pike_check_ipaddr): 1
// when the address is not blocked, -2 when it has just become blocked
// (logged at pike_log_level), -1 while it stays blocked.
func (m *Module) check(c *event.Context, ip netip.Addr) int {
	b := ip.AsSlice()
	m.mu.Lock()
	n, father, flags := m.tree.mark(b)
	now := m.ticks()
	switch {
	case flags&flagNewNode != 0:
		n.expires = now + uint32(m.timeout)
		m.tree.appendTimer(n)
		n.flags |= nodeInTimer
		if father != nil && father.flags&nodeIPLeaf == 0 && father.kids.next == nil {
			// The father was a tree leaf; now it is not, and leaves the
			// timer.
			m.tree.removeTimer(father)
			father.flags &^= nodeInTimer
		}
	case n.flags&nodeIPLeaf != 0 || n.kids == nil:
		// Tree leaves that draw few requests are not refreshed, so that
		// they expire.
		if flags&flagNoUpdate == 0 && n.flags&nodeExpired == 0 {
			n.expires = now + uint32(m.timeout)
			m.tree.updateTimer(n)
		}
	}
	m.mu.Unlock()
	if flags&flagRedNode == 0 {
		return 1
	}
	if flags&flagNewRed != 0 {
		clogf(c, klog.Level(m.logLevel), "pike_check_ipaddr(): PIKE - BLOCKing ip %s, node=%p", ip, n)
		m.blocked.Inc()
		return -2
	}
	return -1
}

// clean forgets the nodes whose latency has passed by ticks (Kamailio's
// clean_routine): a complete address with kids stops being one, a tree
// leaf is removed, and a father left without kids joins the timer list.
func (m *Module) clean(ticks uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tree
	if t.timerEmpty() || t.timer.tnext.expires > ticks {
		return
	}
	var expired []*node
	n := t.timer.tnext
	for n != &t.timer && n.expires <= ticks {
		next := n.tnext
		n.flags |= nodeExpired
		n.flags &^= nodeInTimer
		n.tnext, n.tprev = nil, nil
		expired = append(expired, n)
		n = next
	}
	t.timer.tnext, n.tprev = n, &t.timer
	for br := 0; br < 256; br++ {
		for _, n := range expired {
			if int(n.branch) != br {
				continue
			}
			n.expires = 0
			if n.flags&nodeExpired == 0 {
				continue
			}
			n.flags &^= nodeExpired
			if n.kids != nil {
				n.flags &^= nodeIPLeaf
				n.leafHits[currPos] = 0
				continue
			}
			if dad := n.prev; dad != nil && dad.kids == n && n.next == nil && dad.flags&nodeIPLeaf == 0 {
				dad.expires = m.ticks() + uint32(m.timeout)
				t.appendTimer(dad)
				dad.flags |= nodeInTimer
			}
			t.remove(n)
		}
	}
}

// swap starts a new sampling unit (Kamailio's swap_routine): the current
// counts become the previous ones, and a blocked address that is no
// longer hot is unblocked.
func (m *Module) swap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, root := range m.tree.branches {
		if root != nil {
			m.refresh(root)
		}
	}
}

func (m *Module) refresh(n *node) {
	for ; n != nil; n = n.next {
		n.hits[prevPos], n.hits[currPos] = n.hits[currPos], 0
		n.leafHits[prevPos], n.leafHits[currPos] = n.leafHits[currPos], 0
		if n.flags&nodeIsRed != 0 && !m.tree.hotLeaf(n) {
			n.flags &^= nodeIsRed
			m.logf(klog.Level(m.logLevel), "refresh_node(): PIKE - UNBLOCKing node %p", n)
		}
		if n.kids != nil {
			m.refresh(n.kids)
		}
	}
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
	_ cnt.Registrant     = (*Module)(nil)
)
