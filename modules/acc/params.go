package acc

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// config holds the module parameters, with Kamailio 5.6.3's defaults.
// Parameters of the database and CDR backends are kept so that a
// configuration setting them loads when the backend stays off.
type config struct {
	earlyMedia            int64
	failedTransactionFlag int64
	failedFilter          string
	reportAck             int64
	reportCancels         int64
	multiLegInfo          string
	detectDirection       int64
	prepareFlag           int64
	prepareAlways         int64
	reasonFromHF          int64
	extraNullable         int64

	logFlag       int64
	logMissedFlag int64
	logLevel      int64
	logFacility   string
	logExtra      string

	cdrEnable           int64
	cdrExtraNullable    int64
	cdrExpiredDlgEnable int64
	cdrDurationMode     int64

	dbFlag       int64
	dbMissedFlag int64
	dbURL        string

	timeMode   int64
	timeAttr   string
	timeExten  string
	timeFormat string

	extraSize int64

	// other holds the parameters that only configure the backends kamgo
	// does not run (columns, tables, CDR names ...).
	other map[string]value.Value
}

// paramDef is one parameter as Kamailio's export table declares it.
type paramDef struct {
	name string
	typ  module.ParamType
	def  value.Value
	ext  string // the release that added it, "" for 5.6's
}

func i(n int64) value.Value  { return value.MakeInt(n) }
func s(t string) value.Value { return value.MakeStr(t) }

// paramDefs are acc's parameters in Kamailio 5.6.3's order. A string
// parameter Kamailio leaves NULL has no default.
var paramDefs = []paramDef{
	{"early_media", module.ParamInt, i(0), ""},
	{"failed_transaction_flag", module.ParamInt, i(-1), ""},
	{"failed_filter", module.ParamStr, value.Value{}, ""},
	{"report_ack", module.ParamInt, i(0), ""},
	{"report_cancels", module.ParamInt, i(0), ""},
	{"multi_leg_info", module.ParamStr, value.Value{}, ""},
	{"detect_direction", module.ParamInt, i(0), ""},
	{"acc_prepare_flag", module.ParamInt, i(-1), ""},
	{"acc_prepare_always", module.ParamInt, i(0), ""},
	{"reason_from_hf", module.ParamInt, i(0), ""},
	{"acc_extra_nullable", module.ParamInt, i(0), ""},
	{"log_flag", module.ParamInt, i(-1), ""},
	{"log_missed_flag", module.ParamInt, i(-1), ""},
	{"log_level", module.ParamInt, i(1), ""},
	{"log_facility", module.ParamStr, value.Value{}, ""},
	{"log_extra", module.ParamStr, value.Value{}, ""},
	{"cdr_enable", module.ParamInt, i(0), ""},
	{"cdr_skip", module.ParamStr, value.Value{}, ""},
	{"cdr_log_enable", module.ParamInt, i(1), ""},
	{"cdr_start_on_confirmed", module.ParamInt, i(0), ""},
	{"cdr_facility", module.ParamStr, value.Value{}, ""},
	{"cdr_extra", module.ParamStr, value.Value{}, ""},
	{"cdr_extra_nullable", module.ParamInt, i(0), ""},
	{"cdr_start_id", module.ParamStr, s("start_time"), ""},
	{"cdr_end_id", module.ParamStr, s("end_time"), ""},
	{"cdr_duration_id", module.ParamStr, s("duration"), ""},
	{"cdr_expired_dlg_enable", module.ParamInt, i(0), ""},
	{"db_flag", module.ParamInt, i(-1), ""},
	{"db_missed_flag", module.ParamInt, i(-1), ""},
	{"db_extra", module.ParamStr, value.Value{}, ""},
	{"db_url", module.ParamStr, value.Value{}, ""},
	{"db_table_acc", module.ParamStr, s("acc"), ""},
	{"db_table_missed_calls", module.ParamStr, s("missed_calls"), ""},
	{"acc_method_column", module.ParamStr, s("method"), ""},
	{"acc_from_tag_column", module.ParamStr, s("from_tag"), ""},
	{"acc_to_tag_column", module.ParamStr, s("to_tag"), ""},
	{"acc_callid_column", module.ParamStr, s("callid"), ""},
	{"acc_sip_code_column", module.ParamStr, s("sip_code"), ""},
	{"acc_sip_reason_column", module.ParamStr, s("sip_reason"), ""},
	{"acc_time_column", module.ParamStr, s("time"), ""},
	{"db_insert_mode", module.ParamInt, i(0), ""},
	{"time_mode", module.ParamInt, i(0), ""},
	{"time_attr", module.ParamStr, s("time_attr"), ""},
	{"time_exten", module.ParamStr, s("time_exten"), ""},
	{"cdrs_table", module.ParamStr, s(""), ""},
	{"time_format", module.ParamStr, s("%Y-%m-%d %H:%M:%S"), ""},
	{"clone_msg", module.ParamInt, i(1), ""},
	{"cdr_on_failed", module.ParamInt, i(1), ""},
	{"acc_extra_size", module.ParamInt, i(maxExtra), ""},
	{"cdr_extra_size", module.ParamInt, i(maxExtra), ""},
	{"cdr_duration_mode", module.ParamInt, i(1), "Kamailio 6.1"},
	{"db_version_check", module.ParamInt, i(1), "Kamailio 6.1"},
}

// maxExtra is Kamailio's MAX_ACC_EXTRA (and MAX_CDR_EXTRA); maxLegs its
// MAX_ACC_LEG.
const (
	maxExtra = 64
	maxLegs  = 16
)

func defaultConfig() config {
	return config{
		failedTransactionFlag: -1, prepareFlag: -1,
		logFlag: -1, logMissedFlag: -1, logLevel: 1,
		dbFlag: -1, dbMissedFlag: -1,
		timeAttr: "time_attr", timeExten: "time_exten", timeFormat: "%Y-%m-%d %H:%M:%S",
		extraSize: maxExtra, cdrDurationMode: 1,
		other: map[string]value.Value{},
	}
}

// set stores one modparam value.
func (c *config) set(name string, v value.Value) error {
	ints := map[string]*int64{
		"early_media": &c.earlyMedia, "failed_transaction_flag": &c.failedTransactionFlag,
		"report_ack": &c.reportAck, "report_cancels": &c.reportCancels,
		"detect_direction": &c.detectDirection, "acc_prepare_flag": &c.prepareFlag,
		"acc_prepare_always": &c.prepareAlways, "reason_from_hf": &c.reasonFromHF,
		"acc_extra_nullable": &c.extraNullable, "log_flag": &c.logFlag,
		"log_missed_flag": &c.logMissedFlag, "log_level": &c.logLevel,
		"cdr_enable": &c.cdrEnable, "cdr_extra_nullable": &c.cdrExtraNullable,
		"cdr_expired_dlg_enable": &c.cdrExpiredDlgEnable, "db_flag": &c.dbFlag,
		"db_missed_flag": &c.dbMissedFlag, "time_mode": &c.timeMode,
		"acc_extra_size": &c.extraSize, "cdr_duration_mode": &c.cdrDurationMode,
	}
	strs := map[string]*string{
		"failed_filter": &c.failedFilter, "multi_leg_info": &c.multiLegInfo,
		"log_facility": &c.logFacility, "log_extra": &c.logExtra, "db_url": &c.dbURL,
		"time_attr": &c.timeAttr, "time_exten": &c.timeExten, "time_format": &c.timeFormat,
	}
	if p, ok := ints[name]; ok {
		*p = v.I
		return nil
	}
	if p, ok := strs[name]; ok {
		*p = v.String()
		return nil
	}
	for _, d := range paramDefs {
		if d.name == name {
			c.other[name] = v
			return nil
		}
	}
	return fmt.Errorf("unknown parameter %s", name)
}

// facilities are the syslog facility names Kamailio's str2facility knows.
var facilities = []string{"LOG_AUTH", "LOG_CRON", "LOG_DAEMON", "LOG_KERN",
	"LOG_LOCAL0", "LOG_LOCAL1", "LOG_LOCAL2", "LOG_LOCAL3", "LOG_LOCAL4", "LOG_LOCAL5",
	"LOG_LOCAL6", "LOG_LOCAL7", "LOG_LPR", "LOG_MAIL", "LOG_NEWS", "LOG_USER", "LOG_UUCP",
	"LOG_AUTHPRIV", "LOG_FTP", "LOG_SYSLOG"}

// isFacility reports whether s names a syslog facility. kamgo's log has
// no facility: the name is checked and otherwise has no effect.
func isFacility(s string) bool {
	for _, f := range facilities {
		if f == s {
			return true
		}
	}
	return false
}

// maxFilter is Kamailio's MAX_FAILED_FILTER_COUNT.
const maxFilter = 15

// parseFailedFilter reads failed_filter: comma-separated three-digit
// codes, each at least 300.
func parseFailedFilter(text string) ([]int, error) {
	var out []int
	rest := text
	for {
		if len(out) >= maxFilter {
			return nil, fmt.Errorf("too many elements in failed_filter")
		}
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n != 3 {
			return nil, fmt.Errorf("respose code in failed_filter must have 3 digits")
		}
		code := int(rest[0]-'0')*100 + int(rest[1]-'0')*10 + int(rest[2]-'0')
		if code < 300 {
			return nil, fmt.Errorf("invalid respose code %d in failed_filter", code)
		}
		out = append(out, code)
		rest = rest[3:]
		if rest == "" {
			return out, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("response code is not followed by comma or end of string")
		}
		rest = rest[1:]
	}
}
