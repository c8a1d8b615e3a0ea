// Package acc is kamgo's acc module: transaction accounting with
// Kamailio's log backend. Through tm's callbacks it writes one "ACC:" line
// per answered transaction (log_flag), missed call (log_missed_flag),
// failed transaction (failed_transaction_flag), end-to-end ACK
// (report_ack) and, with report_cancels, CANCEL; acc_log_request and
// acc_request write one from the script. The lines carry the fields,
// order, extras (log_extra), multi-leg values (multi_leg_info) and time
// attributes (time_mode) of Kamailio 5.6.3's acc, at log_level, through
// kamgo's logger.
//
// The database, CDR (dialog) and engine backends need services kamgo does
// not have: a db_url or cdr_enable=1 is refused at load; the package
// README lists every difference.
package acc

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "acc.so"` names it.
const Name = "acc"

func init() { module.Register(new(Module)) }

// Module is one loaded acc module.
type Module struct {
	cfg  config
	host module.Host
	log  *klog.Logger
	tm   *tm.Module

	logExtra []*extra // log_extra, parsed
	legs     []*extra // multi_leg_info, parsed
	filter   []int    // failed_filter, parsed
	// direction is rr's is_direction, for detect_direction (nil when off).
	direction func(c *event.Context) bool

	// now is the clock the timestamps come from (tests fix it).
	now func() time.Time

	legMu   sync.Mutex
	legRefs map[string]*legRefs // compiled indexed reads of multi-leg AVPs
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	return &Module{cfg: defaultConfig(), now: time.Now, legRefs: map[string]*legRefs{}}
}

// SetClock sets the clock the accounting timestamps come from.
func (m *Module) SetClock(now func() time.Time) { m.now = now }

// Exports implements module.Exporter. bind_acc is an API for other C
// modules (engines), not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	var params []module.Param
	for _, d := range paramDefs {
		params = append(params, module.Param{Name: d.name, Type: d.typ, Default: d.def, Ext: d.ext})
	}
	return module.Exports{Params: params, Funcs: m.funcs()}
}

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	return m.cfg.set(name, v)
}

// errNoTM is Kamailio's error without tm.
var errNoTM = errors.New("acc: can't load TM API")

// Provision implements module.Provisioner: Kamailio's mod_init checks, in
// its order, then the registration of the request callback with tm.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	c := &m.cfg
	if c.logFacility != "" && !isFacility(c.logFacility) {
		return m.fail("mod_init(): invalid log facility configured")
	}
	if !m.flagOK(c.failedTransactionFlag) {
		return m.fail("mod_init(): failed_transaction_flag set to invalid value")
	}
	if c.failedFilter != "" {
		f, err := parseFailedFilter(c.failedFilter)
		if err != nil {
			m.log.Logf(klog.Err, Name, "parse_failed_filter(): %v", err)
			return m.fail("mod_init(): failed to parse failed_filter param")
		}
		m.filter = f
	}
	mod, ok := h.Module(tm.Name)
	if !ok {
		return m.fail("mod_init(): can't load TM API")
	}
	t, ok := mod.(*tm.Module)
	if !ok {
		return errNoTM
	}
	m.tm = t
	if c.detectDirection != 0 {
		if err := m.loadDirection(h); err != nil {
			return err
		}
	}
	if c.multiLegInfo != "" {
		legs, err := parseLegs(h, c.multiLegInfo, int(c.extraSize))
		if err != nil {
			m.log.Logf(klog.Err, Name, "%v", err)
			return m.fail("mod_init(): failed to parse multileg_info param")
		}
		m.legs = legs
	}
	if c.logExtra != "" {
		ex, err := parseExtras(h, c.logExtra, int(c.extraSize))
		if err != nil {
			m.log.Logf(klog.Err, Name, "%v", err)
			return m.fail("mod_init(): failed to parse log_extra param")
		}
		m.logExtra = ex
	}
	if !m.flagOK(c.logFlag) {
		return m.fail("mod_init(): log_flag set to invalid value")
	}
	if !m.flagOK(c.logMissedFlag) {
		return m.fail("mod_init(): log_missed_flag set to invalid value")
	}
	if c.cdrEnable < 0 || c.cdrEnable > 1 {
		return m.fail("mod_init(): cdr_enable is out of range")
	}
	if c.cdrExtraNullable < 0 || c.cdrExtraNullable > 1 {
		return m.fail("mod_init(): cdr_extra_nullable is out of range")
	}
	if c.cdrExpiredDlgEnable < 0 || c.cdrExpiredDlgEnable > 1 {
		return m.fail("mod_init(): cdr_expired_dlg_enable is out of range")
	}
	if c.cdrDurationMode < 0 || c.cdrDurationMode > 2 {
		return m.fail("mod_init(): cdr_duration_mode is out of range")
	}
	if c.cdrEnable == 1 {
		return m.fail("mod_init(): cdr_enable=1 needs the dialog module's CDR generation, which kamgo does not have")
	}
	if c.dbURL != "" {
		return m.fail("mod_init(): db_url is set, but kamgo has no database backend for acc (no database modules)")
	}
	if c.dbFlag != -1 || c.dbMissedFlag != -1 {
		// Kamailio drops them without db_url; say so instead of staying
		// silent.
		m.log.Log(klog.Warn, Name, "mod_init(): db_flag and db_missed_flag have no effect without db_url")
	}
	t.OnRequestIn(m.onRequest)
	return nil
}

// fail logs msg as Kamailio's mod_init error and returns it.
func (m *Module) fail(msg string) error {
	m.log.Log(klog.Err, Name, msg)
	return fmt.Errorf("acc: %s", msg)
}

// flagOK checks a flag parameter: -1 (off) or a message flag, with
// Kamailio's flag_in_range error otherwise (it reads the flag unsigned).
func (m *Module) flagOK(f int64) bool {
	if f == -1 || flagInRange(f) {
		return true
	}
	m.log.Logf(klog.Err, "core", "flag_in_range(): message flag %d too high; MAX=31", uint32(f))
	return false
}

// flagInRange is Kamailio's flag_in_range: message flags are 0..31.
func flagInRange(f int64) bool { return f >= 0 && f <= 31 }

// flagSet reports whether flag f (-1: unset) is set in flags.
func flagSet(flags uint32, f int64) bool {
	return f != -1 && flagInRange(f) && flags&(1<<uint(f)) != 0
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
)
