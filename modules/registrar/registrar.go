// Package registrar is kamgo's registrar module: SIP registration on top
// of usrloc's location tables. save answers a REGISTER (RFC 3261 10.3):
// it adds, refreshes and removes the bindings of the address of record in
// the To URI and replies with every binding it now has; lookup rewrites
// the Request-URI with the best contact of the Request-URI's address of
// record and adds the others as branches for parallel forking;
// registered, unregister, lookup_to_dset, lookup_branches, add_sock_hdr,
// reg_fetch_contacts, reg_free_contacts and reg_send_reply complete it,
// with $ulc to read fetched contacts and event_route[usrloc:contact-expired]
// for the contacts usrloc's timer removes.
//
// Behaviour, replies and log lines follow Kamailio 5.6.3's registrar; the
// package README lists where kamgo differs.
package registrar

import (
	"fmt"
	"github.com/kamgo/kamgo/runtime/cfgvars"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/modules/sl"
	"github.com/kamgo/kamgo/modules/usrloc"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "registrar.so"` names it.
const Name = "registrar"

// EventExpired is the event route run for each contact usrloc's timer
// removes.
const EventExpired = "usrloc:contact-expired"

// save() flags (the second argument).
const (
	saveMem         = 1 << 0 // memory only (no difference without a database)
	saveNoReply     = 1 << 1 // do not reply
	saveReplace     = 1 << 2 // one contact per AOR: the others are removed
	saveNoVariation = 1 << 3 // no expires_range randomisation
	savePrepReply   = 1 << 4 // with saveNoReply: prepare the reply headers
	saveAll         = 1<<5 - 1
)

// path_mode values.
const (
	pathOff    = 0
	pathLazy   = 1
	pathStrict = 2
)

// outbound_mode values.
const (
	outboundNone      = 0
	outboundSupported = 1
	outboundRequire   = 2
)

func init() { module.Register(new(Module)) }

// Module is one loaded registrar module.
type Module struct {
	ints map[string]int64
	strs map[string]string

	host module.Host
	log  *klog.Logger
	ul   *usrloc.Module
	sl   *sl.Module
	tm   sl.Replier // nil without tm

	rcvAVP   *pv.Ref // received_avp
	sockFlag uint32  // sock_flag as a mask, 0 when unset

	stats  counters
	cfg    *cfgvars.ModuleGroup // the registrar group (cfg.set registrar ...)
	ranges rangeStats
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{ints: map[string]int64{}, strs: map[string]string{}}
	for _, p := range params {
		switch p.Default.K {
		case value.Int:
			m.ints[p.Name] = p.Default.I
		default:
			m.strs[p.Name] = p.Default.S
		}
	}
	return m
}

// params are registrar's parameters with Kamailio 5.6.3's defaults.
var params = func() []module.Param {
	i := func(n string, d int64) module.Param {
		return module.Param{Name: n, Type: module.ParamInt, Default: value.MakeInt(d)}
	}
	s := func(n, d string) module.Param {
		p := module.Param{Name: n, Type: module.ParamStr}
		if d != "" {
			p.Default = value.MakeStr(d)
		}
		return p
	}
	return []module.Param{
		i("default_expires", 3600), i("default_expires_range", 0), i("expires_range", 0),
		i("default_q", -1), i("append_branches", 1), i("case_sensitive", 0), s("realm_prefix", ""),
		i("min_expires", 60), i("max_expires", 0), s("received_param", "received"),
		s("received_avp", ""), i("max_contacts", 0), i("retry_after", 0), i("sock_mode", 0),
		i("sock_flag", -1), s("sock_hdr_name", ""), i("method_filtering", 0), i("use_path", 0),
		i("path_mode", pathStrict), i("path_use_received", 0), i("path_check_local", 0),
		s("xavp_cfg", ""), s("xavp_rcd", ""), i("xavp_rcd_mask", 0), i("gruu_enabled", 1),
		i("outbound_mode", 0), i("regid_mode", 0), i("flow_timer", 0), i("contact_max_size", 512),
		s("event_callback", ""), i("lookup_filter_mode", 0), i("min_expires_mode", 0),
		i("use_expired_contacts", 0),
	}
}()

// Exports implements module.Exporter. bind_registrar is an API for other
// C modules, not a script function.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params:  params,
		Funcs:   m.funcs(),
		Classes: []*pv.Class{m.ulcClass()},
		Events:  []string{EventExpired},
	}
}

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

// Provision implements module.Provisioner: it binds sl, usrloc and tm,
// checks the parameters as Kamailio's mod_init does and registers the
// expiry callback when something handles the event.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if mod, ok := h.Module("sl"); ok {
		m.sl, _ = mod.(*sl.Module)
	}
	if m.sl == nil {
		m.log.Log(klog.Err, Name, "mod_init(): Cannot bind to SL API. Please load the SL module before loading this module.")
		return fmt.Errorf("registrar needs the sl module")
	}
	if err := m.bindUsrloc(h); err != nil {
		return err
	}
	if mod, ok := h.Module("tm"); ok {
		m.tm, _ = mod.(sl.Replier)
	}
	if q := m.ints["default_q"]; q != -1 {
		m.ints["default_q"] = min(max(q, 0), 1000)
	}
	if a := m.strs["received_avp"]; a != "" {
		ref, err := h.CompilePV(a, diag.Range{})
		if err != nil || ref.Node.Class != "avp" {
			m.log.Logf(klog.Err, Name, "mod_init(): malformed or non AVP %s AVP definition", a)
			return fmt.Errorf("malformed or non AVP %s AVP definition", a)
		}
		m.rcvAVP = ref
	}
	switch {
	case m.strs["sock_hdr_name"] != "":
		if m.ints["sock_flag"] == -1 {
			m.log.Log(klog.Info, Name, "mod_init(): empty sock_hdr_name or sock_flag not set -> resetting")
			m.strs["sock_hdr_name"] = ""
		}
	case m.strs["xavp_cfg"] != "":
	case m.ints["sock_flag"] != -1:
		m.log.Log(klog.Info, Name, "mod_init(): sock_flag defined but no sock_hdr_name or no reg_xavp_cfg -> resetting flag")
		m.ints["sock_flag"] = -1
	}
	if ob := m.ints["outbound_mode"]; ob < 0 || ob > 2 {
		m.log.Log(klog.Err, Name, "mod_init(): outbound_mode modparam must be 0 (not supported), 1 (supported), or 2 (supported and required)")
		return fmt.Errorf("bad outbound_mode %d", ob)
	}
	if rm := m.ints["regid_mode"]; rm < 0 || rm > 1 {
		m.log.Log(klog.Err, Name, "mod_init(): regid_mode modparam must be 0 (use with outbound), 1 (use always)")
		return fmt.Errorf("bad regid_mode %d", rm)
	}
	if ft := m.ints["flow_timer"]; ft < 0 || ft > 999 || (ft > 0 && m.ints["outbound_mode"] == outboundNone) {
		m.log.Log(klog.Err, Name, "mod_init(): bad value for flow_timer")
		return fmt.Errorf("bad flow_timer %d", ft)
	}
	if sf := m.ints["sock_flag"]; sf >= 0 && sf < 32 {
		m.sockFlag = 1 << sf
	}
	if err := m.declareCfg(h); err != nil {
		return err
	}
	if h.Has(event.Event(EventExpired)) ||
		(m.strs["event_callback"] != "" && module.EngineOf(h) != nil) {
		m.ul.OnExpired(m.expired)
	}
	return nil
}

// bindUsrloc finds usrloc (Kamailio's bind_usrloc); registrar's calls
// name tables, which need it at load.
func (m *Module) bindUsrloc(h module.Host) error {
	if m.ul != nil {
		return nil
	}
	if mod, ok := h.Module("usrloc"); ok {
		m.ul, _ = mod.(*usrloc.Module)
	}
	if m.ul == nil {
		m.log.Log(klog.Err, Name, "mod_init(): Can't bind to the usrloc module.Please load it before this module.")
		return fmt.Errorf("registrar needs the usrloc module")
	}
	return nil
}

// state is what Kamailio keeps per process between calls: the error of
// the last save (rerrno), the Contact header built for its reply, the
// profiles reg_fetch_contacts filled and set_q_override's value. kamgo
// keeps it per worker.
type state struct {
	rerr     rerr
	contact  string // the Contact header line for the next reply, "" when none
	profiles map[string]*profile
	qMsg     uint32 // set_q_override's message id and q
	qVal     int
	qSet     bool
}

func newState() *state { return &state{profiles: map[string]*profile{}} }

var stateKey = event.NewKey()

// st returns the state of the worker running c.
func (m *Module) st(c *event.Context) *state {
	// An event without a worker (a unit test's) keeps it for itself.
	if c.Worker == nil {
		if s, ok := c.Get(stateKey).(*state); ok {
			return s
		}
		s := newState()
		c.Set(stateKey, s)
		return s
	}
	if s, ok := c.Worker.Get(stateKey).(*state); ok {
		return s
	}
	s := newState()
	c.Worker.Set(stateKey, s)
	return s
}

// lower is Kamailio's strlower: ASCII letters only, byte by byte.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

var (
	_ module.Module        = (*Module)(nil)
	_ module.Exporter      = (*Module)(nil)
	_ module.ParamSetter   = (*Module)(nil)
	_ module.Provisioner   = (*Module)(nil)
	_ module.MetricsWriter = (*Module)(nil)
)
