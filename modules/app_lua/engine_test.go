package applua_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/kamgo/kamgo/lang/diag"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/server"
	"github.com/kamgo/kamgo/runtime/sipmsg"
)

// luaConfig returns a configuration that loads the modules kamgo ships,
// runs the Lua file lua with cfgengine "lua" (unless native) and evapi's
// event_callback ksr_evapi_event, followed by extra.
func luaConfig(lua string, native bool, extra string) string {
	engine := `cfgengine "lua"` + "\n"
	if native {
		engine = ""
	}
	return `loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "evapi.so"
loadmodule "cfgutils.so"
loadmodule "jansson.so"
loadmodule "app_lua.so"
modparam("evapi", "bind_addr", "127.0.0.1:0")
modparam("evapi", "event_callback", "ksr_evapi_event")
modparam("app_lua", "load", "` + lua + `")
` + engine + extra
}

// runLua starts luaConfig with the script src.
func runLua(t *testing.T, src string, native bool, extra string) (*server.Server, *logs, string) {
	t.Helper()
	return start(t, "kamailio.cfg", luaConfig(writeLua(t, src), native, extra), nil)
}

// scriptLines returns the lines logged through KSR.info and KSR.err,
// without the C function names.
func scriptLines(lg *logs) []string {
	var out []string
	for _, l := range lg.all() {
		for _, fn := range []string{"sr_kemi_core_info(): ", "sr_kemi_core_err(): "} {
			if i := strings.Index(l, fn); i >= 0 {
				out = append(out, l[i+len(fn):])
			}
		}
	}
	return out
}

// TestSeedCallback runs the seed document's example: evapi's
// event_callback names a Lua function called for every evapi event.
func TestSeedCallback(t *testing.T) {
	_, lg, addr := runLua(t, `-- event callback function implemented in Lua
function ksr_evapi_event(evname)
	KSR.info("===== evapi module triggered event: " .. evname .. "\n");
	return 1;
end`, false, "")
	c := dial(t, addr)
	c.send(ns("hello"))
	lg.waitFor(t, "evapi:message-received", 1)
	c.c.Close()
	lg.waitFor(t, "client closing connection", 1)
	want := []string{
		"INFO: <core>: sr_kemi_core_info(): ===== evapi module triggered event: evapi:connection-new",
		"INFO: <core>: sr_kemi_core_info(): ===== evapi module triggered event: evapi:message-received",
		"INFO: <core>: sr_kemi_core_info(): ===== evapi module triggered event: evapi:connection-closed",
	}
	if got := lg.grep("triggered event"); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestNativeRoutesWin: an event_route block takes precedence over the
// callback for its event, as in Kamailio.
func TestNativeRoutesWin(t *testing.T) {
	_, lg, addr := runLua(t, `function ksr_evapi_event(evname) KSR.info("lua " .. evname) end`, false,
		"event_route[evapi:connection-new] {\n\txlog(\"L_INFO\", \"native connection-new\\n\");\n}\n")
	c := dial(t, addr)
	c.send(ns("x"))
	lg.waitFor(t, "lua evapi:message-received", 1)
	if len(lg.grep("native connection-new")) != 1 || len(lg.grep("lua evapi:connection-new")) != 0 {
		t.Errorf("connection-new did not run the native block only: %q", lg.all())
	}
}

// TestNativeEngineWarns: with native routes Kamailio never calls
// event_callback; kamgo says so when it loads the configuration.
func TestNativeEngineWarns(t *testing.T) {
	_, lg, addr := runLua(t, `function ksr_evapi_event(evname) KSR.info("called " .. evname) end`, true, "")
	if len(lg.grep(`WARNING: <evapi>: event_callback "ksr_evapi_event" is never called`)) != 1 {
		t.Fatalf("no warning: %q", lg.all())
	}
	c := dial(t, addr)
	c.send(ns("x"))
	c.c.Close()
	lg.waitFor(t, "client closing connection", 1)
	if n := len(lg.grep("called evapi")); n != 0 {
		t.Errorf("the callback ran %d times", n)
	}
}

// dispatch runs route target tg on a fresh Context of worker w and
// returns the Context's drop flag.
func dispatch(srv *server.Server, w *event.Worker, tg event.Target) (rc int, ok, dropped bool) {
	c := srv.AcquireContext(w)
	defer srv.ReleaseContext(c)
	rc, ok = srv.Host().Run(c, tg)
	return rc, ok, c.Dropped
}

// TestCoreRoutes: with cfgengine "lua" the core's routes are Lua
// functions: ksr_request_route must exist, ksr_reply_route and
// ksr_onsend_route may, failure, branch and onreply routes are named.
func TestCoreRoutes(t *testing.T) {
	srv, lg, _ := runLua(t, `
function ksr_request_route() KSR.info("request " .. KSR.pv.get("$rm")) end
function ksr_reply_route() KSR.info("reply") end
function failed() KSR.info("failure route") end
function on_branch() KSR.info("branch route") end
function dropper() KSR.x.drop(); KSR.info("not reached") end
`, false, "request_route {\n\txlog(\"L_INFO\", \"native request\\n\");\n}\n")
	w := event.NewWorker(1)
	for _, tc := range []struct {
		t       event.Target
		line    string
		dropped bool
	}{
		{event.Request(), "request OPTIONS", false},
		{event.Reply(), "reply", false},
		{event.OnSend(), "", false},
		{event.Failure("failed"), "failure route", false},
		{event.Branch("on_branch"), "branch route", false},
		{event.OnReply("nope"), "", false},
		{event.Failure("dropper"), "", true},
	} {
		before := len(scriptLines(lg))
		rc, ok, dropped := dispatch(srv, w, tc.t)
		lines := scriptLines(lg)[before:]
		if rc != 1 || !ok || dropped != tc.dropped {
			t.Errorf("%s: rc=%d ok=%v dropped=%v", tc.t, rc, ok, dropped)
		}
		if want := []string{tc.line}; tc.line != "" && !slices.Equal(lines, want) || tc.line == "" && len(lines) != 0 {
			t.Errorf("%s: logged %q, want %q", tc.t, lines, tc.line)
		}
	}
	if len(lg.grep("native request")) != 0 {
		t.Error("request_route ran although cfgengine is lua")
	}

	// Without ksr_request_route a request is an error, as in Kamailio.
	srv2, lg2, _ := runLua(t, `function other() end`, false, "")
	if rc, _, _ := dispatch(srv2, event.NewWorker(1), event.Request()); rc != -1 ||
		len(lg2.grep("no such function [ksr_request_route] in lua scripts")) != 1 {
		t.Errorf("rc=%d, %q", rc, lg2.all())
	}
}

// TestErrors: a Lua error is logged with the script's file:line, the route
// gets Kamailio's result and the worker keeps serving; KSR.x.exit() ends
// the script successfully.
func TestErrors(t *testing.T) {
	lua := writeLua(t, `n = 0
function ksr_request_route()
	n = n + 1
	if n == 1 then
		error("boom")
	elseif n == 2 then
		KSR.x.exit()
		KSR.info("after exit")
	elseif n == 3 then
		KSR.nope.call()
	end
	KSR.info("served " .. n)
end`)
	srv, lg, _ := start(t, "kamailio.cfg", luaConfig(lua, false, ""), nil)
	w := event.NewWorker(1)
	for i := 0; i < 4; i++ {
		dispatch(srv, w, event.Request())
	}
	errs := lg.grep("ERROR: <app_lua>")
	want := []string{
		"ERROR: <app_lua>: app_lua_run_ex(): error from Lua: " + lua + ":5: boom",
		"ERROR: <app_lua>: app_lua_run_ex(): error executing: ksr_request_route (err: 2)",
	}
	if len(errs) != 4 || !slices.Equal(errs[:2], want) || !strings.Contains(errs[2], lua+":10: ") {
		t.Errorf("errors:\n%s", strings.Join(errs, "\n"))
	}
	if got := scriptLines(lg); !slices.Equal(got, []string{"served 4"}) {
		t.Errorf("lines %q", got)
	}
}

// TestWorkerState: each worker keeps its own interpreter, whose globals
// persist across the events it runs.
func TestWorkerState(t *testing.T) {
	srv, lg, _ := runLua(t, `n = 0
function ksr_request_route() n = n + 1; KSR.info("n=" .. n) end`, false, "")
	w1, w2 := event.NewWorker(1), event.NewWorker(2)
	for _, w := range []*event.Worker{w1, w1, w2, w1, w2} {
		dispatch(srv, w, event.Request())
	}
	if got := scriptLines(lg); !slices.Equal(got, []string{"n=1", "n=2", "n=1", "n=3", "n=2"}) {
		t.Errorf("got %q", got)
	}
}

// TestNativeFunctions: lua_run, lua_runstring, lua_dostring and lua_dofile
// from native routes.
func TestNativeFunctions(t *testing.T) {
	other := writeLua(t, `KSR.info("dofile ran, x=" .. tostring(x))`)
	srv, lg, _ := runLua(t, `x = "loaded"
function f(a, b) KSR.info("f(" .. tostring(a) .. ", " .. tostring(b) .. ")") end
function bad() error("bad!") end
`, true, `
request_route {
	$var(p) = "one";
	lua_run("f");
	xlog("L_INFO", "rc=$rc\n");
	lua_run("f", "$var(p)", "two");
	lua_run("bad");
	xlog("L_INFO", "rc=$rc\n");
	lua_run("missing");
	xlog("L_INFO", "rc=$rc\n");
	lua_runstring("KSR.info('runstring sees x=' .. x)");
	lua_dostring("KSR.info('dostring sees x=' .. tostring(x))");
	lua_dostring("syntax error here");
	xlog("L_INFO", "rc=$rc\n");
	lua_dofile("`+other+`");
}
`)
	rc, ok, _ := dispatch(srv, event.NewWorker(1), event.Request())
	if rc != 1 || !ok {
		t.Errorf("rc=%d ok=%v", rc, ok)
	}
	want := []string{"f(nil, nil)", "f(one, two)", "runstring sees x=loaded", "dostring sees x=nil", "dofile ran, x=nil"}
	if got := scriptLines(lg); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := lg.grep("<script>: rc="); !slices.Equal(got, []string{"INFO: <script>: rc=1", "INFO: <script>: rc=-1", "INFO: <script>: rc=-1", "INFO: <script>: rc=-1"}) {
		t.Errorf("return codes %q", got)
	}
	for _, sub := range []string{"no such function [missing] in lua scripts", `[string "syntax error here"]`} {
		if len(lg.grep(sub)) != 1 {
			t.Errorf("no error line with %q: %q", sub, lg.all())
		}
	}
}

// TestReload: a reload of the configuration reads the Lua files again; a
// file that does not compile refuses the reload and the old one keeps
// running.
func TestReload(t *testing.T) {
	lua := writeLua(t, `function ksr_request_route() KSR.info("v1") end`)
	text := luaConfig(lua, false, "")
	srv, lg, _ := start(t, "kamailio.cfg", text, nil)
	w := event.NewWorker(1)
	reload := func() diag.List { return srv.Reload(analyze(t, text)) }
	dispatch(srv, w, event.Request())
	write(t, lua, `function ksr_request_route() KSR.info("v2") end`)
	if d := reload(); d.HasErrors() {
		t.Fatal(d.Error())
	}
	dispatch(srv, w, event.Request())
	write(t, lua, `function ksr_request_route( KSR.info("v3") end`)
	if d := reload(); !d.HasErrors() || !strings.Contains(d.Error(), "failed to load Lua script") {
		t.Fatalf("a broken script was reloaded: %v", d)
	}
	dispatch(srv, w, event.Request())
	if got := scriptLines(lg); !slices.Equal(got, []string{"v1", "v2", "v2"}) {
		t.Errorf("got %q", got)
	}
}

// TestStartRefused: a missing file or a syntax error stops the load, a
// script failing at its top level stops the start.
func TestStartRefused(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "function (", "failed to load Lua script"},
		{"top level", `error("at load")`, "at load"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := analyze(t, luaConfig(writeLua(t, tc.src), false, ""))
			srv, d := server.Load(cfg, server.Options{})
			if d.HasErrors() {
				if !strings.Contains(d.Error(), tc.want) {
					t.Errorf("load: %v", d.Error())
				}
				return
			}
			if err := srv.Start(t.Context()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("start: %v", err)
			}
		})
	}
	cfg := analyze(t, luaConfig("/nonexistent/kamailio.lua", false, ""))
	if _, d := server.Load(cfg, server.Options{}); !strings.Contains(d.Error(), "cannot find script: /nonexistent/kamailio.lua") {
		t.Errorf("missing file: %v", d.Error())
	}
}

// TestSIPMessage: KSR functions read the event's SIP message.
func TestSIPMessage(t *testing.T) {
	srv, lg, _ := runLua(t, `function ksr_request_route()
	KSR.info(table.concat({tostring(KSR.is_INVITE()), tostring(KSR.is_method_in("RI")),
		KSR.hdr.get("Subject"), KSR.pv.get("$fU"), tostring(KSR.hdr.get("X-None"))}, " "))
end`, false, "")
	m, err := sipmsg.Parse("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\nFrom: <sip:alice@example.com>;tag=1\r\n" +
		"To: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nSubject: hi there\r\nContent-Length: 0\r\n\r\n")
	if err != nil {
		t.Fatal(err)
	}
	c := srv.AcquireContext(event.NewWorker(1))
	sipmsg.Set(c, m)
	srv.Host().Run(c, event.Request())
	srv.ReleaseContext(c)
	if got := scriptLines(lg); !slices.Equal(got, []string{"true true hi there alice nil"}) {
		t.Errorf("got %q", got)
	}
}

func write(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNested: Lua calls a native route that calls Lua again, in the same
// interpreter; each level sees its own arguments and the outer one goes
// on.
func TestNested(t *testing.T) {
	srv, lg, _ := runLua(t, `depth = 0
function ksr_request_route()
	depth = depth + 1
	local rc = KSR.route("R")
	KSR.info("outer after route rc=" .. rc .. " depth=" .. depth .. " rm=" .. KSR.pv.get("$rm"))
end
function inner(a)
	depth = depth + 1
	KSR.info("inner " .. a .. " depth=" .. depth)
end`, false, "route[R] {\n\tlua_run(\"inner\", \"$rm\");\n\treturn 3;\n}\n")
	dispatch(srv, event.NewWorker(1), event.Request())
	want := []string{"inner OPTIONS depth=2", "outer after route rc=3 depth=2 rm=OPTIONS"}
	if got := scriptLines(lg); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestOSExit: os.exit() in a script stops the server through its owner
// (as abort() does), not the process on the spot.
func TestOSExit(t *testing.T) {
	srv, lg, _ := runLua(t, `function ksr_request_route() os.exit(1) KSR.info("not reached") end`, false, "")
	dispatch(srv, event.NewWorker(1), event.Request())
	select {
	case reason := <-srv.Aborted():
		if !strings.Contains(reason, "os.exit") {
			t.Errorf("reason %q", reason)
		}
	default:
		t.Fatal("the server was not asked to stop")
	}
	if len(scriptLines(lg)) != 0 {
		t.Errorf("the script went on: %q", lg.all())
	}
}
