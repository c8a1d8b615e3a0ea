package applua

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/kamgo/kamgo/lang/ast"
	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/value"
)

// maxModfArgs bounds KSR.x.modf's arguments, the function name included
// (Kamailio's MAX_ACTIONS).
const maxModfArgs = 16

// maxModfCache bounds the compiled calls one interpreter keeps.
const maxModfCache = 256

// modf is KSR.x.modf(name, ...): a native function of a loaded module,
// called with string arguments as if written in a route (a string is a
// format string there too). It returns the function's code, or -1 when
// there is no such function or its arguments are refused.
func (st *state) modf(L *lua.LState) int {
	c := st.cur
	argc := L.GetTop()
	fail := func(format string, args ...any) int {
		logErr(c, "sr_kemi_lua_modf(): "+format, args...)
		L.Push(lua.LNumber(-1))
		return 1
	}
	switch {
	case c == nil:
		return fail("invalid Lua environment")
	case argc == 0:
		return fail("name of module function not provided")
	case argc >= maxModfArgs:
		return fail("too many parameters")
	}
	parts := make([]string, argc)
	for i := range parts {
		lv := L.Get(i + 1)
		if !lua.LVCanConvToString(lv) {
			return fail("invalid parameter type (%d)", i+1)
		}
		parts[i] = lua.LVAsString(lv)
	}
	key := strings.Join(parts, "\x00")
	call, ok := st.modfs[key]
	if !ok {
		var err error
		if call, err = st.m.nativeCall(parts[0], parts[1:]); err != nil {
			return fail("%v", err)
		}
		if st.modfs == nil {
			st.modfs = map[string]module.Call{}
		}
		if len(st.modfs) < maxModfCache {
			st.modfs[key] = call
		}
	}
	L.Push(lua.LNumber(call(c)))
	return 1
}

// nativeCall compiles a call of the native function name, of whichever
// loaded module exports it with that many arguments.
func (m *Module) nativeCall(name string, params []string) (module.Call, error) {
	args := make([]*module.Arg, len(params))
	for i, p := range params {
		v := value.MakeStr(p)
		args[i] = &module.Arg{Expr: &ast.StrLit{Value: p}, Eval: func(*event.Context) value.Value { return v }}
	}
	for _, cf := range module.Catalog().Func(name) {
		inst, ok := m.host.Module(cf.Module)
		if !ok {
			continue
		}
		ex, ok := inst.(module.Exporter)
		if !ok {
			continue
		}
		for _, f := range ex.Exports().Funcs {
			if f.Name != name || len(params) < f.MinArgs || (f.MaxArgs >= 0 && len(params) > f.MaxArgs) {
				continue
			}
			call, err := f.Compile(m.host, args)
			if err != nil {
				return nil, fmt.Errorf("function '%s': %v", name, err)
			}
			return call, nil
		}
	}
	return nil, fmt.Errorf("function '%s' is not available", name)
}
