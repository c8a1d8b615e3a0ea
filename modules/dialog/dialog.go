// Package dialog is kamgo's dialog module: the SIP dialogs (INVITE
// sessions) this proxy routes, tracked in memory as Kamailio 5.6.3's
// dialog module tracks them. A dialog is created by dlg_manage() or for an
// INVITE with dlg_flag set; tm's callbacks move it through Kamailio's
// states (unconfirmed, early, confirmed without and with ACK, deleted) on
// the replies, and in-dialog requests (ACK, BYE, re-INVITE ...) are matched
// when rr's loose_route() routes them (rr's callback), by the did
// parameter of the Record-Route it adds, or by Call-ID and tags. The package owns the dialog table, the timeouts (with BYEs to both
// sides when asked), the profiles, the dialog variables and flags, the
// pseudo-variables ($dlg, $dlg_ctx, $dlg_var, $DLG_*), the event routes
// dialog:start, dialog:end and dialog:failed, the dlg.* RPC commands and
// the dialog statistics.
//
// There is no database: db_mode must be 0. The README lists every
// difference from Kamailio.
package dialog

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/modules/rr"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/sipmsg"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "dialog.so"` names it.
const Name = "dialog"

func init() { module.Register(new(Module)) }

// Clock is where the module reads the time and arms its timers; tests
// give it internal/fakeclock.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func())
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// Module is one loaded dialog module.
type Module struct {
	cfg   config
	host  module.Host
	log   *klog.Logger
	tm    *tm.Module
	clock Clock

	timeoutRef *pv.Ref    // timeout_avp compiled
	ruriFmt    *pv.Format // ruri_pvar compiled
	addRRParam module.Call

	profiles  map[string]*profile
	profOrder []*profile

	mu    sync.Mutex
	table []*entry
	// tr is the SIP transport the module sends its own requests with, as
	// the last message seen brought it.
	tr atomic.Pointer[sip.Transport]

	stats     stats
	stopped   atomic.Bool
	kaStop    func()
	kaList    []*kaEntry // guarded by mu
	cleanStop func()
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{cfg: defaultConfig(), clock: systemClock{}, profiles: map[string]*profile{}}
}

// SetClock sets the clock of the timeouts and timestamps; call it before
// Start.
func (m *Module) SetClock(c Clock) { m.clock = c }

// Exports implements module.Exporter. load_dlg is the API for other C
// modules, not a script function.
func (m *Module) Exports() module.Exports {
	var params []module.Param
	for _, d := range paramDefs {
		params = append(params, module.Param{Name: d.name, Type: d.typ, Default: d.def})
	}
	return module.Exports{
		Params:  params,
		Funcs:   m.funcs(),
		Classes: m.classes(),
		Events:  []string{"dialog:start", "dialog:end", "dialog:failed"},
	}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error { return m.cfg.set(name, v) }

// Provision implements module.Provisioner: Kamailio's mod_init checks, in
// its order, the profiles, then the hooks into tm and rr.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	c := &m.cfg
	if c.hIDStart == -1 {
		c.hIDStart = 0 // server_id, 0 in kamgo
	} else if c.hIDStart < 0 {
		c.hIDStart = 0
	}
	if c.hIDStep < 1 {
		c.hIDStep = 1
	}
	if c.kaInterval != 0 && c.kaInterval < 30 {
		return m.fail(fmt.Sprintf("ka interval too low (%d), has to be at least 30", c.kaInterval))
	}
	if c.dlgFlag != -1 && (c.dlgFlag > 31 || c.dlgFlag < -1) {
		return m.fail(fmt.Sprintf("invalid dlg flag %d!!", c.dlgFlag))
	}
	if c.rrParam == "" {
		return m.fail("empty rr_param!!")
	}
	if len(c.rrParam) > maxRRParamName {
		return m.fail(fmt.Sprintf("rr_param too long (max=%d)!!", maxRRParamName))
	}
	if c.keepProxyRR < 0 || c.keepProxyRR > 3 {
		return m.fail("invalid value for keep_proxy_rr")
	}
	if c.timeoutAVP != "" {
		// Kamailio's test of the type only fires when the spec does not
		// parse: any pseudo-variable is taken
		r, err := h.CompilePV(c.timeoutAVP, diag.Range{})
		if err != nil {
			return m.fail(fmt.Sprintf("malformed or non AVP timeout AVP definition in '%s'", c.timeoutAVP))
		}
		m.timeoutRef = r
	}
	if c.defaultTimeout <= 0 {
		return m.fail("0 default_timeout not accepted!!")
	}
	if c.ruriPvar == "" {
		return m.fail("invalid r-uri PV string")
	}
	f, err := h.CompileFormat(c.ruriPvar, diag.Range{})
	if err != nil {
		return m.fail(fmt.Sprintf("malformed r-uri PV string: %s", c.ruriPvar))
	}
	m.ruriFmt = f
	if c.initialCbsInscript != 0 && c.initialCbsInscript != 1 {
		return m.fail("invalid parameter for running initial callbacks in-script (must be either 0 or 1)")
	}
	if c.matchMode != matchDID && c.matchMode != matchFallback && c.matchMode != matchNoID {
		return m.fail(fmt.Sprintf("invalid value %d for seq_match_mode param!!", c.matchMode))
	}
	if c.detectSpirals != 0 && c.detectSpirals != 1 {
		return m.fail(fmt.Sprintf("invalid value %d for detect_spirals param!!", c.detectSpirals))
	}
	if c.timeoutNoreset != 0 && c.timeoutNoreset != 1 {
		return m.fail(fmt.Sprintf("invalid value %d for timeout_noreset param!!", c.timeoutNoreset))
	}
	if err := m.addProfiles(c.profilesNoValue, false); err != nil {
		return m.fail("failed to add profiles without value")
	}
	if err := m.addProfiles(c.profilesWithValue, true); err != nil {
		return m.fail("failed to add profiles with value")
	}
	mod, ok := h.Module(tm.Name)
	if !ok {
		return m.fail("can't load TM API")
	}
	t, ok := mod.(*tm.Module)
	if !ok {
		return m.fail("can't load TM API")
	}
	m.tm = t
	if err := m.bindRR(h); err != nil {
		return err
	}
	size := c.hashSize
	if size < 1 {
		m.log.Logf(klog.Warn, Name, "hash_size is smaller then 1  -> rounding from %d to 1", size)
		size = 1
	}
	size = m.roundHashSize(size)
	if size > maxHashSize {
		// Kamailio's rounding of a size that is not a power of 2 climbs
		// to 2^30 slots, which its shared memory cannot hold
		return m.fail("failed to create hash table")
	}
	c.hashSize = size
	m.initTable(int(size))
	if c.dbMode != 0 {
		return m.fail(fmt.Sprintf("db_mode %d: kamgo keeps dialogs in memory only and has no database modules; use db_mode 0", c.dbMode))
	}
	if c.enableDMQ > 0 {
		return m.fail("enable_dmq: kamgo has no dmq module to replicate dialogs with")
	}
	t.OnRequestIn(m.onRequestIn)
	return nil
}

// maxHashSize is the largest dialog table kamgo makes.
const maxHashSize = 1 << 24

// roundHashSize rounds hash_size as Kamailio 5.6.3's mod_init does, with
// its warnings: a size that is not a power of 2 goes down to the power
// below, then, through the rest of the loop, up again to 2^30.
func (m *Module) roundHashSize(size int64) int64 {
	for n := uint(0); n < 32; n++ {
		p := int64(int32(uint32(1) << n))
		if size == p {
			break
		}
		if n > 0 && size < p {
			below := int64(int32(uint32(1) << (n - 1)))
			m.log.Logf(klog.Warn, Name, "hash_size is not a power of 2 as it should be -> rounding from %d to %d", size, below)
			size = below
		}
	}
	return size
}

// maxRRParamName is Kamailio's MAX_DLG_RR_PARAM_NAME.
const maxRRParamName = 32

// bindRR hooks the module into rr as Kamailio's dialog does with rr's
// API: in-dialog requests are matched when loose_route() routes them
// (onRoute, through rr's callback), and the did parameter goes into the
// Record-Route through add_rr_param.
func (m *Module) bindRR(h module.Host) error {
	mod, ok := h.Module("rr")
	if !ok {
		return m.fail("can't load RR API")
	}
	r, ok := mod.(*rr.Module)
	if !ok {
		return m.fail("can't load RR API")
	}
	for _, f := range r.Exports().Funcs {
		if f.Name != "add_rr_param" {
			continue
		}
		arg := &module.Arg{Expr: &ast.PVar{Class: "dialog-rr-param"}, Eval: func(c *event.Context) value.Value {
			s, _ := c.Get(rrParamKey).(string)
			return value.MakeStr(s)
		}}
		call, err := f.Compile(h, []*module.Arg{arg})
		if err != nil {
			return m.fail("can't load RR API: " + err.Error())
		}
		m.addRRParam = call
		r.OnLooseRoute(func(c *event.Context, msg *sipmsg.Msg, params string) {
			m.onRoute(c, msg, params, m.cfg.matchMode)
		})
		return nil
	}
	return m.fail("can't load RR API")
}

var rrParamKey = event.NewKey()

// fail logs msg as Kamailio's mod_init error and returns it.
func (m *Module) fail(msg string) error {
	m.log.Log(klog.Err, Name, msg)
	return fmt.Errorf("dialog: %s", msg)
}

// Start implements module.Starter: the keep-alive timer when ka_timer
// and ka_interval are set.
func (m *Module) Start(context.Context) error {
	m.stopped.Store(false)
	if m.cfg.kaTimer > 0 && m.cfg.kaInterval > 0 {
		m.armKA()
	}
	m.armClean()
	return nil
}

// Stop implements module.Starter: timers are disarmed; dialogs are
// dropped as Kamailio drops them at shutdown without a database.
func (m *Module) Stop(context.Context) error {
	m.stopped.Store(true)
	m.mu.Lock()
	if m.kaStop != nil {
		m.kaStop()
	}
	if m.cleanStop != nil {
		m.cleanStop()
	}
	for _, e := range m.table {
		for _, d := range e.list {
			if d.timerStop != nil {
				d.timerStop()
				d.timerStop = nil
			}
		}
	}
	m.mu.Unlock()
	return nil
}

func (m *Module) now() time.Time { return m.clock.Now() }

// nowUnix is the clock in Kamailio's seconds.
func (m *Module) nowUnix() int64 { return m.now().Unix() }

func trimLWS(s string) string { return strings.Trim(s, " \t\r\n") }

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)
