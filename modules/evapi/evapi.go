// Package evapi owns kamgo's implementation of Kamailio's evapi module: a
// TCP event API. Clients connect to bind_addr and exchange netstrings
// ("LEN:payload,") with the configuration: every frame a client sends runs
// event_route[evapi:message-received]; evapi_relay, evapi_multicast and
// evapi_unicast send frames to connected clients. Connection set-up and
// tear-down run event_route[evapi:connection-new] and
// event_route[evapi:connection-closed]; $evapi(srcaddr|srcport|msg|conidx)
// describes the connection of the current event.
//
// The wire format, return codes and log lines follow Kamailio 5.6.3. Where
// kamgo differs on purpose (frame reassembly, resynchronisation after bad
// frames, bounded per-client queues instead of blocking writes) the package
// README and spec/deviations.md say so.
package evapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/internal/evloop"
	"github.com/kamgo/kamgo/lang/routetype"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "evapi.so"` names it.
const Name = "evapi"

// Event route names the module raises.
const (
	EventConnectionNew    = "evapi:connection-new"
	EventConnectionClosed = "evapi:connection-closed"
	EventMessageReceived  = "evapi:message-received"
)

// Kamailio's fixed sizes that scripts can observe.
const (
	maxTagLen       = 63 // EVAPI_TAG_SIZE 64 including the NUL
	defaultBindAddr = "127.0.0.1:8448"
	defaultPort     = 8448
)

func init() { module.Register(new(Module)) }

// Module is one evapi instance: its parameters, the listener, the client
// slots and the counters. The zero value is not ready; use Info().New.
type Module struct {
	// Parameters (modparam). See README.md for what each one means here.
	workers         int
	bindAddr        string
	netstring       bool
	eventCallback   string
	maxClients      int
	waitIdle        int
	waitIncrease    int
	sendTaskTimeout int
	sendDataTimeout time.Duration
	contextMLimit   int64
	maxFrame        int
	clientQueue     int
	dropSlow        bool

	host module.Host
	log  *klog.Logger
	tm   Suspender // nil when no transaction module offers suspension

	// dispatcher runs connection events (and message events with
	// workers=0) one at a time, as Kamailio's dispatcher process does; pool
	// hands out the message workers (evapi's own processes in Kamailio).
	// A route takes a worker from a pool and runs on the goroutine that
	// read its frame, with no hand-off, while at most N routes run at
	// once, each with its own $var.
	dispatcher *event.Pool
	pool       *event.Pool

	// The listening socket and the event loops the clients are spread
	// over (see loop).
	ln       *evloop.Listener
	loops    []*loop
	addr     net.Addr
	started  bool
	stopping atomic.Bool
	wg       sync.WaitGroup

	// mu guards slots and every client's tag. Routes never run under it.
	mu    sync.RWMutex
	slots []*client
	hi    int // slots[hi:] are all nil

	live  atomic.Int64 // relay frames not yet written everywhere (context_mlimit)
	stats counters
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{
		workers:      1,
		bindAddr:     defaultBindAddr,
		netstring:    true,
		maxClients:   8,
		waitIdle:     500000,
		waitIncrease: 3,
		maxFrame:     32768,
		clientQueue:  256 << 10,
	}
}

// Origins of the parameters Kamailio 5.6 does not have (module.Param.Ext).
const (
	extKamailio57    = "Kamailio 5.7"
	extKamailioDevel = "Kamailio development branch (after 6.1)"
	extKamgo         = "kamgo"
)

// Exports implements module.Exporter.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{
			{Name: "workers", Type: module.ParamInt, Default: value.MakeInt(1)},
			{Name: "bind_addr", Type: module.ParamStr, Default: value.MakeStr(defaultBindAddr)},
			{Name: "netstring_format", Type: module.ParamInt, Default: value.MakeInt(1)},
			{Name: "event_callback", Type: module.ParamStr, Default: value.MakeStr("")},
			{Name: "max_clients", Type: module.ParamInt, Default: value.MakeInt(8)},
			{Name: "wait_idle", Type: module.ParamInt, Default: value.MakeInt(500000), Ext: extKamailio57},
			{Name: "wait_increase", Type: module.ParamInt, Default: value.MakeInt(3), Ext: extKamailio57},
			{Name: "send_task_timeout", Type: module.ParamInt, Default: value.MakeInt(0), Ext: extKamailioDevel},
			{Name: "send_data_timeout", Type: module.ParamInt, Default: value.MakeInt(0), Ext: extKamailioDevel},
			{Name: "context_mlimit", Type: module.ParamInt, Default: value.MakeInt(0), Ext: extKamailioDevel},
			{Name: "max_frame_size", Type: module.ParamInt, Default: value.MakeInt(32768), Ext: extKamgo},
			{Name: "client_queue", Type: module.ParamInt, Default: value.MakeInt(256 << 10), Ext: extKamgo},
			{Name: "slow_client", Type: module.ParamStr, Default: value.MakeStr("disconnect"), Ext: extKamgo},
		},
		Funcs:   m.funcs(),
		Classes: []*pv.Class{m.pvClass()},
		Events:  []string{EventConnectionNew, EventConnectionClosed, EventMessageReceived},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	str := func() (string, error) {
		if v.K != value.Str {
			return "", fmt.Errorf("evapi: parameter %s takes a string, got %s", name, v.K)
		}
		return v.S, nil
	}
	num := func(min int64) (int64, error) {
		if v.K != value.Int {
			return 0, fmt.Errorf("evapi: parameter %s takes an integer, got %s", name, v.K)
		}
		if v.I < min {
			return 0, fmt.Errorf("evapi: parameter %s must be at least %d, got %d", name, min, v.I)
		}
		return v.I, nil
	}
	var err error
	var n int64
	switch name {
	case "workers":
		n, err = num(0)
		m.workers = int(n)
	case "bind_addr":
		m.bindAddr, err = str()
	case "netstring_format":
		n, err = num(0)
		m.netstring = n != 0
	case "event_callback":
		m.eventCallback, err = str()
	case "max_clients":
		n, err = num(1)
		m.maxClients = int(n)
	case "wait_idle":
		n, err = num(0)
		m.waitIdle = int(n)
	case "wait_increase":
		n, err = num(0)
		m.waitIncrease = int(n)
	case "send_task_timeout":
		n, err = num(0)
		m.sendTaskTimeout = int(n)
	case "send_data_timeout":
		n, err = num(0)
		m.sendDataTimeout = time.Duration(n) * time.Microsecond
	case "context_mlimit":
		n, err = num(0)
		m.contextMLimit = n
	case "max_frame_size":
		n, err = num(1)
		if err == nil && n > 1<<30 {
			err = fmt.Errorf("evapi: max_frame_size %d is above the 1 GiB limit", n)
		}
		m.maxFrame = int(n)
	case "client_queue":
		n, err = num(1)
		m.clientQueue = int(n)
	case "slow_client":
		var s string
		if s, err = str(); err == nil {
			switch s {
			case "disconnect":
				m.dropSlow = false
			case "drop":
				m.dropSlow = true
			default:
				err = fmt.Errorf("evapi: slow_client must be \"disconnect\" or \"drop\", got %q", s)
			}
		}
	default:
		return fmt.Errorf("evapi: unknown parameter %q", name)
	}
	return err
}

// Provision implements module.Provisioner: it validates the parameters.
func (m *Module) Provision(h module.Host) error {
	m.host = h
	m.log = h.Log()
	if m.eventCallback != "" && module.EngineOf(h) == nil {
		// Kamailio runs event callbacks only through a KEMI engine; say
		// so rather than ignore the parameter silently.
		m.log.Logf(klog.Warn, Name, "event_callback %q is never called: the configuration's routes are native (no cfgengine such as \"lua\"); evapi events run only event_route[evapi:*] blocks", m.eventCallback)
	}
	if _, err := listenAddr(m.bindAddr); err != nil {
		return err
	}
	return nil
}

// listenAddr turns bind_addr into a host:port for net.Listen. Kamailio
// splits on the first ':' ("127.0.0.1:8448", or "127.0.0.1" for the default
// port); kamgo also accepts the bracketed IPv6 form "[::1]:8448", which
// Kamailio cannot express.
func listenAddr(s string) (string, error) {
	host, port := s, ""
	switch {
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		host = s[1 : len(s)-1]
	case strings.HasPrefix(s, "["):
		h, p, err := net.SplitHostPort(s)
		if err != nil {
			return "", fmt.Errorf("evapi: invalid bind_addr %q: %v", s, err)
		}
		host, port = h, p
	default:
		if i := strings.IndexByte(s, ':'); i >= 0 {
			host, port = s[:i], s[i+1:]
			if port == "" {
				port = "-" // "addr:" is an invalid port in Kamailio too
			}
		}
	}
	n := defaultPort
	if port != "" {
		v, err := strconv.Atoi(port)
		// Port 0 (Kamailio rejects it) picks a free port: tests use it.
		if err != nil || v < 0 || v > 65535 {
			return "", fmt.Errorf("evapi: invalid port %q in bind_addr %q (an IPv6 address needs brackets: \"[::1]:8448\")", port, s)
		}
		n = v
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// Start implements module.Starter: it opens the listener and starts
// accepting clients.
func (m *Module) Start(ctx context.Context) error {
	if m.host == nil {
		return errors.New("evapi: Start before Provision")
	}
	addr, err := listenAddr(m.bindAddr)
	if err != nil {
		return err
	}
	if mod, ok := m.host.Module("tm"); ok {
		m.tm, _ = mod.(Suspender)
	}
	if m.tm == nil {
		m.log.Log(klog.Info, Name, "mod_init(): cannot load the TM module functions - async relay disabled")
	}
	m.slots = make([]*client, m.maxClients)
	m.dispatcher = event.NewPool(1, 0)
	if m.workers > 0 {
		m.pool = event.NewPool(m.workers, 1)
	}
	ln, err := evloop.Listen(addr)
	if err != nil {
		return fmt.Errorf("evapi: cannot bind to local address and port [%s]: %w", m.bindAddr, err)
	}
	for i := 0; err == nil && i < max(1, m.workers); i++ {
		var l *loop
		if l, err = newLoop(m); err == nil {
			m.loops = append(m.loops, l)
		}
	}
	if err != nil {
		ln.Close()
		for _, l := range m.loops {
			l.close()
		}
		m.loops = nil
		return fmt.Errorf("evapi: %w", err)
	}
	m.ln, m.addr, m.started = ln, ln.Addr(), true
	for _, l := range m.loops {
		m.wg.Add(1)
		go l.run()
	}
	m.wg.Add(1)
	go m.acceptLoop()
	return nil
}

// Addr returns the address the module listens on, once started.
func (m *Module) Addr() net.Addr { return m.addr }

// Stop implements module.Starter: it closes the listener and every client
// connection (no connection-closed route runs, as when Kamailio exits),
// waits for the connection goroutines and logs the counters.
func (m *Module) Stop(ctx context.Context) error {
	if !m.started || m.stopping.Swap(true) {
		return nil
	}
	m.ln.Close()
	for _, l := range m.loops {
		l.p.Wake()
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("evapi: stop: %w", ctx.Err())
	}
	m.log.Log(klog.Info, Name, "stats: "+m.Stats().String())
	return err
}

// accept takes the lowest free slot for the connection fd and runs
// connection-new in the accepting goroutine, as Kamailio's dispatcher does,
// so connection-new routes run in accept order before the client's first
// message; then the client's loop watches it.
func (m *Module) accept(fd int, ip net.IP, port int) {
	_ = evloop.SetTCPOptions(fd)
	c := newClient(m, fd, ip, port)
	c.lp = m.pickLoop()
	m.mu.Lock()
	idx := -1
	if !m.stopping.Load() {
		for i, s := range m.slots {
			if s == nil {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		m.mu.Unlock()
		// Log and count before closing, as Kamailio does: whoever sees the
		// close can rely on both.
		m.stats.rejected.Add(1)
		if !m.stopping.Load() {
			m.log.Log(klog.Err, Name, "evapi_accept_client(): too many clients")
		}
		evloop.Close(fd)
		return
	}
	c.idx = idx
	m.slots[idx] = c
	m.hi = max(m.hi, idx+1)
	m.mu.Unlock()
	m.stats.active.Add(1)

	w := m.dispatcher.Get()
	m.runEventOn(c, nil, w, EventConnectionNew, nil)
	m.dispatcher.Release(w)
	// Counted once connection-new has run: whoever sees the count can rely
	// on the route's effects.
	m.stats.connections.Add(1)
	if c.scriptClosed.Load() || m.stopping.Load() {
		// evapi_close() in connection-new: Kamailio frees the slot and
		// never watches the socket; connection-closed does not run.
		m.freeSlot(c)
		c.qmu.Lock()
		c.closed, c.fdClosed = true, true
		c.dropOutLocked()
		c.qmu.Unlock()
		evloop.Close(fd)
		m.stats.active.Add(-1)
		return
	}
	c.lp.add(c)
}

// runEventOn runs event route name for client c on worker w. l is the
// loop running it (nil on the accept goroutine): frames its routes send to
// the loop's own clients are written at the end of the loop's round. msg is
// the frame payload for message-received, nil otherwise.
func (m *Module) runEventOn(c *client, l *loop, w *event.Worker, name string, msg []byte) {
	ctx := c.ctx
	ctx.Reset()
	ctx.Event = name
	ctx.Route = routetype.Event
	ctx.Worker = w
	ctx.Log = m.log
	c.env.set(msg)
	c.env.lp = l
	ctx.Set(envKey, &c.env)
	// A native event_route block wins; without one the event_callback
	// function runs through the KEMI engine, as in Kamailio.
	module.RunEvent(m.host, ctx, name, m.eventCallback)
	ctx.Set(envKey, nil)
	c.env.set(nil)
	c.env.lp = nil
}

// freeSlot releases c's slot if c still holds it.
func (m *Module) freeSlot(c *client) {
	m.mu.Lock()
	if c.idx >= 0 && c.idx < len(m.slots) && m.slots[c.idx] == c {
		m.slots[c.idx] = nil
		for m.hi > 0 && m.slots[m.hi-1] == nil {
			m.hi--
		}
	}
	m.mu.Unlock()
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)
