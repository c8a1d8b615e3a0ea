// Package rtpproxy is kamgo's rtpproxy module: the client of RTP proxies
// that speak rtpproxy's control protocol (over UDP or a unix socket). For
// a call it asks the proxy for relay ports (U for the offer, L for the
// answer, D to end it, R to record, P and S to play a prompt, Q for
// statistics) and rewrites the SDP's ports and connection and origin
// addresses with what the proxy answers. Proxies come in sets
// (rtpproxy_sock, set_rtp_proxy_set), weighted; one that does not answer
// is left out for rtpproxy_disable_tout seconds.
//
// Commands, return codes, SDP rewriting and log lines follow Kamailio
// 5.6.3's rtpproxy; the package README lists where kamgo differs.
package rtpproxy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/modules/tm"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "rtpproxy.so"` names it.
const Name = "rtpproxy"

func init() { module.Register(new(Module)) }

// Clock is the time the proxies' recheck times are measured on (tests
// give one they advance by hand, internal/fakeclock).
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Module is one loaded rtpproxy module.
type Module struct {
	strs  map[string]string
	ints  map[string]int64
	socks []string // rtpproxy_sock values

	log   *klog.Logger
	clock Clock
	start time.Time

	sets       []*set
	nodeCount  int
	nortp      string
	iceAVP     *pv.Ref
	instPV     *pv.Ref
	extraID    *pv.Format
	timeoutTag *pv.Format // timeout_tag_pv
	tm         *tm.Module
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
	m.start = m.clock.Now()
	return m
}

// params are rtpproxy's parameters with Kamailio 5.6.3's defaults.
var params = func() []module.Param {
	i := func(n string, d int64) module.Param {
		return module.Param{Name: n, Type: module.ParamInt, Default: value.MakeInt(d)}
	}
	s := func(n, d string) module.Param {
		return module.Param{Name: n, Type: module.ParamStr, Default: value.MakeStr(d)}
	}
	return []module.Param{
		s("nortpproxy_str", "a=nortpproxy:yes"),
		{Name: "rtpproxy_sock", Type: module.ParamStr, Multi: true},
		i("rtpproxy_disable_tout", 60), i("rtpproxy_retr", 5), i("rtpproxy_tout", 1),
		s("timeout_socket", ""), s("ice_candidate_priority_avp", ""), s("extra_id_pv", ""),
		s("db_url", ""), s("table_name", "rtpproxy"), s("rtp_inst_pvar", ""),
		{Name: "timeout_tag_pv", Type: module.ParamStr, Default: value.MakeStr(""), Ext: "Kamailio 5.8"},
	}
}()

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	if name == "rtpproxy_sock" {
		m.socks = append(m.socks, v.S)
		return nil
	}
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

// Provision implements module.Provisioner: the sets of proxies and the
// pseudo-variables the parameters name, as Kamailio's mod_init reads
// them.
func (m *Module) Provision(h module.Host) error {
	m.log = h.Log()
	m.nortp = strings.TrimRight(m.strs["nortpproxy_str"], "\r\n")
	if m.strs["db_url"] != "" {
		// Kamailio goes on without sets when its database cannot be
		// used, and ignores rtpproxy_sock once db_url is set.
		m.log.Log(klog.Err, Name, "init_rtpproxy_db(): kamgo has no database layer: no RTP proxy is loaded from the database")
		if len(m.socks) > 0 {
			m.log.Log(klog.Warn, Name, "mod_init(): rtpproxy db url configured - ignoring modparam sets")
		}
	} else if err := m.parseSets(m.socks); err != nil {
		m.log.Log(klog.Err, Name, "mod_init(): Failed to add RTP-Proxy from Config!")
		return err
	}
	if a := m.strs["ice_candidate_priority_avp"]; a != "" {
		ref, err := h.CompilePV(a, diag.Range{})
		if err != nil || ref.Node.Class != "avp" {
			m.log.Logf(klog.Err, Name, "mod_init(): malformed or non AVP definition <%s>", a)
			return fmt.Errorf("malformed or non AVP definition <%s>", a)
		}
		m.iceAVP = ref
	}
	if p := m.strs["rtp_inst_pvar"]; p != "" {
		ref, err := h.CompilePV(p, diag.Range{})
		if err != nil || (ref.Node.Class != "avp" && ref.Node.Class != "xavp" && ref.Node.Class != "var") {
			m.log.Logf(klog.Err, Name, "mod_init(): Invalid pvar name <%s>", p)
			return fmt.Errorf("invalid pvar name <%s>", p)
		}
		m.instPV = ref
	}
	if e := m.strs["extra_id_pv"]; e != "" {
		f, err := h.CompileFormat(e, diag.Range{})
		if err != nil {
			m.log.Logf(klog.Err, Name, "mod_init(): malformed PV string: %s", e)
			return fmt.Errorf("malformed PV string: %s", e)
		}
		m.extraID = f
	}
	if e := m.strs["timeout_tag_pv"]; e != "" {
		f, err := h.CompileFormat(e, diag.Range{})
		if err != nil {
			m.log.Logf(klog.Err, Name, "mod_init(): malformed PV string: %s", e)
			return fmt.Errorf("malformed PV string: %s", e)
		}
		m.timeoutTag = f
	}
	if mod, ok := h.Module("tm"); ok {
		m.tm, _ = mod.(*tm.Module)
	}
	if m.tm == nil {
		// Without tm the offer/answer of a reply is decided without the
		// transaction's request, as in Kamailio.
		m.log.Log(klog.Warn, Name, "load_tm_api(): Cannot import load_tm function from tm module")
	}
	return nil
}

// Start implements module.Starter: each UDP proxy gets its connected
// socket and every proxy is tested (V and VF). A proxy that does not
// answer is disabled, and kamgo starts all the same, as Kamailio does; an
// address that does not resolve or connect stops the start.
func (m *Module) Start(context.Context) error {
	m.start = m.clock.Now()
	for _, s := range m.sets {
		for _, n := range s.nodes {
			n.mu.Lock()
			if n.mode != 0 && n.conn == nil {
				c, err := dialUDP(n)
				if err != nil {
					n.mu.Unlock()
					m.log.Logf(klog.Err, Name, "child_init(): can't connect to a RTP proxy: %v", err)
					return fmt.Errorf("can't connect to RTP proxy <%s>: %v", n.url, err)
				}
				n.conn = c
			}
			n.disabled = m.test(n, n.disabled, true)
			n.mu.Unlock()
		}
	}
	return nil
}

// Stop implements module.Starter: the proxies' sockets are closed.
func (m *Module) Stop(context.Context) error {
	for _, s := range m.sets {
		for _, n := range s.nodes {
			n.mu.Lock()
			if n.conn != nil {
				_ = n.conn.conn.Close()
				n.conn = nil
			}
			n.mu.Unlock()
		}
	}
	return nil
}

// SetClock makes recheck times run on c. Call it before Start.
func (m *Module) SetClock(c Clock) { m.clock = c; m.start = c.Now() }

// ticks are the seconds since the module started (Kamailio's
// get_ticks), the unit of recheck times.
func (m *Module) ticks() uint32 { return uint32(m.clock.Now().Sub(m.start) / time.Second) }

var (
	_ module.Module      = (*Module)(nil)
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)
