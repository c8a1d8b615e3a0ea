package applua_test

// Conformance cases (spec/conformance) with a Lua twin of their
// route[TEST]: the native case and the twin run on kamgo with the same
// messages, and both must give the relays and script log lines Kamailio
// 5.6.3 gave for the native case.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/spec/conformance"
)

// conformanceTwins pairs cases with Lua bodies of ksr_test, which the
// twin's event callback calls where the prelude's event route calls
// route(TEST).
var conformanceTwins = []struct{ name, lua string }{
	{"modules/001-jansson-get", `
function ksr_test()
	if KSR.jansson.get("a", KSR.pv.get("$evapi(msg)"), "$var(a)") > 0 then
		KSR.evapi.relay("a=[" .. KSR.pv.get("$var(a)") .. "]")
	else
		KSR.evapi.relay("no a rc=-1")
	end
end`},
	{"modules/003-jansson-get-types", `
function ksr_test()
	KSR.pv.sets("$var(v)", "none")
	local rc = KSR.jansson.get(KSR.pv.get("$evapi(msg)"), '{"t": true, "n": null, "f": 1.5, "o": {"k": 1}, "big": 4294967296}', "$var(v)")
	KSR.evapi.relay(KSR.pv.get("$evapi(msg)") .. "=[" .. KSR.pv.get("$var(v)") .. "] rc=" .. rc)
end`},
	// KSR.xlog.xlog's "L_CRIT" is Kamailio's unlabelled L_CRIT; the
	// native xlog's "L_CRIT" is L_CRIT2, which KEMI calls "L_CRIT2".
	{"modules/008-xlog-levels", `
function ksr_test()
	KSR.xlog.xlog("L_ALERT", "alert\n")
	KSR.xlog.xlog("L_CRIT2", "crit\n")
	KSR.xlog.xlog("L_ERR", "err\n")
	KSR.xlog.xlog("L_WARN", "warn\n")
	KSR.xlog.xlog("L_NOTICE", "notice\n")
	KSR.xlog.xlog("L_INFO", "info\n")
	KSR.xlog.xlog("L_DBG", "dbg\n")
end`},
	{"modules/014-cfgutils-route-exists", `
function ksr_test()
	if KSR.cfgutils.check_route_exists("THERE") > 0 then KSR.evapi.relay("THERE exists") end
	if KSR.cfgutils.check_route_exists("NOPE") > 0 then KSR.evapi.relay("NOPE exists") else KSR.evapi.relay("NOPE missing") end
	KSR.cfgutils.route_if_exists("THERE")
	KSR.cfgutils.route_if_exists("NOPE")
	KSR.evapi.relay("end")
end`},
	{"modules/017-cfgutils-core-hash", `
function ksr_test()
	local h = KSR.cfgutils.core_hash("abc", "", 4)
	KSR.evapi.relay("h=[" .. h .. "] rc=" .. h)
end`},
	{"modules/018-evapi-multicast-notag", `
function ksr_test()
	local rc = KSR.evapi.relay_multicast("m", "nope")
	if rc > 0 then KSR.evapi.relay("sent") else KSR.evapi.relay("failed rc=" .. rc) end
end`},
	{"modules/019-evapi-set-tag-unicast", `
function ksr_test()
	KSR.evapi.set_tag("me")
	local rc = KSR.evapi.relay_unicast("to me", "me")
	KSR.evapi.relay("rc=" .. rc)
end`},
	{"modules/020-evapi-relay-rc", `
function ksr_test()
	local rc = KSR.evapi.relay("r1")
	KSR.evapi.relay("rc=" .. rc)
end`},
	{"modules/025-xinfo-var", `
function ksr_test()
	KSR.pv.sets("$var(a)", "Abc")
	KSR.xlog.xinfo("a=$var(a) up=$(var(a){s.toupper}) len=$(var(a){s.len})\n")
end`},
	{"pv/001-var-persists", `
function ksr_test()
	KSR.pv.seti("$var(n)", KSR.pv.get("$var(n)") + 1)
	KSR.evapi.relay("n=" .. KSR.pv.get("$var(n)"))
end`},
	{"pv/002-avp-reset", `
function ksr_test()
	KSR.pvx.avp_seti("n", (KSR.pvx.avp_get("n") or 0) + 1)
	KSR.evapi.relay("n=" .. KSR.pvx.avp_get("n"))
end`},
	{"pv/003-shv-persists", `
function ksr_test()
	KSR.pvx.shv_seti("n", KSR.pvx.shv_get("n") + 1)
	KSR.evapi.relay("n=" .. KSR.pv.get("$shv(n)"))
end`},
	{"pv/016-evapi-msg", `
function ksr_test()
	local m = KSR.pv.get("$evapi(msg)")
	KSR.evapi.relay("msg=[" .. m .. "] len=" .. KSR.pv.get("$(evapi(msg){s.len})"))
end`},
	{"pv/019-evapi-conidx", `
function ksr_test()
	KSR.evapi.relay("conidx=[" .. KSR.pv.get("$evapi(conidx)") .. "]")
	KSR.evapi.relay("plus1=" .. (KSR.pv.get("$evapi(conidx)") + 1))
end`},
	{"pv/026-xavp", `
function ksr_test()
	KSR.pvx.xavp_child_sets("r", "a", "one")
	KSR.pvx.xavp_child_seti("r", "b", 2)
	KSR.evapi.relay("a=" .. KSR.pvx.xavp_child_get("r", "a") .. " b=" .. KSR.pvx.xavp_child_get("r", "b"))
end`},
	// pv_evalx expands a format string: the relays of the native case
	// without writing each pseudo-variable out in Lua.
	{"pv/041-faked-request", `
local function relayf(text)
	KSR.pvx.evalx("$var(out)", text)
	KSR.evapi.relay(KSR.pv.get("$var(out)"))
end
function ksr_test()
	relayf("ci=[$ci] rm=[$rm] ru=[$ru] rU=[$rU] rd=[$rd] rp=[$rp] fu=[$fu] fU=[$fU] fd=[$fd] tu=[$tu] tU=[$tU] td=[$td]")
	relayf("ua=[$ua] si=[$si] sp=[$sp] cs=[$cs] ml=[$ml] pr=[$pr] ft=[$ft] tt=[$tt] rv=[$rv] du=[$du] ct=[$ct] fn=[$fn] rz=[$rz] oU=[$oU] ou=[$ou] od=[$od] op=[$op] rP=[$rP] via=[$hdr(Via)] cl=[$cl] bs=[$bs] mt=[$mt] cT=[$cT] rb=[$rb]")
	relayf("mb=$mb")
	KSR.pv.sets("$ru", "sip:bob@example.com:5070")
	relayf("after ru=[$ru] rU=[$rU] rd=[$rd] rp=[$rp] ou=[$ou]")
	KSR.setuser("carol")
	relayf("after rU ru=[$ru]")
	KSR.sethost("host.org")
	relayf("after rd ru=[$ru]")
	-- KEMI reads $Tf as its text (the int is only for native
	-- comparisons); $Ts is the same time as a number.
	if tonumber(KSR.pv.get("$rp")) > 5000 and KSR.pv.get("$Ts") > 1600000000 then
		KSR.evapi.relay("ints ok")
	end
end`},
}

// conformanceLuaPrelude is the twin's part of the prelude: the event
// callback instead of the prelude's event route.
const conformanceLuaPrelude = `
function ksr_evapi_event(evname)
	if evname ~= "evapi:message-received" then return 1 end
	if KSR.pv.get("$evapi(msg)") == "#sync" then
		KSR.evapi.relay("#sync")
		KSR.x.exit()
	end
	ksr_test()
	return 1
end
`

// notImplemented are the prelude's modules kamgo does not run; no case
// here calls them.
var notImplemented = []string{"tm", "tmx", "sl", "textops"}

func TestConformanceTwins(t *testing.T) {
	for _, tw := range conformanceTwins {
		t.Run(tw.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../../spec/conformance", tw.name+".txtar"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := conformance.Parse(tw.name, data)
			if err != nil {
				t.Fatal(err)
			}
			native := c.Config(0, 0)
			nr, nl := playConformance(t, "native.cfg", native, c.Send)
			lua := writeLua(t, conformanceLuaPrelude+tw.lua)
			twin := luaPrelude(t, native, lua)
			lr, ll := playConformance(t, "twin.cfg", twin, c.Send)
			for _, run := range []struct {
				name          string
				relays, lines []string
			}{{"native", nr, nl}, {"lua", lr, ll}} {
				if !slices.Equal(run.relays, c.Relay) {
					t.Errorf("%s relays:\n got  %q\n want %q", run.name, run.relays, c.Relay)
				}
				if !slices.Equal(run.lines, c.Log) {
					t.Errorf("%s script log:\n got  %q\n want %q", run.name, run.lines, c.Log)
				}
			}
		})
	}
}

// luaPrelude turns a case's configuration into its twin: the prelude's
// event route goes, app_lua runs the script lua with the event callback.
func luaPrelude(t *testing.T, cfg, lua string) string {
	t.Helper()
	i := strings.Index(cfg, "event_route[evapi:message-received]")
	j := strings.Index(cfg[i:], "\n}\n")
	if i < 0 || j < 0 {
		t.Fatal("the prelude's event route moved")
	}
	return cfg[:i] + `loadmodule "app_lua.so"
modparam("evapi", "event_callback", "ksr_evapi_event")
modparam("app_lua", "load", "` + lua + `")
cfgengine "lua"
` + cfg[i+j+3:]
}

// playConformance runs a configuration, sends each message followed by
// "#sync", and returns the relayed payloads (the syncs left out) and the
// script log lines as "LEVEL: text".
func playConformance(t *testing.T, name, cfg string, send []string) (relays, lines []string) {
	_, lg, addr := start(t, name, cfg, nil, notImplemented...)
	c := dial(t, addr)
	for _, m := range send {
		c.send(ns(m))
		c.send(ns("#sync"))
		for p := c.frame(); p != "#sync"; p = c.frame() {
			relays = append(relays, p)
		}
	}
	for _, l := range lg.grep("<script>: ") {
		lines = append(lines, strings.Replace(l, "<script>: ", "", 1))
	}
	return relays, lines
}
