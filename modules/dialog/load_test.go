package dialog_test

import (
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
)

// loadOnly loads header+cfg without sockets; it returns the check, load
// or start error text, "" when the server started.
func loadOnly(t *testing.T, cfg string) string {
	t.Helper()
	refusal, _ := siptest.Refusal(t, header+cfg, siptest.Options{Name: "dialog.cfg"})
	return refusal
}

// loadCases are configurations Kamailio 5.6.3 refuses to start (its
// mod_init checks and fixups), with a word of kamgo's reason, and some it
// starts.
var loadCases = []struct {
	name, cfg, err string
}{
	{"defaults", "request_route { dlg_manage(); }\n", ""},
	{"db_mode", `modparam("dialog", "db_mode", 1)` + "\n", "db_mode"},
	{"default_timeout", `modparam("dialog", "default_timeout", 0)` + "\n", "default_timeout"},
	{"match_mode", `modparam("dialog", "dlg_match_mode", 3)` + "\n", "seq_match_mode"},
	{"ka_interval", `modparam("dialog", "ka_interval", 10)` + "\n", "ka interval"},
	{"rr_param", `modparam("dialog", "rr_param", "")` + "\n", "rr_param"},
	{"dlg_flag", `modparam("dialog", "dlg_flag", 40)` + "\n", "dlg flag"},
	{"detect_spirals", `modparam("dialog", "detect_spirals", 2)` + "\n", "detect_spirals"},
	{"timeout_noreset", `modparam("dialog", "timeout_noreset", 2)` + "\n", "timeout_noreset"},
	{"keep_proxy_rr", `modparam("dialog", "keep_proxy_rr", 4)` + "\n", "keep_proxy_rr"},
	{"timeout_avp", `modparam("dialog", "timeout_avp", "$var(x)")` + "\n", ""},
	{"timeout_avp_bad", `modparam("dialog", "timeout_avp", "$nosuch(x)")` + "\n", "timeout"},
	{"profile_name", `modparam("dialog", "profiles_no_value", "a-b")` + "\n", "profiles"},
	{"profile_dup", `modparam("dialog", "profiles_no_value", "a;a")` + "\n", "profiles"},
	{"no_profile", "request_route { set_dlg_profile(\"nosuch\"); }\n", "not defined"},
	{"bye_side", "request_route { dlg_bye(\"both\"); }\n", "invalid param"},
	{"refer_side", "request_route { dlg_refer(\"all\", \"sip:x@y\"); }\n", "invalid param"},
	{"size_result", "modparam(\"dialog\", \"profiles_no_value\", \"p\")\nrequest_route { get_profile_size(\"p\", \"$ru\"); }\n", "AVP or SCRIPT VAR"},
	{"profiles", "modparam(\"dialog\", \"profiles_no_value\", \"a; b_1 ;\")\nmodparam(\"dialog\", \"profiles_with_value\", \"v\")\n" +
		"request_route { set_dlg_profile(\"a\"); set_dlg_profile(\"v\", \"$fU\"); is_in_profile(\"b_1\"); }\n", ""},
	{"ctx_flags", "request_route { xlog(\"$dlg_ctx(flags)\\n\"); }\n", "flags"},
	{"hash_size", `modparam("dialog", "hash_size", 1000)` + "\n", "hash table"},
	{"hash_size_pow2", `modparam("dialog", "hash_size", 1024)` + "\n", ""},
	{"hash_size_zero", `modparam("dialog", "hash_size", 0)` + "\n", ""},
}

func TestLoad(t *testing.T) {
	for _, tc := range loadCases {
		t.Run(tc.name, func(t *testing.T) {
			got := loadOnly(t, tc.cfg)
			if tc.err == "" && got != "" {
				t.Fatalf("refused: %s", got)
			}
			if tc.err != "" && !strings.Contains(got, tc.err) {
				t.Fatalf("error %q, want one about %q", got, tc.err)
			}
		})
	}
}
