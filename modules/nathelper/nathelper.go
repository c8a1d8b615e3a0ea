// Package nathelper is kamgo's nathelper module: the helpers a proxy needs
// for user agents behind NAT. It detects them (nat_uac_test, is_rfc1918),
// rewrites what they advertise (fix_nated_contact, fix_nated_sdp,
// set_contact_alias, add_contact_alias, add_rcv_param), keeps their
// received address for registrar (fix_nated_register), routes in-dialog
// requests back to them (handle_ruri_alias, set_alias_to_pv) and keeps
// their NAT bindings open: every natping_interval seconds the pinger sends
// to the registered contacts (those with usrloc's nat_bflag with
// ping_nated_only) either a 4-byte UDP keepalive or, for contacts with
// sipping_bflag, a SIP OPTIONS request from sipping_from, whose replies it
// absorbs. $rr_count and $rr_top_count count Record-Route entries.
//
// Behaviour, return codes and log lines follow Kamailio 5.6.3's
// nathelper; the package README lists where kamgo differs.
package nathelper

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "nathelper.so"` names it.
const Name = "nathelper"

func init() { module.Register(new(Module)) }

// Clock is the time the pinger runs on: the system clock, or one a test
// advances by hand (internal/fakeclock). usrloc.Clock has the same shape.
type Clock = usrloc.Clock

// Module is one loaded nathelper module.
type Module struct {
	strs map[string]string
	ints map[string]int64

	log   *klog.Logger
	clock Clock

	rcvAVP   *pv.Ref        // received_avp
	ul       *usrloc.Module // with natping_interval
	alias    string         // "alias=" (alias_name)
	salias   string         // ";alias="
	nortp    string         // nortpproxy_str without trailing line ends
	sipFlag  uint32         // sipping_bflag as a mask, 0 when unset
	offFlag  uint32         // natping_disable_bflag as a mask
	raw      *rawSender     // natping_socket or udpping_from_path
	rawIP    [4]byte        // natping_socket's address
	rawPort  uint16         // natping_socket's port
	forceSoc *forceSocket   // force_socket

	enabled atomic.Bool // natping state (nathelper.enable_ping)
	host    module.Host
	ping    pingState

	mu      sync.Mutex
	pingers []*pinger
	stopped bool
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{strs: map[string]string{}, ints: map[string]int64{}, clock: systemClock{}}
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

// params are nathelper's parameters with Kamailio 5.6.3's defaults.
var params = func() []module.Param {
	i := func(n string, d int64) module.Param {
		return module.Param{Name: n, Type: module.ParamInt, Default: value.MakeInt(d)}
	}
	s := func(n, d string) module.Param {
		return module.Param{Name: n, Type: module.ParamStr, Default: value.MakeStr(d)}
	}
	return []module.Param{
		i("natping_interval", 0), i("ping_nated_only", 0), s("nortpproxy_str", "a=nortpproxy:yes"),
		s("received_avp", ""), s("force_socket", ""), s("sipping_from", ""), s("sipping_method", "OPTIONS"),
		i("sipping_bflag", -1), i("natping_disable_bflag", -1), i("natping_processes", 1),
		s("natping_socket", ""), i("keepalive_timeout", 0), i("udpping_from_path", 0),
		i("append_sdp_oldmediaip", 1), i("filter_server_id", 0), i("nat_addr_mode", 1), s("alias_name", ""),
		{Name: "ignore_path", Type: module.ParamInt, Default: value.MakeInt(0), Ext: "Kamailio 6.1"},
	}
}()

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	for _, p := range params {
		if p.Name != name {
			continue
		}
		if p.Type == module.ParamInt {
			m.ints[name] = v.I
		} else {
			m.strs[name] = v.S
		}
		return nil
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// Provision implements module.Provisioner: it checks the parameters as
// Kamailio's mod_init does and binds usrloc when the pinger runs.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	m.alias, m.salias = "alias=", ";alias="
	if n := m.strs["alias_name"]; n != "" {
		m.alias, m.salias = n+"=", ";"+n+"="
	}
	if a := m.strs["received_avp"]; a != "" {
		ref, err := h.CompilePV(a, diag.Range{})
		if err != nil || ref.Node.Class != "avp" {
			m.log.Logf(klog.Err, Name, "mod_init(): malformed or non AVP %s AVP definition", a)
			return fmt.Errorf("malformed or non AVP %s AVP definition", a)
		}
		m.rcvAVP = ref
	}
	if fs := m.strs["force_socket"]; fs != "" {
		m.forceSoc = parseForceSocket(fs)
	}
	if ns, fromPath := m.strs["natping_socket"], m.ints["udpping_from_path"] != 0; ns != "" || fromPath {
		if !fromPath {
			if err := m.natpingSocket(ns); err != nil {
				return err
			}
		}
		r, err := newRawSender()
		if err != nil {
			m.log.Log(klog.Err, Name, "init_raw_socket(): cannot create raw socket")
			return fmt.Errorf("cannot create raw socket: %v", err)
		}
		m.raw = r
	}
	m.nortp = strings.TrimRight(m.strs["nortpproxy_str"], "\r\n")
	m.enabled.Store(true)
	if m.ints["natping_interval"] <= 0 {
		return nil
	}
	mod, ok := h.Module("usrloc")
	ul, isUL := mod.(*usrloc.Module)
	if !ok || !isUL {
		m.log.Log(klog.Err, Name, "mod_init(): can't find usrloc module")
		return fmt.Errorf("can't find usrloc module")
	}
	m.ul = ul
	if m.ints["ping_nated_only"] != 0 && ul.NatFlag() == 0 {
		m.log.Log(klog.Err, Name, "mod_init(): bad config - ping_nated_only enabled, but no nat bflag set in usrloc module")
		return fmt.Errorf("ping_nated_only enabled, but no nat bflag set in usrloc module")
	}
	if m.ints["natping_processes"] < 0 {
		m.log.Log(klog.Err, Name, "mod_init(): bad config - natping_processes must be >= 0")
		return fmt.Errorf("natping_processes must be >= 0")
	}
	if f := m.ints["sipping_bflag"]; f != -1 {
		m.sipFlag = 1 << uint(f&31)
	}
	if f := m.ints["natping_disable_bflag"]; f != -1 {
		m.offFlag = 1 << uint(f&31)
	}
	if m.sipFlag != 0 {
		if m.strs["sipping_from"] == "" {
			m.log.Log(klog.Err, Name, "mod_init(): SIP ping enabled, but SIP ping FROM is empty!")
			return fmt.Errorf("SIP ping enabled, but SIP ping FROM is empty")
		}
		meth := m.strs["sipping_method"]
		if meth == "" {
			m.log.Log(klog.Err, Name, "mod_init(): SIP ping enabled, but SIP ping method is empty!")
			return fmt.Errorf("SIP ping enabled, but SIP ping method is empty")
		}
		if !isToken(meth) {
			m.log.Logf(klog.Err, Name, "mod_init(): invalid SIP ping method [%s]!", meth)
			return fmt.Errorf("invalid SIP ping method [%s]", meth)
		}
		if to := m.ints["keepalive_timeout"]; to > 0 {
			ul.SetKeepaliveTimeout(to)
		}
		m.ping.init()
	}
	return nil
}

// natpingSocket reads natping_socket: an IPv4 address (or a name that
// resolves to one) with an optional port, over UDP.
func (m *Module) natpingSocket(s string) error {
	ip, port, err := rawAddr(s)
	if err != nil {
		m.log.Logf(klog.Crit, Name, "get_natping_socket(): invalid natping_socket parameter <%s>", s)
		return fmt.Errorf("invalid natping_socket parameter <%s>: %v", s, err)
	}
	m.rawIP, m.rawPort = ip, port
	return nil
}

// isToken reports whether s is a SIP token (a method name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.!%*_+`'~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// Start implements module.Starter: with natping_interval, one pinger per
// natping_processes runs every second on the module's clock, each
// pinging its share of usrloc's table slots so that every contact is
// pinged once per interval.
func (m *Module) Start(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = false
	if m.ul == nil {
		return nil
	}
	m.ping.start = m.clock.Now()
	m.pingers = nil
	for i := int64(0); i < m.ints["natping_processes"]; i++ {
		p := &pinger{m: m, idx: uint32(i)}
		m.pingers = append(m.pingers, p)
		m.arm(p)
	}
	return nil
}

// arm schedules p's next run. m.mu must be held.
func (m *Module) arm(p *pinger) {
	p.stop = m.clock.AfterFunc(time.Second, func() {
		p.tick()
		m.mu.Lock()
		defer m.mu.Unlock()
		if !m.stopped {
			m.arm(p)
		}
	})
}

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	for _, p := range m.pingers {
		if p.stop != nil {
			p.stop()
		}
	}
	if m.raw != nil {
		m.raw.close()
	}
	return nil
}

// SetClock makes the pinger run on c (tests give it a clock they advance
// by hand). Call it before Start.
func (m *Module) SetClock(c Clock) { m.clock = c }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ sip.Layer          = (*Module)(nil)
)
