// Package json is kamgo's json module: json_get_field and json_get_string
// read a top-level field of a JSON document and the {json.parse,path}
// transformation reads a value by path, with json-c's rules
// (modules/internal/jsondoc): lenient parsing and spaced printing
// ({ "a": 1 }).
package json

import (
	"fmt"

	"github.com/kamgo/kamgo/runtime/event"
	"github.com/kamgo/kamgo/runtime/klog"
	"github.com/kamgo/kamgo/runtime/module"
	"github.com/kamgo/kamgo/runtime/pv"
	"github.com/kamgo/kamgo/runtime/value"
)

func init() { module.Register(&Module{}) }

// Module is the json module.
type Module struct{}

// ModuleInfo implements module.Module.
func (*Module) ModuleInfo() module.Info {
	return module.Info{Name: "json", New: func() module.Module { return &Module{} }}
}

// Exports implements module.Exporter. bind_json is an API for other C
// modules, not a script function, so it is not here.
func (m *Module) Exports() module.Exports {
	return module.Exports{
		Params: []module.Param{{Name: "json_escape_char", Type: module.ParamStr, Default: value.MakeStr("%")}},
		Funcs: []module.Func{
			{Name: "json_get_field", MinArgs: 3, MaxArgs: 3, Compile: compileGet(false)},
			{Name: "json_get_string", MinArgs: 3, MaxArgs: 3, Compile: compileGet(true)},
		},
		Trans: []*pv.TransClass{{Name: "json", Module: "json", Ops: []string{"parse", "parsex"}, Compile: compileTrans}},
	}
}

// SetParam implements module.ParamSetter. Kamailio 5.6.3 stores
// json_escape_char but its path splitter always uses '%', so the value
// changes nothing; kamgo accepts it the same way.
func (m *Module) SetParam(name string, v value.Value) error {
	if name == "json_escape_char" {
		return nil
	}
	return fmt.Errorf("json: unknown parameter %q", name)
}

// logErr logs an error as the module's C functions do, naming the
// function the way Kamailio's log line does.
func logErr(c *event.Context, fn, format string, args ...any) {
	if c.Log != nil {
		c.Log.Logf(klog.Err, "json", "%s(): %s", fn, fmt.Sprintf(format, args...))
	}
}

var (
	_ module.Exporter    = (*Module)(nil)
	_ module.ParamSetter = (*Module)(nil)
)
