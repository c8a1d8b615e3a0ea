package dialog

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// Sequential request matching modes (dlg_match_mode).
const (
	matchDID      = 0 // the did Route parameter only
	matchFallback = 1 // the did parameter, else Call-ID and tags
	matchNoID     = 2 // Call-ID and tags only
)

// config holds the parameters, with Kamailio 5.6.3's defaults.
type config struct {
	enableStats        int64
	hashSize           int64
	rrParam            string
	dlgFlag            int64
	timeoutAVP         string
	defaultTimeout     int64
	extraHdrs          string
	matchMode          int64
	detectSpirals      int64
	dbURL              string
	dbMode             int64
	profilesWithValue  string
	profilesNoValue    string
	bridgeController   string
	bridgeContact      string
	ruriPvar           string
	initialCbsInscript int64
	sendBye            int64
	waitAck            int64
	xavpCfg            string
	kaTimer            int64
	kaInterval         int64
	timeoutNoreset     int64
	timerProcs         int64
	trackCSeq          int64
	lreqCalleeHeaders  string
	kaFailedLimit      int64
	enableDMQ          int64
	eventCallback      string
	earlyTimeout       int64
	noackTimeout       int64
	endTimeout         int64
	hIDStart           int64
	hIDStep            int64
	keepProxyRR        int64
	filterMode         int64
	// the database parameters are kept only to be accepted (db_mode 0)
	db map[string]value.Value
}

type paramDef struct {
	name string
	typ  module.ParamType
	def  value.Value
}

func iDef(name string, v int64) paramDef {
	return paramDef{name: name, typ: module.ParamInt, def: value.MakeInt(v)}
}

func sDef(name, v string) paramDef {
	return paramDef{name: name, typ: module.ParamStr, def: value.MakeStr(v)}
}

// paramDefs are the parameters of Kamailio 5.6.3's dialog, in its order.
var paramDefs = []paramDef{
	iDef("enable_stats", 1),
	iDef("hash_size", 4096),
	sDef("rr_param", "did"),
	iDef("dlg_flag", -1),
	sDef("timeout_avp", ""),
	iDef("default_timeout", 43200),
	sDef("dlg_extra_hdrs", ""),
	iDef("dlg_match_mode", matchDID),
	iDef("detect_spirals", 1),
	sDef("db_url", "mysql://kamailio:kamailiorw@localhost/kamailio"),
	iDef("db_mode", 0),
	sDef("table_name", "dialog"),
	sDef("call_id_column", "callid"),
	sDef("from_uri_column", "from_uri"),
	sDef("from_tag_column", "from_tag"),
	sDef("to_uri_column", "to_uri"),
	sDef("to_tag_column", "to_tag"),
	sDef("h_id_column", "hash_id"),
	sDef("h_entry_column", "hash_entry"),
	sDef("state_column", "state"),
	sDef("start_time_column", "start_time"),
	sDef("timeout_column", "timeout"),
	sDef("to_cseq_column", "callee_cseq"),
	sDef("from_cseq_column", "caller_cseq"),
	sDef("to_route_column", "callee_route_set"),
	sDef("from_route_column", "caller_route_set"),
	sDef("to_contact_column", "callee_contact"),
	sDef("from_contact_column", "caller_contact"),
	sDef("to_sock_column", "callee_sock"),
	sDef("from_sock_column", "caller_sock"),
	sDef("sflags_column", "sflags"),
	sDef("toroute_name_column", "toroute_name"),
	sDef("vars_table_name", "dialog_vars"),
	sDef("vars_h_id_column", "hash_id"),
	sDef("vars_h_entry_column", "hash_entry"),
	sDef("vars_key_column", "dialog_key"),
	sDef("vars_value_column", "dialog_value"),
	iDef("db_update_period", 60),
	iDef("db_fetch_rows", 200),
	sDef("profiles_with_value", ""),
	sDef("profiles_no_value", ""),
	sDef("bridge_controller", "sip:controller@kamailio.org"),
	sDef("bridge_contact", "sip:controller@kamailio.org:5060"),
	sDef("ruri_pvar", "$ru"),
	iDef("initial_cbs_inscript", 1),
	iDef("send_bye", 0),
	iDef("wait_ack", 1),
	sDef("xavp_cfg", ""),
	iDef("ka_timer", 0),
	iDef("ka_interval", 0),
	iDef("timeout_noreset", 0),
	iDef("timer_procs", 0),
	iDef("track_cseq_updates", 0),
	sDef("lreq_callee_headers", ""),
	iDef("db_skip_load", 0),
	iDef("ka_failed_limit", 1),
	iDef("enable_dmq", 0),
	sDef("event_callback", ""),
	iDef("early_timeout", 300),
	iDef("noack_timeout", 60),
	iDef("end_timeout", 300),
	iDef("h_id_start", 0),
	iDef("h_id_step", 1),
	iDef("keep_proxy_rr", 0),
	iDef("dlg_filter_mode", 0),
}

func defaultConfig() config {
	c := config{db: map[string]value.Value{}}
	for _, d := range paramDefs {
		_ = c.set(d.name, d.def)
	}
	return c
}

// set stores one modparam value.
func (c *config) set(name string, v value.Value) error {
	ints := map[string]*int64{
		"enable_stats": &c.enableStats, "hash_size": &c.hashSize, "dlg_flag": &c.dlgFlag,
		"default_timeout": &c.defaultTimeout, "dlg_match_mode": &c.matchMode,
		"detect_spirals": &c.detectSpirals, "db_mode": &c.dbMode,
		"initial_cbs_inscript": &c.initialCbsInscript, "send_bye": &c.sendBye,
		"wait_ack": &c.waitAck, "ka_timer": &c.kaTimer, "ka_interval": &c.kaInterval,
		"timeout_noreset": &c.timeoutNoreset, "timer_procs": &c.timerProcs,
		"track_cseq_updates": &c.trackCSeq, "ka_failed_limit": &c.kaFailedLimit,
		"enable_dmq": &c.enableDMQ, "early_timeout": &c.earlyTimeout,
		"noack_timeout": &c.noackTimeout, "end_timeout": &c.endTimeout,
		"h_id_start": &c.hIDStart, "h_id_step": &c.hIDStep,
		"keep_proxy_rr": &c.keepProxyRR, "dlg_filter_mode": &c.filterMode,
	}
	strs := map[string]*string{
		"rr_param": &c.rrParam, "timeout_avp": &c.timeoutAVP, "dlg_extra_hdrs": &c.extraHdrs,
		"db_url": &c.dbURL, "profiles_with_value": &c.profilesWithValue,
		"profiles_no_value": &c.profilesNoValue, "bridge_controller": &c.bridgeController,
		"bridge_contact": &c.bridgeContact, "ruri_pvar": &c.ruriPvar, "xavp_cfg": &c.xavpCfg,
		"lreq_callee_headers": &c.lreqCalleeHeaders, "event_callback": &c.eventCallback,
	}
	if p, ok := ints[name]; ok {
		*p = v.I
		return nil
	}
	if p, ok := strs[name]; ok {
		*p = v.String()
		if v.IsNull() {
			*p = ""
		}
		return nil
	}
	for _, d := range paramDefs {
		if d.name == name {
			c.db[name] = v
			return nil
		}
	}
	return fmt.Errorf("unknown parameter %s", name)
}
