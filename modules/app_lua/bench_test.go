package applua_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kamgo/kamgo/runtime/event"
)

// BenchmarkEcho measures one client's evapi ping-pong through the native
// echo route (bench/kamailio-bench.cfg -A WITH_BENCH_UNI) and through the
// Lua callback (bench/kemi-bench.cfg): what bench/kemi.sh's 1x1 rows
// measure, in process.
func BenchmarkEcho(b *testing.B) {
	lua, err := filepath.Abs("../../examples/kemi-lua/evapi-echo/kamailio.lua")
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name, cfg string
		defines   []string
	}{
		{"native", "../../bench/kamailio-bench.cfg", []string{"WITH_BENCH_UNI"}},
		{"lua", "../../bench/kemi-bench.cfg", []string{`LUA_SCRIPT="` + lua + `"`}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			text, err := os.ReadFile(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			_, _, addr := start(b, tc.cfg, string(text), append([]string{`EVAPI_BIND="127.0.0.1:0"`}, tc.defines...))
			c := dial(b, addr)
			msg := ns("0:12345:1234567890123456")
			c.send(msg)
			c.frame()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.send(msg)
				c.frame()
			}
		})
	}
}

// BenchmarkRoute measures a request route that copies one
// pseudo-variable into another, native and as ksr_request_route, without
// the network: the cost of the engine and of two KSR calls.
func BenchmarkRoute(b *testing.B) {
	for _, tc := range []struct {
		name, cfg string
	}{
		{"native", `loadmodule "pv.so"
request_route {
	$var(x) = $rm;
}
`},
		{"lua", `loadmodule "pv.so"
loadmodule "app_lua.so"
modparam("app_lua", "load", "` + writeLua(b, `function ksr_request_route() KSR.pv.sets("$var(x)", KSR.pv.get("$rm")) end`) + `")
cfgengine "lua"
`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv, _, _ := start(b, "kamailio.cfg", tc.cfg, nil)
			w := event.NewWorker(1)
			c := srv.AcquireContext(w)
			defer srv.ReleaseContext(c)
			h := srv.Host()
			h.Run(c, event.Request())
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.Run(c, event.Request())
			}
		})
	}
}
