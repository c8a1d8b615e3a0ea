// Package usrloc is kamgo's usrloc module: the location table that
// registrar's save writes and lookup reads, kept in memory and shared by
// every worker (Kamailio's db_mode 0). Each table (a "domain" in
// Kamailio's words: "location") maps an address of record to its record,
// the list of contacts bound to it, ordered by q (or newest first with
// desc_time_order). A timer removes the contacts whose expiry has passed
// every timer_interval seconds and tells the modules that asked
// (registrar raises event_route[usrloc:contact-expired]); with ka_mode it
// then sends keepalives to the contacts left (keepalive.go).
//
// kamgo has no database layer: db_mode other than 0 is refused at load,
// and the database parameters (db_url, the *_column names ...) are kept
// but used by nothing. The package README lists where kamgo differs.
package usrloc

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/sip"
	"github.com/kamgo/kamgo/runtime/value"
)

// Name is the module name, as `loadmodule "usrloc.so"` names it.
const Name = "usrloc"

// Contact matching modes (matching_mode).
const (
	MatchContact       = 0 // the contact URI
	MatchContactCallID = 1 // the contact URI and the Call-ID
	MatchContactPath   = 2 // the contact URI and the Path
	MatchCallID        = 3 // the Call-ID only
)

func init() { module.Register(new(Module)) }

// Module is one loaded usrloc module.
type Module struct {
	strs map[string]string // string parameters, by name
	ints map[string]int64  // int parameters, by name
	pre  []string          // preload

	natBflag uint32 // nat_bflag as a mask (0 when unset)
	size     int    // hash table size

	host  module.Host
	log   *klog.Logger
	clock Clock

	ka kaState

	mu       sync.Mutex
	domains  map[string]*Domain
	expired  []func(c *Contact)
	stop     func()
	stopped  bool
	ruidSeq  uint32
	ruidBase string
}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: Name, New: func() module.Module { return newModule() }}
}

func newModule() *Module {
	m := &Module{strs: map[string]string{}, ints: map[string]int64{}, clock: systemClock{},
		domains: map[string]*Domain{}, size: 1 << 10}
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

// params are usrloc's parameters with Kamailio 5.6.3's defaults.
var params = func() []module.Param {
	i := func(n string, d int64) module.Param {
		return module.Param{Name: n, Type: module.ParamInt, Default: value.MakeInt(d)}
	}
	s := func(n, d string) module.Param {
		return module.Param{Name: n, Type: module.ParamStr, Default: value.MakeStr(d)}
	}
	return []module.Param{
		s("ruid_column", "ruid"), s("user_column", "username"), s("domain_column", "domain"),
		s("contact_column", "contact"), s("expires_column", "expires"), s("q_column", "q"),
		s("callid_column", "callid"), s("cseq_column", "cseq"), s("flags_column", "flags"),
		s("cflags_column", "cflags"), s("db_url", "mysql://kamailio:kamailiorw@localhost/kamailio"),
		i("timer_interval", 60), i("db_mode", 0), i("db_load", 1), i("db_insert_update", 0),
		i("use_domain", 0), i("desc_time_order", 0), s("user_agent_column", "user_agent"),
		s("received_column", "received"), s("path_column", "path"), s("socket_column", "socket"),
		s("methods_column", "methods"), s("instance_column", "instance"), s("reg_id_column", "reg_id"),
		s("server_id_column", "server_id"), s("connection_id_column", "connection_id"),
		s("keepalive_column", "keepalive"), s("partition_column", "partition"),
		i("matching_mode", MatchContact), i("cseq_delay", 20), i("fetch_rows", 2000),
		i("hash_size", 10), i("nat_bflag", -1), i("handle_lost_tcp", 0), i("close_expired_tcp", 0),
		i("skip_remote_socket", 0),
		{Name: "preload", Type: module.ParamStr, Multi: true},
		i("db_update_as_insert", 0), i("timer_procs", 0), i("db_check_update", 0),
		{Name: "xavp_contact", Type: module.ParamStr},
		i("db_ops_ruid", 1), i("expires_type", 0), i("db_raw_fetch_type", 0), i("db_insert_null", 0),
		i("server_id_filter", 0), i("db_timer_clean", 0), i("rm_expired_delay", 0), i("version_table", 1),
		i("ka_mode", 0), s("ka_from", "sip:server@kamailio.org"), s("ka_domain", "kamailio.org"),
		s("ka_method", "OPTIONS"), i("ka_filter", 0), i("ka_timeout", 0), i("ka_loglevel", 255),
		s("ka_logmsg", " to-uri: [$tu] remote-addr: [$sas]"), i("load_rank", 0), i("db_clean_tcp", 0),
	}
}()

// Exports implements module.Exporter. ul_bind_usrloc is the API other C
// modules bind with, not a script function; kamgo's modules use the
// exported methods of Module instead.
func (m *Module) Exports() module.Exports { return module.Exports{Params: params} }

// SetParam implements module.ParamSetter.
func (m *Module) SetParam(name string, v value.Value) error {
	if name == "preload" {
		m.pre = append(m.pre, v.S)
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

// Provision implements module.Provisioner: it refuses what needs a
// database, fixes the flag and table size, compiles the keepalive log
// format and registers the preloaded tables.
func (m *Module) Provision(h module.Host) error {
	m.host, m.log = h, h.Log()
	if n := m.ints["db_mode"]; n != 0 {
		return fmt.Errorf("db_mode %d needs a database: kamgo has no database layer, only db_mode 0 (in memory) runs", n)
	}
	if m.ints["rm_expired_delay"] != 0 {
		m.log.Log(klog.Err, Name, "mod_init(): rm expired delay feature is available for db only mode")
		return fmt.Errorf("rm_expired_delay needs db_mode 3")
	}
	if m.ints["ka_mode"] != 0 && m.strs["ka_logmsg"] != "" {
		f, err := h.CompileFormat(m.strs["ka_logmsg"], diag.Range{})
		if err != nil {
			m.log.Log(klog.Err, Name, "mod_init(): failed parsing ka log message format")
			return fmt.Errorf("failed parsing ka log message format: %v", err)
		}
		m.ka.logfmt = f
	}
	if hs := m.ints["hash_size"]; hs <= 1 {
		m.size = 512
	} else if hs < 20 {
		m.size = 1 << hs
	} else {
		m.size = 1 << 20
	}
	switch mm := m.ints["matching_mode"]; mm {
	case MatchContact, MatchContactCallID, MatchContactPath, MatchCallID:
	default:
		m.log.Logf(klog.Err, Name, "mod_init(): invalid matching mode %d", mm)
	}
	switch nb := m.ints["nat_bflag"]; {
	case nb == -1:
		m.natBflag = 0
	case nb < 0 || nb >= 32:
		m.log.Logf(klog.Err, Name, "mod_init(): bflag index (%d) too big!", uint32(nb))
		return fmt.Errorf("bflag index (%d) too big", uint32(nb))
	default:
		m.natBflag = 1 << nb
	}
	for _, name := range m.pre {
		m.Register(name)
	}
	return nil
}

// Start implements module.Starter: the expiry timer runs every
// timer_interval seconds (never with 0 or less, as in Kamailio).
func (m *Module) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = false
	if iv := m.ints["timer_interval"]; iv > 0 {
		m.arm(time.Duration(iv) * time.Second)
	}
	return nil
}

// Stop implements module.Starter.
func (m *Module) Stop(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
	return nil
}

// arm schedules the next expiry run. m.mu must be held.
func (m *Module) arm(d time.Duration) {
	m.stop = m.clock.AfterFunc(d, func() {
		m.Expire()
		m.mu.Lock()
		defer m.mu.Unlock()
		if !m.stopped {
			m.arm(d)
		}
	})
}

// Register returns the table name, creating it when it is new (Kamailio's
// register_udomain, which registrar's fixups call for their first
// argument).
func (m *Module) Register(name string) *Domain {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d, ok := m.domains[name]; ok {
		return d
	}
	d := newDomain(m, name)
	m.domains[name] = d
	return d
}

// Domain returns a registered table.
func (m *Module) Domain(name string) (*Domain, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.domains[name]
	return d, ok
}

// UseDomain reports whether addresses of record include the domain
// (use_domain).
func (m *Module) UseDomain() bool { return m.ints["use_domain"] != 0 }

// NatFlag is the branch flag mask that marks a contact behind NAT
// (nat_bflag), 0 when unset.
func (m *Module) NatFlag() uint32 { return m.natBflag }

// XavpContact is the name of the XAVP whose fields are stored with each
// contact saved and restored by lookup (xavp_contact), "" when unset.
func (m *Module) XavpContact() string { return m.strs["xavp_contact"] }

// OnExpired adds f to the functions called, outside any lock, with a copy
// of each contact the timer removes (Kamailio's UL_CONTACT_EXPIRE
// callback).
func (m *Module) OnExpired(f func(c *Contact)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expired = append(m.expired, f)
}

// Now is the current time on the module's clock, in Unix seconds: the
// time expiry is measured against.
func (m *Module) Now() int64 { return m.clock.Now().Unix() }

// SetClock makes the module's time and timer run on c (tests give it a
// clock they advance by hand). Call it before Start.
func (m *Module) SetClock(c Clock) { m.clock = c }

// NewRuid returns a new unique contact id, shaped as Kamailio's:
// "uloc-<hex time>-<hex pid>-" (the time of the first id), then a
// counter in hex digits, lowest first.
func (m *Module) NewRuid() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ruidBase == "" {
		m.ruidBase = fmt.Sprintf("uloc-%x-%x-", uint32(m.clock.Now().Unix()), pid)
	}
	m.ruidSeq++
	if m.ruidSeq == 0 {
		m.ruidSeq = 1
	}
	b := []byte(m.ruidBase)
	for n := m.ruidSeq; n != 0; n >>= 4 {
		b = append(b, "0123456789abcdef"[n&0xf])
	}
	return string(b)
}

var (
	_ module.Module        = (*Module)(nil)
	_ module.Exporter      = (*Module)(nil)
	_ module.ParamSetter   = (*Module)(nil)
	_ module.Provisioner   = (*Module)(nil)
	_ module.Starter       = (*Module)(nil)
	_ sip.Layer            = (*Module)(nil)
	_ module.MetricsWriter = (*Module)(nil)
)
