package applua

import (
	"errors"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// stateKey is the worker slot holding a worker's interpreters.
var stateKey = event.NewKey()

// ksrVersion is the KSRVERSION global Kamailio 5.6 sets.
const ksrVersion = "2.0"

// state is one worker's Lua: the interpreter that ran the load files
// (Kamailio's LL; routes, callbacks, lua_run and lua_runstring use it) and,
// made when first needed, a bare one for lua_dostring and lua_dofile
// (Kamailio's L, which never runs the load files). A state is used by one
// goroutine at a time, the one holding its worker.
type state struct {
	m       *Module
	scripts *scriptSet
	L       *lua.LState
	bare    *lua.LState
	// cur is the event the running Lua code acts on (Kamailio's
	// env_L->msg); calls nest (KSR.route -> lua_run), each restoring it.
	cur *event.Context
	// frames hold the arguments of the KEMI calls in progress, one per
	// nesting level, so that a call allocates nothing.
	frames [][6]value.Value
	depth  int
	// modfs are KSR.x.modf's compiled native calls, by name and arguments.
	modfs map[string]module.Call
}

// errNoScripts is lua_run's failure when no load file was given.
var errNoScripts = errors.New("lua loading state not initialized")

// stateFor returns the interpreters of c's worker, starting them the first
// time and again after a reload. Without load files there is no loaded
// interpreter (st.L is nil), as in Kamailio.
func (m *Module) stateFor(c *event.Context) (*state, error) {
	set := m.scripts.Load()
	if set == nil {
		return nil, errors.New("lua environment not initialized")
	}
	w := c.Worker
	if w == nil {
		return nil, errors.New("event without a worker")
	}
	if st, ok := w.Get(stateKey).(*state); ok {
		// A state running Lua code (a nested call: KSR.route to a
		// native route that calls lua_run) is kept until the event ends.
		if st.scripts == set || st.cur != nil {
			return st, nil
		}
		st.close()
		w.Set(stateKey, nil)
	}
	st, err := m.newState(set)
	if err != nil {
		return nil, err
	}
	w.Set(stateKey, st)
	return st, nil
}

// newState starts an interpreter with the KSR table and runs the load
// files in it, in order.
func (m *Module) newState(set *scriptSet) (*state, error) {
	st := &state{m: m, scripts: set}
	if len(set.protos) == 0 {
		return st, nil
	}
	st.L = st.open()
	for i, p := range set.protos {
		st.L.Push(st.L.NewFunctionFromProto(p))
		if err := st.L.PCall(0, 0, nil); err != nil {
			m.log.Logf(klog.Err, Name, "lua_sr_init_child(): failed to load Lua script: %s (err: %d)", set.files[i], errCode(err))
			m.log.Logf(klog.Err, Name, "lua_sr_init_child(): error from Lua: %s", errText(err))
			st.close()
			return nil, fmt.Errorf("failed to load Lua script: %s: %s", set.files[i], errText(err))
		}
	}
	return st, nil
}

// open returns an interpreter with Lua's standard libraries, the KSR
// table and KSRVERSION.
func (st *state) open() *lua.LState {
	L := lua.NewState()
	st.bind(L)
	L.SetGlobal("KSRVERSION", lua.LString(ksrVersion))
	if osLib, ok := L.GetGlobal("os").(*lua.LTable); ok {
		osLib.RawSetString("exit", L.NewFunction(st.osExit))
	}
	return L
}

// osExit replaces Lua's os.exit, which would end kamgo's process on the
// spot: a Kamailio worker calling it dies, and Kamailio then stops, so
// kamgo stops the server the way cfgutils' abort() does, and the script
// ends.
func (st *state) osExit(L *lua.LState) int {
	st.m.log.Log(klog.Crit, Name, "os.exit() called from Lua: stopping")
	if ab, ok := st.m.host.(module.Aborter); ok {
		ab.Abort("app_lua: os.exit() called")
	}
	L.Error(lua.LString(exitText), 0)
	return 0
}

func (st *state) close() {
	if st.L != nil {
		st.L.Close()
	}
	if st.bare != nil {
		st.bare.Close()
	}
}

// bareState returns the interpreter of lua_dostring and lua_dofile.
func (st *state) bareState() *lua.LState {
	if st.bare == nil {
		st.bare = st.open()
	}
	return st.bare
}

// errCode is the Lua C API's code for an error: LUA_ERRRUN (2),
// LUA_ERRSYNTAX (3), LUA_ERRERR (5).
func errCode(err error) int {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		switch ae.Type {
		case lua.ApiErrorSyntax:
			return 3
		case lua.ApiErrorError:
			return 5
		}
	}
	return 2
}

// errText is the error object as Lua's tostring gives it: for a run-time
// error raised by a script, "file:line: message".
func errText(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		if s, ok := ae.Object.(lua.LString); ok {
			return string(s)
		}
		if ae.Object.Type() == lua.LTNumber {
			return ae.Object.String()
		}
		// Kamailio prints what lua_tostring gives: nothing for a table,
		// a boolean or nil.
		return "unknown"
	}
	return err.Error()
}
