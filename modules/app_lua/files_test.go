package applua_test

import (
	"slices"
	"testing"

	applua "github.com/kamgo/kamgo/modules/app_lua"
)

// TestConfigFiles: the files `kamgo run --watch` follows for app_lua are
// the load parameters and the constant lua_dofile arguments.
func TestConfigFiles(t *testing.T) {
	cfg := analyze(t, `loadmodule "pv.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "/etc/kamailio/a.lua")
modparam("app_lua", "load", "/etc/kamailio/b.lua")
request_route {
	if ($rm == "OPTIONS") {
		lua_dofile("/etc/kamailio/options.lua");
	}
	lua_dofile("/etc/kamailio/$rm.lua");
	lua_dostring("x = 1");
	route(R);
}
route[R] {
	lua_dofile("relative.lua");
}
`)
	got := new(applua.Module).ConfigFiles(cfg)
	want := []string{"/etc/kamailio/a.lua", "/etc/kamailio/b.lua", "/etc/kamailio/options.lua", "relative.lua"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
