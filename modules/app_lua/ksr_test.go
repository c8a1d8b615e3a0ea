package applua_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
)

// ksrCases are Lua chunks run in one request route, in order, on the
// faked OPTIONS request, with the value each returns as show() renders
// it: n:NUMBER, s:STRING, true, false, nil, {...} for tables (keys
// sorted; a "|" ends each value, as the log trims a final newline).
// They cover argument and result conversions and the KSR
// functions of the core and of each module.
var ksrCases = []struct{ lua, want string }{
	// Results: a function returning nothing gives false, as in Kamailio.
	{`return KSR.info("case")`, "false"},
	{`return KSR.pv.get("$var(nope)")`, "n:0"},
	{`return KSR.pv.get("$avp(nope)")`, "nil"},
	{`return KSR.pv.gete("$avp(nope)")`, "s:"},
	{`return KSR.pv.getw("$avp(nope)")`, "s:<null>"},
	{`return KSR.pv.get("$nope(x)")`, "nil"},
	// Arguments: numbers for strings, strings and fractions for ints,
	// 32-bit ints, missing arguments.
	{`KSR.pv.sets("$var(a)", 5) return KSR.pv.get("$var(a)")`, "s:5"},
	{`KSR.pv.seti("$var(b)", "12") return KSR.pv.get("$var(b)")`, "n:12"},
	{`KSR.pv.seti("$var(b)", 3.9) return KSR.pv.get("$var(b)")`, "n:3"},
	{`KSR.pv.seti("$var(b)", 2^31) return KSR.pv.get("$var(b)")`, "n:-2147483648"},
	{`return KSR.pv.seti()`, "false"},
	{`return KSR.pv.seti("$var(b)")`, "false"},
	{`return KSR.pv.seti("$var(b)", 1, "extra")`, "true"},
	{`return KSR.pv.geti("$var(a)")`, "n:5"},
	{`return KSR.pv.getvn("$avp(x)", 7)`, "n:7"},
	{`return KSR.pv.getvs("$avp(x)", "d")`, "s:d"},
	{`return KSR.pv.is_null("$avp(x)")`, "true"},
	{`return KSR.pv.unset("$var(a)")`, "true"},
	{`return KSR.pv.sets("$ci", "x")`, "true"},
	{`return KSR.pv.get("$(rm{s.len})")`, "n:7"},
	// The core over the message.
	{`KSR.setflag(3) return KSR.isflagset(3)`, "true"},
	{`return KSR.setflag(40)`, "false"},
	{`KSR.setbflag(2) return KSR.isbflagset(2)`, "true"},
	{`KSR.setsflag(1) KSR.resetsflag(1) return KSR.issflagset(1)`, "false"},
	{`return KSR.is_method("options")`, "true"},
	{`return KSR.is_INVITE()`, "false"},
	{`return KSR.is_method_in("IO")`, "true"},
	{`return KSR.is_UDP()`, "true"},
	{`return KSR.is_proto("t")`, "false"},
	{`return KSR.is_IPv4()`, "false"},
	{`return KSR.is_src_port(5060)`, "true"},
	{`return KSR.get_debug()`, "n:2"},
	{`KSR.seturi("sip:x@y.org") KSR.setuser("z") return KSR.pv.get("$ru")`, "s:sip:z@y.org"},
	{`KSR.setdsturi("sip:d.org") return KSR.isdsturiset()`, "true"},
	{`return KSR.route("R")`, "n:7"},
	{`return KSR.route("NOPE")`, "n:-1"},
	{`return KSR.hdr.get("From")`, "s:<sip:you@kamailio.org>;tag=123"},
	{`return KSR.hdr.get("f")`, "s:<sip:you@kamailio.org>;tag=123"},
	{`return KSR.hdr.getw_idx("Via", -2)`, "s:<null>"},
	{`return KSR.hdr.is_present("X-No")`, "n:-1"},
	{`return KSR.hdr.match_content("CSeq", "sw", "1 ", "f")`, "true"},
	{`KSR.hdr.append("X-A: 1\r\n") KSR.hdr.remove("Content-Length") KSR.hdr.insert_before("X-B: 2\r\n", "To")
	  return KSR.pv.get("$mbu")`, "s:OPTIONS sip:z@y.org SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1\r\nFrom: <sip:you@kamailio.org>;tag=123\r\n" +
		"X-B: 2\r\nTo: <sip:you@kamailio.org>\r\nCall-ID: 123\r\nCSeq: 1 OPTIONS\r\nX-A: 1\r\n\r\n"},
	// KSR.pvx: variables, extended AVPs, AVPs.
	{`KSR.pvx.var_seti("v", 3) return KSR.pvx.var_get("v")`, "n:3"},
	{`return KSR.pvx.var_get("undeclared")`, "n:0"},
	{`KSR.pvx.shv_sets("s", "shared") return KSR.pv.get("$shv(s)")`, "s:shared"},
	{`KSR.pvx.xavp_seti("x", 1) KSR.pvx.xavp_sets("x", "two") return KSR.pvx.xavp_get("x")`, "s:two"},
	{`return KSR.pvx.xavp_is_null("x")`, "n:-1"},
	{`return KSR.pvx.xavp_gete("none")`, "s:"},
	{`KSR.pvx.xavp_child_seti("r", "a", 1) KSR.pvx.xavp_child_sets("r", "b", "s") KSR.pvx.xavp_child_seti("r", "a", 2)
	  return KSR.pvx.xavp_getd("r")`, "{1={a={1=n:2},b={1=s:s}}}"},
	{`return KSR.pvx.xavp_getd_p1("r", -1)`, "{a={1=n:2},b={1=s:s}}"},
	{`return KSR.pvx.xavp_get_keys("r", 0)`, "{1=s:a,2=s:b}"},
	{`return KSR.pvx.xavp_child_get("r", "b")`, "s:s"},
	{`return KSR.pvx.xavp_child_is_null("r", "zz")`, "n:1"},
	{`KSR.pvx.xavu_sets("u", "one") KSR.pvx.xavu_sets("u", "two") return KSR.pv.get("$xavu(u)")`, "s:two"},
	{`KSR.pvx.xavi_child_sets("I", "k", "v") return KSR.pvx.xavi_child_get("i", "K")`, "s:v"},
	{`KSR.pvx.avp_seti("n", 1) KSR.pvx.avp_sets("n", "2") return KSR.pvx.avp_get("n")`, "s:2"},
	{`KSR.pvx.avp_rm("n") return KSR.pvx.avp_get("n")`, "n:1"},
	{`KSR.pvx.evalx("$var(e)", "m=$rm") return KSR.pv.get("$var(e)")`, "s:m=OPTIONS"},
	{`KSR.pvx.xavp_params_explode("a=1;b=2", "p") return KSR.pvx.xavp_child_get("p", "b")`, "s:2"},
	{`KSR.pvx.xavp_params_implode("p", "$var(pi)") return KSR.pv.get("$var(pi)")`, "s:a=1;b=2;"},
	{`return KSR.pvx.xavp_copy("p", 0, "q")`, "n:1"},
	{`return KSR.pvx.sbranch_append()`, "n:-1"},
	// The other modules.
	{`return KSR.xlog.xinfo("xinfo $rm\n")`, "n:1"},
	{`return KSR.cfgutils.core_hash("abc", "", 4)`, "n:3"},
	{`return KSR.cfgutils.check_route_exists("R")`, "n:1"},
	{`KSR.jansson.get("a.b", '{"a": {"b": 5}}', "$var(j)") return KSR.pv.get("$var(j)")`, "n:5"},
	{`return KSR.jansson.get("a", "not json", "$var(j)")`, "n:-1"},
	{`return KSR.evapi.relay("no event, no client")`, "n:1"},
	{`return KSR.evapi.set_tag("t")`, "n:-1"},
	{`return KSR.evapi.relay("")`, "n:1"},
	{`return KSR.evapi.relay_unicast("u", "")`, "n:1"},
	{`return KSR.app_lua.run_p1("helper", "arg")`, "n:1"},
	{`return KSR.app_lua.runstring("helped = 2")`, "n:1"},
	{`return helped`, "n:2"},
	// Kamailio's modf refuses functions whose fixups it cannot free
	// (xlog's); kamgo runs them. rand_reset_prob has no fixup.
	{`return KSR.x.modf("nope")`, "n:-1"},
	{`KSR.cfgutils.rand_set_prob(50) return KSR.x.modf("rand_reset_prob") + KSR.cfgutils.rand_get_prob()`, "n:11"},
	{`return KSRVERSION`, "s:2.0"},
	// The core over the SIP transport: both servers listen on UDP
	// 127.0.0.1 only (at ports that differ, so no case names one).
	{`return KSR.is_myself("sip:127.0.0.1")`, "true"},
	{`return KSR.is_myself("127.0.0.1")`, "true"},
	{`return KSR.is_myself("sip:alice@127.0.0.1;transport=udp")`, "true"},
	{`return KSR.is_myself("sip:127.0.0.1;transport=tcp")`, "false"},
	{`return KSR.is_myself("sip:127.0.0.2")`, "false"},
	{`return KSR.is_myself("SIP:127.0.0.1")`, "false"},
	{`return KSR.is_myself("sip:[::1]")`, "false"},
	{`return KSR.is_myself("sip:")`, "false"},
	{`return KSR.is_myself("sip:127.0.0.1:x")`, "false"},
	{`return KSR.is_myself()`, "false"},
	{`return KSR.is_myself_ruri()`, "false"},
	{`return KSR.is_myself_furi()`, "false"},
	{`return KSR.is_myself_turi()`, "false"},
	{`return KSR.is_myself_suri()`, "false"},
	{`return KSR.is_myself_srcip()`, "false"},
	{`KSR.setdsturi("sip:127.0.0.1") return KSR.is_myself_duri()`, "true"},
	{`return KSR.is_myself_nhuri()`, "true"},
	{`KSR.resetdsturi() return KSR.is_myself_duri()`, "false"},
	{`return KSR.is_myself_nhuri()`, "false"},
	{`KSR.seturi("sip:u@127.0.0.1") return KSR.is_myself_ruri()`, "true"},
	{`return KSR.is_myself_nhuri()`, "true"},
	{`return KSR.force_rport()`, "true"},
	{`return KSR.add_local_rport()`, "true"},
	{`return KSR.set_forward_close()`, "true"},
	{`return KSR.set_forward_no_connect()`, "true"},
	{`return KSR.set_reply_close()`, "true"},
	{`return KSR.set_reply_no_connect()`, "true"},
	{`return KSR.set_advertised_address(string.rep("a", 128))`, "n:0"},
	{`return KSR.set_advertised_address()`, "false"},
	{`return KSR.set_advertised_address("192.0.2.1")`, "n:1"},
	{`return KSR.set_advertised_port("12345678")`, "n:0"},
	{`return KSR.set_advertised_port(5080)`, "n:1"},
	{`return KSR.add_tcp_alias(5060)`, "n:1"},
	{`return KSR.add_tcp_alias_via()`, "n:1"},
	{`return KSR.to_UDP()`, "false"},
	{`return KSR.to_IPv4()`, "true"},
	{`return KSR.to_IPv6()`, "false"},
	{`KSR.setdsturi("sip:[::1];transport=tcp") return KSR.to_TCP()`, "true"},
	{`return KSR.to_IPv6()`, "true"},
	{`return KSR.to_IPv4()`, "false"},
	{`return KSR.to_WSX()`, "false"},
	{`KSR.setdsturi("sip:h.org;transport=ws") return KSR.to_WSX()`, "true"},
	{`return KSR.to_WS()`, "true"},
	{`return KSR.to_IPv4()`, "false"},
	{`KSR.setdsturi("sip:h.org;transport=sctp") return KSR.to_SCTP()`, "true"},
	{`KSR.setdsturi("sip:h.org;transport=tls") return KSR.to_TLS()`, "true"},
	{`KSR.setdsturi("sip:h.org;transport=udp") return KSR.to_UDP()`, "true"},
	{`KSR.setdsturi("nonsense") return KSR.to_UDP()`, "false"},
	{`return KSR.forward()`, "n:-1"},
	{`return KSR.forward_uri("sip:")`, "n:-1"},
	{`return KSR.forward_uri("sip:127.0.0.1:9;transport=tcp")`, "n:-1"},
	{`return KSR.forward_uri("sip:no-such-host.invalid")`, "n:-1"},
	{`KSR.resetdsturi() return KSR.forward_uri("sip:127.0.0.1:9")`, "n:1"},
	{`KSR.setdsturi("sip:127.0.0.1:9") return KSR.forward()`, "n:1"},
	{`KSR.setdsturi("sip:127.0.0.1:9") return KSR.forward_uri("")`, "n:1"},
}

// ksrParams declare what the cases use: Kamailio's KSR.pvx.shv_sets
// refuses a $shv the configuration does not name.
const ksrParams = `modparam("pv", "shvset", "s=s:init")`

const ksrDriver = `
local function show(v)
	local t = type(v)
	if t == "number" then return "n:" .. tostring(v) end
	if t == "string" then return "s:" .. v end
	if t ~= "table" then return tostring(v) end
	local keys = {}
	for k in pairs(v) do keys[#keys + 1] = tostring(k) end
	table.sort(keys)
	local parts = {}
	for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. show(v[tonumber(k) or k]) end
	return "{" .. table.concat(parts, ",") .. "}"
end

function helper(a) helped = a end

function ksr_request_route()
	for i, f in ipairs(cases) do
		local ok, v = pcall(f)
		if not ok then v = "error: " .. tostring(v) end
		KSR.info("#" .. i .. " " .. show(v) .. "|\n")
	end
end
`

func TestKSR(t *testing.T) {
	var b strings.Builder
	b.WriteString("cases = {}\n")
	for _, c := range ksrCases {
		fmt.Fprintf(&b, "cases[#cases + 1] = function()\n%s\nend\n", c.lua)
	}
	b.WriteString(ksrDriver)
	srv, lg, _ := runLua(t, b.String(), false, "listen=udp:127.0.0.1:5060\n"+ksrParams+"\nroute[R] {\n\treturn 7;\n}\n")
	dispatch(srv, event.NewWorker(1), event.Request())
	got := map[string]string{}
	for _, l := range scriptLines(lg) {
		if n, v, ok := strings.Cut(l, " "); ok && strings.HasPrefix(n, "#") {
			got[n] = strings.TrimSuffix(v, "|")
		}
	}
	for i, c := range ksrCases {
		if g := got[fmt.Sprintf("#%d", i+1)]; g != c.want {
			t.Errorf("%s\n got  %q\n want %q", c.lua, g, c.want)
		}
	}
	for _, sub := range []string{
		"INFO: <script>: xinfo OPTIONS",
		"invalid number of parameters for: pv.seti", "not enough parameters for: pv.seti",
		"cannot get pv spec for [$nope(x)]", "invalid flag parameter 40", "$var(undeclared) is not defined",
	} {
		if len(lg.grep(sub)) != 1 {
			t.Errorf("no line with %q", sub)
		}
	}
}
