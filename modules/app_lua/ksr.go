package applua

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// exitText is the error KSR.x.exit() raises to unwind the script; an error
// with exactly this text ends a route successfully, as in Kamailio (a
// script's pcall sees the same text).
const exitText = "~~ksr~exit~~"

// bind builds KSR in L: one Lua function per KEMI function the host offers
// (KSR.<name>, KSR.<module>.<name>), and KSR.x, the engine's own.
func (st *state) bind(L *lua.LState) {
	ksr := L.NewTable()
	L.SetGlobal("KSR", ksr)
	var funcs []module.KEMIFunc
	if kh, ok := st.m.host.(module.KEMIHost); ok {
		funcs = kh.KEMIExports()
	}
	verbose := st.m.logMode&logExports != 0
	for i := range funcs {
		f := &funcs[i]
		tb := ksr
		if f.Module != "" {
			sub, ok := ksr.RawGetString(f.Module).(*lua.LTable)
			if !ok {
				sub = L.NewTable()
				ksr.RawSetString(f.Module, sub)
			}
			tb = sub
		}
		if verbose {
			st.m.log.Logf(klog.Dbg, Name, "lua_sr_kemi_register_libs(): exporting KSR.%s(...)", f.Path())
		}
		tb.RawSetString(f.Name, L.NewFunction(st.kemiFunc(f)))
	}
	x := L.NewTable()
	x.RawSetString("exit", L.NewFunction(st.exit(false)))
	x.RawSetString("drop", L.NewFunction(st.exit(true)))
	x.RawSetString("modf", L.NewFunction(st.modf))
	x.RawSetString("probe", L.NewFunction(func(*lua.LState) int { return 0 }))
	ksr.RawSetString("x", x)
}

// exit is KSR.x.exit (and, with drop, KSR.x.drop): it ends the script.
func (st *state) exit(drop bool) lua.LGFunction {
	return func(L *lua.LState) int {
		if drop && st.cur != nil {
			st.cur.Dropped = true
		}
		L.Error(lua.LString(exitText), 0)
		return 0
	}
}

// kemiFunc returns the Lua function of f. Arguments are converted as
// Kamailio's app_lua converts them: a number or string for a str
// parameter (anything else is an empty string), a number, or a string
// holding one, for an int parameter (anything else is 0). Extra arguments
// are ignored; missing ones fail the call, which returns false.
func (st *state) kemiFunc(f *module.KEMIFunc) lua.LGFunction {
	np := len(f.Params)
	return func(L *lua.LState) int {
		c := st.cur
		if c == nil {
			st.m.log.Log(klog.Err, Name, "sr_kemi_lua_exec_func_ex(): invalid Lua environment attributes or parameters")
			L.Push(lua.LFalse)
			return 1
		}
		argc := L.GetTop()
		switch {
		case argc == 0 && np > 0:
			logf(c, "sr_kemi_lua_exec_func_ex(): invalid number of parameters for: %s", f)
			L.Push(lua.LFalse)
			return 1
		case argc > module.KEMIMaxParams:
			logf(c, "sr_kemi_lua_exec_func_ex(): too many parameters for: %s", f)
			L.Push(lua.LFalse)
			return 1
		case argc < np:
			logf(c, "sr_kemi_lua_exec_func_ex(): not enough parameters for: %s", f)
			L.Push(lua.LFalse)
			return 1
		}
		if st.depth == len(st.frames) {
			st.frames = append(st.frames, [6]value.Value{})
		}
		args := st.frames[st.depth][:np]
		for i, t := range f.Params {
			args[i] = fromLua(L.Get(i+1), t)
		}
		st.depth++
		// Each call is an action: sl_reply_error reports the error
		// of the call before it.
		c.BeginAction()
		r := f.Call(st.m.host, c, args)
		st.depth--
		clear(args)
		return pushResult(L, f.Ret, r)
	}
}

// logf logs a KEMI call failure on c's logger.
func logf(c *event.Context, format string, f *module.KEMIFunc) {
	if c.Log != nil {
		c.Log.Logf(klog.Err, Name, format, kemiName(f))
	}
}

// kemiName names f as Kamailio's messages do: "module.name", ".name" for
// the core.
func kemiName(f *module.KEMIFunc) string { return f.Module + "." + f.Name }

// fromLua converts a Lua argument to a KEMI parameter of type t. A str
// parameter given nil, a boolean or a table is null (Kamailio passes a
// NULL string, which functions treat as missing or empty).
func fromLua(lv lua.LValue, t module.KEMIType) value.Value {
	if t == module.KEMIInt {
		return value.MakeInt(value.Wrap(int64(lua.LVAsNumber(lv))))
	}
	switch v := lv.(type) {
	case lua.LString:
		return value.MakeStr(string(v))
	case lua.LNumber:
		return value.MakeStr(v.String())
	}
	return value.NullValue
}

// pushResult pushes a KEMI result: the code for int, a boolean for bool,
// false for a function returning nothing (as Kamailio's app_lua does), and
// the value for xval.
func pushResult(L *lua.LState, t module.KEMIType, r module.KEMIValue) int {
	switch t {
	case module.KEMIInt:
		L.Push(lua.LNumber(r.I))
	case module.KEMIBool:
		L.Push(lua.LBool(r.I != 0))
	case module.KEMIXVal:
		if r.None {
			return 0
		}
		L.Push(toLua(L, r))
	default:
		L.Push(lua.LFalse)
	}
	return 1
}

// toLua converts an xval: null is nil, arrays and dicts are tables.
func toLua(L *lua.LState, r module.KEMIValue) lua.LValue {
	switch {
	case r.Array != nil:
		tb := L.CreateTable(len(r.Array), 0)
		for _, e := range r.Array {
			tb.Append(toLua(L, e))
		}
		return tb
	case r.Dict != nil:
		tb := L.CreateTable(0, len(r.Dict))
		for _, e := range r.Dict {
			tb.RawSetString(e.Name, toLua(L, e.Value))
		}
		return tb
	}
	switch r.K {
	case value.Int:
		return lua.LNumber(r.I)
	case value.Str:
		return lua.LString(r.S)
	}
	return lua.LNil
}
