package applua

import (
	"errors"
	"os"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
)

// KEMIRun implements module.KEMIEngine: the routes and event callbacks of
// `cfgengine "lua"`. A missing function is an error only when required
// (ksr_request_route); the others are optional, as in Kamailio.
func (m *Module) KEMIRun(c *event.Context, fn, arg string, required bool) (rc int, ok bool) {
	var args [1]string
	n := 0
	if arg != "" {
		args[0], n = arg, 1
	}
	return m.run(c, fn, args[:n], required)
}

// run calls the global function fn of c's worker's interpreter with string
// arguments: 1 when it returned or called KSR.x.exit(), -1 when it failed
// (logged with the script's file:line). ok is false when there is no such
// function; with required that is logged and yields -1, otherwise 1.
func (m *Module) run(c *event.Context, fn string, args []string, required bool) (rc int, ok bool) {
	st, err := m.stateFor(c)
	if err == nil && st.L == nil {
		err = errNoScripts
	}
	if err != nil {
		logErr(c, "app_lua_run_ex(): %s (call: %s)", err, fn)
		return -1, true
	}
	L := st.L
	g := L.GetGlobal(fn)
	f, isFunc := g.(*lua.LFunction)
	if !isFunc {
		if !required {
			return 1, false
		}
		logErr(c, "app_lua_run_ex(): no such function [%s] in lua scripts", fn)
		logErr(c, "app_lua_run_ex(): top stack type [%d - %s]", cType(g), g.Type())
		text := "unknown"
		if lua.LVCanConvToString(g) {
			text = lua.LVAsString(g)
		}
		logErr(c, "app_lua_run_ex(): error from Lua: %s", text)
		return -1, false
	}
	L.Push(f)
	for _, a := range args {
		L.Push(lua.LString(a))
	}
	if err := st.pcall(c, L, len(args)); err != nil {
		if exited(err) {
			return 1, true
		}
		logErr(c, "app_lua_run_ex(): error from Lua: %s", errText(err))
		logErr(c, "app_lua_run_ex(): error executing: %s (err: %d)", fn, errCode(err))
		return -1, true
	}
	return 1, true
}

// cType is the C API's number of a value's type (LUA_TNIL ...), which
// Kamailio's messages print.
func cType(v lua.LValue) int {
	switch v.Type() {
	case lua.LTBool:
		return 1
	case lua.LTNumber:
		return 3
	case lua.LTString:
		return 4
	case lua.LTTable:
		return 5
	case lua.LTFunction:
		return 6
	case lua.LTUserData:
		return 7
	case lua.LTThread:
		return 8
	}
	return 0
}

// pcall calls the function and arguments on L's stack with c as the event
// KSR functions act on, and puts the previous event back afterwards.
func (st *state) pcall(c *event.Context, L *lua.LState, nargs int) error {
	prev, depth := st.cur, st.depth
	st.cur = c
	err := L.PCall(nargs, 0, nil)
	st.cur, st.depth = prev, depth
	return err
}

// exited reports whether err is KSR.x.exit()'s unwinding.
func exited(err error) bool {
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return false
	}
	s, ok := ae.Object.(lua.LString)
	return ok && string(s) == exitText
}

// doString runs a chunk of Lua source: in the bare interpreter for
// lua_dostring, in the one that ran the load files for lua_runstring.
// KSR.x.exit() is an error here, as in Kamailio.
func (m *Module) doString(c *event.Context, src string, loaded bool) int {
	st, err := m.stateFor(c)
	if err == nil && loaded && st.L == nil {
		err = errNoScripts
	}
	if err != nil {
		if loaded {
			logErr(c, "app_lua_runstring(): %s (call: %s)", err, src)
		} else {
			logErr(c, "ki_app_lua_dostring(): %s", err)
		}
		return -1
	}
	L := st.L
	fn := "app_lua_runstring()"
	if !loaded {
		L, fn = st.bareState(), "app_lua_dostring()"
	}
	f, err := L.Load(strings.NewReader(src), chunkName(src))
	if err == nil {
		L.Push(f)
		err = st.pcall(c, L, 0)
	}
	if err != nil {
		logErr(c, fn+": error from Lua: %s", errText(err))
		return -1
	}
	return 1
}

// doFile runs a Lua file in the bare interpreter (lua_dofile), reading it
// each time.
func (m *Module) doFile(c *event.Context, path string) int {
	st, err := m.stateFor(c)
	if err != nil {
		logErr(c, "ki_app_lua_dofile(): %s", err)
		return -1
	}
	L := st.bareState()
	p, err := compileFile(path)
	if os.IsNotExist(err) {
		err = errors.New("cannot open " + path)
	}
	if err == nil {
		L.Push(L.NewFunctionFromProto(p))
		err = st.pcall(c, L, 0)
	}
	if err != nil {
		logErr(c, "app_lua_dofile(): error from Lua: %s", errText(err))
		return -1
	}
	return 1
}

func logErr(c *event.Context, format string, args ...any) {
	if c != nil && c.Log != nil {
		c.Log.Logf(klog.Err, Name, format, args...)
	}
}
