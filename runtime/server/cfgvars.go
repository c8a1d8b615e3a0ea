package server

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/cfgvars"
	"github.com/kamgo/kamgo/runtime/interp"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/value"
)

// The server's configuration framework (runtime/cfgvars): the "core"
// and "tcp" groups, built from the core parameters when the store is first asked
// for (modules declare their groups in Provision through the host), and
// the groups the configuration file declares, added by loadCfg once the
// modules are provisioned.

// CodeCfgVar: the configuration file declares a variable, or gives a
// group instance a value, that Kamailio refuses when it starts.
const CodeCfgVar = "KC2120"

func init() {
	diag.Register("runtime/server", diag.Code{
		ID:    CodeCfgVar,
		Title: "configuration variable refused",
		Explain: `The configuration file declares a variable of a configuration group
(group.name = value desc "text") or gives one to a group instance
(group[id].name = value), and Kamailio refuses it when it starts: the group
is the core's or a module's, the variable is declared twice, the instance
names a group nobody declares or a variable the group does not have, or the
value does not convert to the variable's type. kamgo run refuses the config.`,
		Example: `core.foo = 1
request_route {
	drop;
}`,
		Fix: `mine.foo = 1
request_route {
	drop;
}`,
	})
}

// Cfg is the server's store of configuration groups, made with the core
// group on first use (modules may declare theirs while they provision).
func (s *Server) Cfg() *cfgvars.Store {
	s.cfgOnce.Do(func() {
		s.cfg = cfgvars.New(s.log)
		// The tables are kamgo's own: a failure is a bug in them.
		if err := s.declareCore(s.cfg); err != nil {
			s.log.Log(klog.Crit, "core", err.Error())
		}
		if err := s.declareTCP(s.cfg); err != nil {
			s.log.Log(klog.Crit, "core", err.Error())
		}
	})
	return s.cfg
}

// Cfg lets modules declare and read configuration groups.
func (h *host) Cfg() *cfgvars.Store { return h.s.Cfg() }

var _ cfgvars.Host = (*host)(nil)

// loadCfg adds the variables the configuration file declares
// (`group.var = value desc "text"`), then the values it gives group
// instances (`group[id].var = value`), which may name a module's group.
func (s *Server) loadCfg(cfg *ast.Config, diags *diag.List) {
	st := s.Cfg()
	var insts []*ast.CfgVar
	for _, it := range cfg.Items {
		n, ok := it.(*ast.CfgVar)
		if !ok {
			continue
		}
		if n.Index >= 0 {
			insts = append(insts, n)
			continue
		}
		if err := st.DeclareVar(n.Group, n.Name, coreValue(n.Value), n.Descr); err != nil {
			diags.Errorf(CodeCfgVar, n.Rng, "variable cannot be declared: %s.%s: %v", n.Group, n.Name, errors.Unwrap(err))
		}
	}
	for _, n := range insts {
		if by, ok := st.Unregistered(n.Group); ok {
			diags.Errorf(interp.CodeNotImplemented, n.Rng, "the configuration group %s (%s) is not registered by kamgo", n.Group, by)
			continue
		}
		if _, ok := st.Group(n.Group); !ok {
			diags.Errorf(CodeCfgVar, n.Rng, "configuration group is declared without any variable: %s", n.Group)
			continue
		}
		t := cfgvars.Target{Group: n.Group, ID: uint32(n.Index), Inst: true}
		if err := st.AddInstance(n.Group, t.ID); err != nil {
			diags.Errorf(CodeCfgVar, n.Rng, "%s: %v", t, err)
			continue
		}
		if err := st.SetNow(t, n.Name, coreValue(n.Value)); err != nil {
			diags.Errorf(CodeCfgVar, n.Rng, "failed to set the value for: %s.%s: %v", t, n.Name, err)
		}
	}
}

// coreVar is one variable of Kamailio 5.6.3's core group (cfg_core.c, as
// Debian builds it: with the DNS cache, the destination blocklist and
// pkg memory), in its order.
type coreVar struct {
	name     string
	min, max int64
	def      int64
	params   []string // the core parameters that set it (default: name)
	descr    string
	// fixup marks the variables Kamailio checks through a callback; they
	// cannot be read back through RPC or selects.
	fixup bool
	input cfgvars.Type // log_facility is set from a name
}

// Kamailio's log levels, for the defaults.
const (
	lErr  = -1
	lWarn = 1
	lDbg  = 3
)

var coreVars = []coreVar{
	{name: "debug", def: lWarn, descr: "Log level: messages above it are not printed"},
	{name: "log_facility", def: 24, fixup: true, input: cfgvars.Str, descr: "Syslog facility of the log lines (LOG_DAEMON, LOG_LOCAL0 ...)"},
	{name: "memdbg", def: lDbg + 1, params: []string{"memdbg", "mem_dbg"}, descr: "Log level of memory debugging lines"},
	{name: "use_dst_blocklist", max: 1, fixup: true, descr: "Whether unreachable destinations are blocklisted (0 or 1)"},
	{name: "dst_blocklist_expire", def: 60, params: []string{"dst_blocklist_expire", "dst_blocklist_ttl"}, descr: "Seconds a destination stays blocklisted"},
	{name: "dst_blocklist_mem", def: 250, fixup: true, descr: "Shared memory, in KB, the blocklist may use"},
	{name: "dst_blocklist_udp_imask", descr: "Blocklist events ignored for UDP (mask)"},
	{name: "dst_blocklist_tcp_imask", descr: "Blocklist events ignored for TCP (mask)"},
	{name: "dst_blocklist_tls_imask", descr: "Blocklist events ignored for TLS (mask)"},
	{name: "dst_blocklist_sctp_imask", descr: "Blocklist events ignored for SCTP (mask)"},
	{name: "dns_try_ipv6", def: 1, max: 1, fixup: true, descr: "Whether DNS lookups ask for IPv6 addresses too (0 or 1)"},
	{name: "dns_try_naptr", max: 1, descr: "Whether DNS lookups try NAPTR records (0 or 1)"},
	{name: "dns_udp_pref", def: 30, params: []string{"dns_udp_pref", "dns_udp_preference"}, descr: "Preference of UDP in NAPTR lookups"},
	{name: "dns_tcp_pref", def: 20, params: []string{"dns_tcp_pref", "dns_tcp_preference"}, descr: "Preference of TCP in NAPTR lookups"},
	{name: "dns_tls_pref", def: 10, params: []string{"dns_tls_pref", "dns_tls_preference"}, descr: "Preference of TLS in NAPTR lookups"},
	{name: "dns_sctp_pref", def: 20, params: []string{"dns_sctp_pref", "dns_sctp_preference"}, descr: "Preference of SCTP in NAPTR lookups"},
	{name: "dns_retr_time", def: -1, descr: "Seconds before a DNS query is sent again"},
	{name: "dns_slow_query_ms", descr: "Milliseconds after which a DNS query is logged as slow"},
	{name: "dns_retr_no", def: -1, descr: "How many times a DNS query is sent again before giving up"},
	{name: "dns_servers_no", def: -1, descr: "How many of the resolv.conf name servers are used"},
	{name: "dns_use_search_list", def: 1, max: 1, descr: "Whether the resolv.conf search list is used (0 or 1)"},
	{name: "dns_search_full_match", def: 1, max: 1, descr: "Whether DNS answers are checked against the search list (0 or 1)"},
	{name: "dns_reinit", min: 1, max: 1, fixup: true, descr: "Set to 1 to restart the DNS resolver"},
	{name: "dns_naptr_ignore_rfc", def: 1, descr: "Whether the NAPTR order field is ignored"},
	{name: "use_dns_cache", def: 1, max: 1, fixup: true, descr: "Whether the DNS cache is used (0 or 1)"},
	{name: "dns_cache_flags", max: 4, descr: "DNS cache resolver flags: 1 IPv4 only, 2 IPv6 only, 4 IPv6 first"},
	{name: "use_dns_failover", max: 1, fixup: true, descr: "Whether sending fails over to the next address or SRV record (0 or 1)"},
	{name: "dns_srv_lb", max: 1, params: []string{"dns_srv_lb", "dns_srv_loadbalancing"}, descr: "Whether SRV records of equal priority share the load by weight (0 or 1)"},
	{name: "dns_cache_negative_ttl", def: 60, descr: "Seconds a failed lookup stays cached (0: not cached)"},
	{name: "dns_cache_min_ttl", descr: "Smallest time to live, in seconds, a cached record gets"},
	{name: "dns_cache_max_ttl", def: -1, descr: "Largest time to live, in seconds, a cached record gets"},
	{name: "dns_cache_mem", def: 500, fixup: true, descr: "Memory, in KB, the DNS cache may use"},
	{name: "dns_cache_del_nonexp", max: 1, params: []string{"dns_cache_del_nonexp", "dns_cache_delete_nonexpired"}, descr: "Whether live records may be dropped when the cache is full (0 or 1)"},
	{name: "dns_cache_rec_pref", max: 3, descr: "Which record wins in the DNS cache: 0 no check, 1 old, 2 new, 3 longer lived"},
	{name: "mem_dump_pkg", descr: "Process id whose private memory is dumped to the log"},
	{name: "mem_dump_shm", fixup: true, descr: "Set to dump the shared memory status to the log"},
	{name: "max_while_loops", def: 100, descr: "Most iterations a while loop may run"},
	{name: "udp_mtu", max: 65535, descr: "Size above which a request is sent over the udp_mtu_try_proto protocol"},
	{name: "udp_mtu_try_proto", min: 1, max: 4, descr: "Protocol for messages above udp_mtu: 1 UDP, 2 TCP, 3 TLS, 4 SCTP"},
	{name: "udp4_raw", min: -1, max: 1, fixup: true, descr: "Whether IPv4 UDP is sent through a raw socket (-1 automatic)"},
	{name: "udp4_raw_mtu", def: 1500, min: 28, max: 65535, descr: "MTU used to fragment packets sent through the raw socket"},
	{name: "udp4_raw_ttl", def: -1, min: -1, max: 255, fixup: true, descr: "IP TTL of packets sent through the raw socket (-1: as for UDP)"},
	{name: "force_rport", max: 1, params: []string{"force_rport", "add_rport"}, descr: "Whether rport is added to every received request (0 or 1)"},
	{name: "memlog", def: lDbg + 1, params: []string{"memlog", "mem_log"}, descr: "Log level of memory status lines"},
	{name: "mem_summary", def: 12, max: 31, descr: "Memory report at exit (flags): 1 pkg blocks, 2 shm blocks, 4 pkg summary, 8 shm summary, 16 short"},
	{name: "mem_safety", def: 1, descr: "Safety checks of memory operations"},
	{name: "mem_join", def: 1, descr: "Whether free memory fragments are joined"},
	{name: "mem_status_mode", descr: "Memory status of free fragments (0) or all (1)"},
	{name: "sip_parser_log_oneline", descr: "Whether a badly parsed message is logged on one line"},
	{name: "sip_parser_log", def: lErr, descr: "Log level of SIP parser errors"},
	{name: "corelog", def: lErr, params: []string{"corelog", "core_log"}, descr: "Log level of the core's non-critical errors"},
	{name: "latency_cfg_log", def: lDbg, descr: "Log level of route block latencies"},
	{name: "latency_log", def: lErr, descr: "Log level of latency alerts"},
	{name: "latency_limit_db", descr: "Milliseconds above which a database command is reported"},
	{name: "latency_limit_action", descr: "Milliseconds above which a configuration action is reported"},
	{name: "latency_limit_cfg", descr: "Milliseconds above which running the configuration is reported"},
	{name: "pv_cache_limit", def: 2048, descr: "Number of cached pseudo-variables above which an alert is raised"},
	{name: "pv_cache_action", descr: "What to do when the pseudo-variable cache is above its limit"},
}

// syslogFacilities are the facility names log_facility takes, with their
// numbers (syslog.h).
var syslogFacilities = map[string]int64{
	"LOG_KERN": 0, "LOG_USER": 8, "LOG_MAIL": 16, "LOG_DAEMON": 24, "LOG_AUTH": 32, "LOG_SYSLOG": 40,
	"LOG_LPR": 48, "LOG_NEWS": 56, "LOG_UUCP": 64, "LOG_CRON": 72, "LOG_AUTHPRIV": 80, "LOG_FTP": 88,
	"LOG_LOCAL0": 128, "LOG_LOCAL1": 136, "LOG_LOCAL2": 144, "LOG_LOCAL3": 152,
	"LOG_LOCAL4": 160, "LOG_LOCAL5": 168, "LOG_LOCAL6": 176, "LOG_LOCAL7": 184,
}

// udpMTUProtos are the protocol words udp_mtu_try_proto takes.
var udpMTUProtos = map[string]int64{"udp": 1, "tcp": 2, "tls": 3, "sctp": 4}

// declareCore declares the core group with the values of the core
// parameters. debug changes the logger's threshold as soon as it is
// committed.
func (s *Server) declareCore(st *cfgvars.Store) error {
	core := *s.core.Load()
	defs := make([]cfgvars.Def, len(coreVars))
	vals := make([]value.Value, len(coreVars))
	for i, cv := range coreVars {
		defs[i] = cfgvars.Def{Name: cv.name, Type: cfgvars.Int, Input: cv.input, Min: cv.min, Max: cv.max, Descr: cv.descr}
		if cv.fixup {
			defs[i].Fixup = accept
		}
		if cv.name == "dns_try_ipv6" {
			defs[i].Fixup, defs[i].OnChange = s.dnsTryIPv6Fixup, s.dnsTryIPv6Changed
		}
		vals[i] = value.MakeInt(cv.def)
		params := cv.params
		if params == nil {
			params = []string{cv.name}
		}
		for _, p := range params {
			if v, ok := core[p]; ok {
				vals[i] = coreInt(cv.name, v, vals[i])
			}
		}
	}
	defs[0].OnChange = func(v value.Value) { s.log.SetThreshold(klog.Level(v.I)) }
	defs[1].Fixup = func(v value.Value) (value.Value, error) {
		n, ok := syslogFacilities[strings.ToUpper(v.S)]
		if !ok {
			s.log.Logf(klog.Err, "core", "invalid log facility: %s", v.S)
			return v, fmt.Errorf("invalid log facility: %s", v.S)
		}
		return value.MakeInt(n), nil
	}
	_, err := st.Declare("core", defs, vals)
	return err
}

// dnsTryIPv6Fixup refuses to turn dns_try_ipv6 on without an IPv6 socket,
// as Kamailio's fixup does.
func (s *Server) dnsTryIPv6Fixup(v value.Value) (value.Value, error) {
	if t := s.sip.Load(); t != nil {
		if err := t.CheckDNSTryIPv6(v.I != 0); err != nil {
			s.log.Logf(klog.Err, "core", "dns_try_ipv6_fixup(): %v", err)
			return v, err
		}
	}
	return v, nil
}

// dnsTryIPv6Changed applies a committed dns_try_ipv6 to the transport (the
// fixup has checked it).
func (s *Server) dnsTryIPv6Changed(v value.Value) {
	if t := s.sip.Load(); t != nil {
		_ = t.SetDNSTryIPv6(v.I != 0)
	}
}

// accept is the fixup of the core variables whose checks belong to
// subsystems kamgo does not have (the DNS cache, the blocklist, raw
// sockets, memory dumps): the value is kept as given.
func accept(v value.Value) (value.Value, error) { return v, nil }

// coreInt is the integer a core parameter gives a core variable; def
// when it is not one.
func coreInt(name string, v, def value.Value) value.Value {
	if v.K == value.Int {
		return value.MakeInt(int64(int32(v.I)))
	}
	s := value.ToStr(v)
	switch name {
	case "log_facility":
		if n, ok := syslogFacilities[strings.ToUpper(s)]; ok {
			return value.MakeInt(n)
		}
	case "udp_mtu_try_proto":
		if n, ok := udpMTUProtos[strings.ToLower(s)]; ok {
			return value.MakeInt(n)
		}
	}
	if n, ok := value.StrToInt(s); ok {
		return value.MakeInt(n)
	}
	return def
}
