package acc_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/linelog"
	"github.com/kamgo/kamgo/internal/siptest"
	"github.com/kamgo/kamgo/lang/check"
	"github.com/kamgo/kamgo/lang/preproc"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/server"
)

// load loads header+cfg in kamgo and returns the load error ("" when it
// loads) and the log.
func load(t *testing.T, cfg string) (string, string) {
	t.Helper()
	src := strings.ReplaceAll(header+cfg, siptest.SIPPort, "5999")
	an, diags, _ := check.AnalyzeSource("acc.cfg", []byte(src), preproc.Options{}, module.Catalog())
	if diags.HasErrors() {
		return diags.Error(), ""
	}
	ll := &linelog.Log{}
	_, ld := server.Load(an, server.Options{Log: klog.New(ll, klog.Text)})
	if ld.HasErrors() {
		return ld.Error(), ll.Text()
	}
	return "", ll.Text()
}

// TestLoad checks which configurations acc loads with: the backends kamgo
// does not have are refused with a message that names them; their
// parameters are accepted while they stay off. Kamailio's own verdicts
// for the log backend's parameters are conformance cases
// (spec/conformance/modules/acc/startup).
func TestLoad(t *testing.T) {
	const route = "request_route {\n\tacc_log_request(\"200 ok\");\n}\n"
	tests := []struct {
		name, cfg string
		wantErr   string // "" loads
		wantLog   string
	}{
		{"db_url", `modparam("acc", "db_url", "mysql://u:p@localhost/kamailio")` + "\n", "db_url is set, but kamgo has no database backend", ""},
		{"cdr_enable", `modparam("acc", "cdr_enable", 1)` + "\n", "cdr_enable=1 needs the dialog module", ""},
		{"cdr_enable range", `modparam("acc", "cdr_enable", 2)` + "\n", "cdr_enable is out of range", ""},
		{"db_flag alone", `modparam("acc", "db_flag", 1)` + "\n", "", "db_flag and db_missed_flag have no effect without db_url"},
		{"database parameters while off", `modparam("acc", "db_table_acc", "calls")
modparam("acc", "acc_callid_column", "cid")
modparam("acc", "db_extra", "x=$fU")
modparam("acc", "cdr_extra", "y=$tU")
modparam("acc", "cdr_facility", "LOG_LOCAL1")
`, "", ""},
		{"log_flag range", `modparam("acc", "log_flag", 32)` + "\n", "log_flag set to invalid value", ""},
		{"log_missed_flag range", `modparam("acc", "log_missed_flag", -2)` + "\n", "log_missed_flag set to invalid value", ""},
		{"failed_transaction_flag range", `modparam("acc", "failed_transaction_flag", 99)` + "\n", "failed_transaction_flag set to invalid value", ""},
		{"facility", `modparam("acc", "log_facility", "LOG_NOPE")` + "\n", "invalid log facility configured", ""},
		{"facility ok", `modparam("acc", "log_facility", "LOG_LOCAL3")` + "\n", "", ""},
		{"failed_filter", `modparam("acc", "failed_filter", "486,2")` + "\n", "failed to parse failed_filter param", "must have 3 digits"},
		{"log_extra", `modparam("acc", "log_extra", "a=$fU;b")` + "\n", "failed to parse log_extra param", "parse failed in <a=$fU;b>"},
		{"multi_leg_info", `modparam("acc", "multi_leg_info", "a=$fU")` + "\n", "failed to parse multileg_info param", "only AVP are accepted"},
		{"detect_direction", `modparam("acc", "detect_direction", 1)` + "\n", "", ""},
		{"detect_direction without append_fromtag", `modparam("acc", "detect_direction", 1)
modparam("rr", "append_fromtag", 0)
`, "'append_fromtag' RR param is not enabled", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err, log := load(t, tc.cfg+route)
			switch {
			case tc.wantErr == "" && err != "":
				t.Fatalf("does not load: %s", err)
			case tc.wantErr != "" && !strings.Contains(err, tc.wantErr):
				t.Fatalf("error %q, want %q", err, tc.wantErr)
			}
			if tc.wantLog != "" && !strings.Contains(log, tc.wantLog) {
				t.Errorf("log %q lacks %q", log, tc.wantLog)
			}
		})
	}
	if err, _ := load(t, `request_route {
	acc_log_request("");
}
`); !strings.Contains(err, "first parameter is empty") {
		t.Errorf("acc_log_request(\"\"): %q", err)
	}
}
