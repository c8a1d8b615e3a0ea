package supervise

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/internal/proctest"
)

// luaCfg runs Lua script DIR/kamailio.lua for evapi's events; route[DO]
// runs DIR/do.lua.
const luaCfg = `#!KAMAILIO
loadmodule "pv.so"
loadmodule "evapi.so"
loadmodule "app_lua.so"
modparam("evapi", "bind_addr", "127.0.0.1:0")
modparam("evapi", "event_callback", "ksr_evapi_event")
modparam("app_lua", "load", "DIR/kamailio.lua")
cfgengine "lua"

route[DO] {
	lua_dofile("DIR/do.lua");
	lua_dofile("DIR/$var(x).lua");
}
`

func luaScript(prefix string) string {
	return `function ksr_evapi_event(evname)
	if evname == "evapi:message-received" then
		KSR.evapi.relay("` + prefix + `:" .. KSR.pv.get("$evapi(msg)"))
	end
	return 1
end
`
}

// TestWatchLua: with Watch, a change to a Lua file the configuration
// loads (app_lua's load parameter, a constant lua_dofile) reloads it; a
// script that does not compile is refused and the running one kept.
func TestWatchLua(t *testing.T) {
	t.Parallel()
	o, log, _ := setup(t, "")
	dir := filepath.Dir(o.File)
	script, do := filepath.Join(dir, "kamailio.lua"), filepath.Join(dir, "do.lua")
	proctest.WriteFile(t, script, luaScript("A"))
	proctest.WriteFile(t, do, "x = 1\n")
	proctest.WriteFile(t, o.File, strings.ReplaceAll(luaCfg, "DIR", dir))
	o.Watch = true
	r := serve(t, o, log)
	c := r.dial()
	if got := ask(t, c, "1"); got != "A:1" {
		t.Fatalf("before the change: %q", got)
	}
	reload := reReloaded("file changed")
	proctest.WriteFile(t, script, luaScript("B"))
	r.waitFor(reload, 1)
	if got := ask(t, c, "2"); got != "B:2" {
		t.Errorf("after the change: %q, want B:2", got)
	}
	proctest.WriteFile(t, script, "function (\n")
	r.waitFor(reRefused("file changed"), 1)
	if got := ask(t, c, "3"); got != "B:3" {
		t.Errorf("after a refused change: %q, want B:3", got)
	}
	proctest.WriteFile(t, script, luaScript("C"))
	r.waitFor(reload, 2)
	if got := ask(t, c, "4"); got != "C:4" {
		t.Errorf("after the fix: %q, want C:4", got)
	}
	proctest.WriteFile(t, do, "x = 2\n")
	r.waitFor(reload, 3)
}
