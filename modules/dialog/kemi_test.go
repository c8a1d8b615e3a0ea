package dialog_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/siptest"
	_ "github.com/kamgo/kamgo/modules/app_lua"
)

// kemiLua is a Lua routing script using KSR.dialog: the same call as the
// native scenarios, with the profile, variable, flag, property and
// timeout functions, and the dialog events through event_callback.
const kemiLua = `
function ksr_request_route()
	local rm = KSR.pv.get("$rm")
	if not KSR.pv.is_null("$tt") then
		if KSR.rr.loose_route() > 0 then
			KSR.info("within " .. rm .. " known=" .. KSR.dialog.is_known_dlg() .. " var=" .. tostring(KSR.dialog.var_get("k")) .. "\n")
			if rm == "INFO" then
				KSR.info("getw=" .. KSR.dialog.var_getw("nope") .. " gete=[" .. KSR.dialog.var_gete("nope") .. "] isnull=" .. KSR.dialog.var_is_null("nope") .. "/" .. KSR.dialog.var_is_null("k") .. "\n")
				KSR.dialog.var_rm("k")
				KSR.info("after rm var=" .. tostring(KSR.dialog.var_get("k")) .. "\n")
				KSR.info("flag5=" .. KSR.dialog.dlg_isflagset(5) .. " size=" .. KSR.dialog.get_profile_size_static("calls", "$var(n)") .. " n=" .. KSR.pv.get("$var(n)") .. "\n")
				KSR.info("valued=" .. KSR.dialog.get_profile_size("caller", "alice", "$var(a)") .. " a=" .. KSR.pv.get("$var(a)") .. "\n")
				KSR.info("timeout=" .. KSR.dialog.dlg_set_timeout(300) .. " lifetime=" .. KSR.pv.get("$dlg(lifetime)") .. "\n")
				KSR.info("get=" .. KSR.dialog.dlg_get(KSR.pv.get("$ci"), KSR.pv.get("$ft"), KSR.pv.get("$tt")) .. " bad=" .. KSR.dialog.dlg_get(KSR.pv.get("$ci"), "x", "") .. "\n")
			end
			KSR.tm.t_relay()
			return
		end
		if rm == "ACK" then
			if KSR.tm.t_check_trans() > 0 then
				KSR.tm.t_relay()
			end
			return
		end
		KSR.sl.sl_send_reply(404, "Not here")
		return
	end
	if rm == "INVITE" then
		KSR.rr.record_route()
		KSR.info("manage=" .. KSR.dialog.dlg_manage() .. "\n")
		KSR.dialog.set_dlg_profile_static("calls")
		KSR.dialog.set_dlg_profile("caller", KSR.pv.get("$fU"))
		KSR.info("in=" .. KSR.dialog.is_in_profile_static("calls") .. "/" .. KSR.dialog.is_in_profile("caller", "alice") .. "/" .. KSR.dialog.is_in_profile("caller", "bob") .. "\n")
		KSR.dialog.var_sets("k", "v1")
		KSR.dialog.dlg_setflag(5)
		KSR.dialog.dlg_setflag(6)
		KSR.dialog.dlg_resetflag(6)
		KSR.info("prop=" .. KSR.dialog.dlg_set_property("ka-src") .. "/" .. KSR.dialog.dlg_set_property("nope") .. "/" .. KSR.dialog.dlg_reset_property("ka-src") .. "\n")
		KSR.info("db=" .. KSR.dialog.dlg_db_load_callid("x") .. "/" .. KSR.dialog.dlg_db_load_extra() .. "\n")
	end
	KSR.pv.sets("$du", "sip:127.0.0.1:UAS1")
	KSR.tm.t_relay()
end

function ksr_dialog_event(evname)
	KSR.info("event " .. evname .. " " .. KSR.pv.get("$dlg(callid)") .. " state=" .. KSR.pv.get("$dlg(state)") .. " sflags=" .. KSR.pv.get("$dlg(sflags)") .. "\n")
end
`

// kemiConfig loads the Lua script (LUA is its path).
const kemiConfig = `loadmodule "app_lua.so"
modparam("app_lua", "load", "LUA")
modparam("dialog", "profiles_no_value", "calls")
modparam("dialog", "profiles_with_value", "caller")
modparam("dialog", "event_callback", "ksr_dialog_event")
cfgengine "lua"
`

// kemiScenario runs a call through the Lua script.
func kemiScenario(t *testing.T, tg target, a, b *siptest.UA) []string {
	ok, _ := call(t, tg, a, b, "call-kemi")
	tg.WaitLog(t, `within ACK`, 1)
	req := within(a, "INFO", "call-kemi", 11, "b-call-kemi", ok.HeaderValues("record-route"), contactOf(ok))
	a.SendTo(tg.SIPAddr(), req)
	info := b.RecvMethod("INFO")
	b.SendTo(tg.SIPAddr(), reply(b, info, 200, "OK", ""))
	a.RecvStatus(200)
	var out []string
	for _, l := range listed(t, tg, "dlg.list") {
		// Kamailio's count here includes references some of its KSR
		// functions take and leave; kamgo counts the table's and the
		// timer's
		if i := strings.Index(l, ".ref = "); i >= 0 {
			l = l[:i] + ".ref = N"
		}
		out = append(out, l)
	}
	hangup(t, tg, a, b, "call-kemi", ok)
	tg.WaitLog(t, `event dialog:end`, 1)
	var lines []string
	for _, l := range tg.Lines() {
		// KSR.info's lines
		if l, ok := strings.CutPrefix(l, "INFO: core: sr_kemi_core_info(): "); ok {
			lines = append(lines, mask(l))
		}
	}
	return append(out, lines...)
}

// kemiConfigFor writes the script and returns the configuration naming it.
func kemiConfigFor(t *testing.T, uas *siptest.UA) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dialog.lua")
	lua := strings.ReplaceAll(kemiLua, "UAS1", strconv.Itoa(uas.Port()))
	if err := os.WriteFile(path, []byte(lua), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(kemiConfig, "LUA", path)
}

func TestKEMIScenario(t *testing.T) {
	a, b := siptest.NewUA(t, "caller"), siptest.NewUA(t, "callee")
	tg := startKamgo(t, kemiConfigFor(t, b), b)
	got := kemiScenario(t, tg, a, b)
	sc := scenario{name: "kemi"}
	if want := sc.want(t); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("kamgo:\n  %s\nKamailio (recorded):\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
